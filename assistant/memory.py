"""Keep a process's memory close to what it uses: glibc's malloc settings.

glibc raises its trim threshold each time a large block (over the mmap threshold) is freed,
up to 32 MB, and then keeps that much freed memory in the heap instead of giving it back.
ONNX Runtime frees and re-allocates its activations on every call (the sessions run without
an arena), so a parse process with camera frames held about 8 MiB it no longer used: peak
RSS 150 MiB against 142 MiB with a fixed 1 MiB threshold (`bench.benchmark_eye`, 240
frames of seed 7001, runs back to back). Fixing the threshold also fixes the mmap
threshold at its 128 KiB default, so large blocks go back to the system when freed.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os

log = logging.getLogger(__name__)

M_TRIM_THRESHOLD = -1  # glibc's mallopt parameter number
TRIM_THRESHOLD = 1 << 20


def return_freed_memory() -> bool:
    """Fix glibc's trim threshold at 1 MiB (unless MALLOC_TRIM_THRESHOLD_ already sets it).
    True if set; False on a C library without mallopt (musl, macOS): nothing to do there."""
    if "MALLOC_TRIM_THRESHOLD_" in os.environ:
        return False  # the user's (or the unit's) own setting stands
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    ok = bool(mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD))
    if not ok:
        log.debug("mallopt(M_TRIM_THRESHOLD) refused; glibc's defaults stay")
    return ok
