"""int8 quantization of an exported encoder: SmoothQuant, then dynamic per-channel int8.

Dynamic int8 quantizes a MatMul's input with one scale for the whole tensor. A transformer's
activations have a few channels with values ~100x the rest (after the GELU of the
feed-forward layer above all), so one scale leaves the ordinary channels a handful of
levels. SmoothQuant (Xiao et al., 2023) divides each input channel j by
s_j = max|x_j|^alpha / max|W_j|^(1-alpha) and multiplies row j of the weight by s_j: the
product is unchanged, the activations are flat enough for one scale, and the weights,
quantized per output channel, absorb the difference.

Against dynamic int8 alone, weight-only int8 blocks and static int8 calibrated on the
corpus, SmoothQuant then dynamic int8 kept the vectors closest to fp32 for the ranking at
the speed of plain dynamic int8 (the comparison is in docs/performance.md).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np

ALPHA = 0.8
SCHEME = f"smoothquant-{ALPHA}+dynamic-int8-per-channel"


def quantize_smooth(source: Path, out_model: Path, alpha: float = ALPHA) -> int:
    """Write the int8 model of the export in `source` to `out_model`; returns MatMuls smoothed.

    Each MatMul gets its own scale and Mul. Sharing one per input (query, key and value
    read the same tensor) saved no measurable time and fits each weight less well.
    """
    import onnx
    from onnx import helper, numpy_helper
    from onnxruntime.quantization import QuantType, quantize_dynamic

    model = onnx.load(str(source / "model.onnx"))
    weights = {init.name: init for init in model.graph.initializer}
    targets = [
        n
        for n in model.graph.node
        if n.op_type == "MatMul" and len(n.input) == 2 and n.input[1] in weights and len(weights[n.input[1]].dims) == 2
    ]
    act_max = _activation_max(source, sorted({n.input[0] for n in targets}))
    target_names = {n.name for n in targets}
    nodes = []
    for node in model.graph.node:
        if node.name in target_names:  # each MatMul its own scale: SmoothQuant's optimum
            w = numpy_helper.to_array(weights[node.input[1]])
            a = np.maximum(act_max[node.input[0]], 1e-5)
            s = np.maximum(a**alpha / np.maximum(np.abs(w).max(axis=1), 1e-5) ** (1 - alpha), 1e-5)
            weights[node.input[1]].CopyFrom(numpy_helper.from_array((w * s[:, None]).astype(np.float32), node.input[1]))
            inv = f"{node.name}/smooth_inv"
            model.graph.initializer.append(numpy_helper.from_array((1 / s).astype(np.float32), inv))
            smoothed = f"{node.name}/smoothed_input"
            nodes.append(helper.make_node("Mul", [node.input[0], inv], [smoothed], name=f"{node.name}/smooth"))
            node.input[0] = smoothed
        nodes.append(node)
    del model.graph.node[:]
    model.graph.node.extend(nodes)
    smoothed_path = out_model.with_name("smoothed.onnx")
    onnx.save(model, str(smoothed_path))
    root = logging.getLogger()  # the quantizer logs one INFO line per node on the root logger
    level = root.level
    root.setLevel(max(level, logging.ERROR))
    try:
        quantize_dynamic(
            str(smoothed_path),
            str(out_model),
            per_channel=True,
            weight_type=QuantType.QInt8,
            op_types_to_quantize=["MatMul"],
        )
    finally:
        root.setLevel(level)
        smoothed_path.unlink(missing_ok=True)
    return len(targets)


def _activation_max(source: Path, names: list[str]) -> dict[str, np.ndarray]:
    """Per-channel max |x| of each named tensor over the calibration texts, one text per run."""
    import onnx
    import onnxruntime as ort
    from onnx import helper

    from bot.embedding.calibration import CALIBRATION_TEXTS
    from bot.embedding.onnx_backend import OnnxEmbedder

    probe = onnx.load(str(source / "model.onnx"))
    for name in names:
        probe.graph.output.append(helper.make_tensor_value_info(name, onnx.TensorProto.FLOAT, None))
    session: Any = ort.InferenceSession(probe.SerializeToString(), providers=["CPUExecutionProvider"])
    embedder = OnnxEmbedder(source)
    result: dict[str, np.ndarray] = {}
    for text in CALIBRATION_TEXTS:
        feeds, _ = embedder.feeds([text])
        for name, value in zip(names, session.run(names, feeds)):
            peak = np.abs(value.reshape(-1, value.shape[-1])).max(axis=0)
            result[name] = peak if name not in result else np.maximum(result[name], peak)
    return result
