"""Whether this CPU runs ONNX Runtime's int8 matrix products exactly.

ONNX Runtime's dynamic int8 MatMul multiplies uint8 activations by int8 weights. On x86 it
is exact only with VNNI-class instructions (AVX512-VNNI, AVX-VNNI, AMX); the AVX2 fallback
sums pairs of products in 16 bits, which saturates, and the embeddings drift enough to
change which passage ranks first (docs/performance.md has the figures). There the bot uses
the fp32 export instead. Other architectures (ARM's dot-product instructions) are exact.
"""

from __future__ import annotations

import functools
import logging
import os
import platform
from pathlib import Path

log = logging.getLogger(__name__)

_EXACT_X86_FLAGS = frozenset({"avx512_vnni", "avx_vnni", "amx_int8"})
_X86 = {"x86_64", "amd64", "i386", "i686"}
CPUINFO = Path("/proc/cpuinfo")


def cpu_flags(cpuinfo: str) -> frozenset[str]:
    """The feature flags of the first processor listed in a /proc/cpuinfo text."""
    for line in cpuinfo.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "flags":
            return frozenset(value.split())
    return frozenset()


def int8_exact(machine: str, flags: frozenset[str] | None) -> bool:
    """Pure rule: x86 needs a VNNI-class flag; unknown flags on x86 count as inexact."""
    if machine.lower() not in _X86:
        return True
    return bool(flags and flags & _EXACT_X86_FLAGS)


@functools.cache
def int8_exact_here() -> bool:
    """`int8_exact` for this machine; `CALLBOT_INT8=force` skips the check (benchmarks)."""
    if os.environ.get("CALLBOT_INT8", "").lower() == "force":
        return True
    try:
        flags: frozenset[str] | None = cpu_flags(CPUINFO.read_text(encoding="utf-8", errors="replace"))
    except OSError:
        flags = None
    exact = int8_exact(platform.machine(), flags)
    if not exact:
        log.info("this CPU has no VNNI int8 instructions: using the fp32 ONNX model (int8 is inexact here)")
    return exact
