"""glibc malloc settings that keep a parse process's memory close to what it uses."""

from __future__ import annotations

import subprocess
import sys

import pytest

from assistant.memory import return_freed_memory

_PROBE = """
import resource, sys
import numpy as np
from assistant.memory import return_freed_memory
if sys.argv[1] == "set":
    assert return_freed_memory()
def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2**20
# ONNX Runtime's pattern: a large block freed (raising glibc's dynamic thresholds), then
# many blocks under the raised mmap threshold freed while a small one pins the heap's top.
big = np.ones(16 * 2**20 // 8); del big
blocks = [np.ones(2**20 // 8) for _ in range(60)]
pin = np.ones(100)
del blocks
print(f"{rss():.1f}")
"""


def _held_mib(mode: str) -> float:
    # A clean environment: no MALLOC_* variable of the caller's.
    out = subprocess.run([sys.executable, "-c", _PROBE, mode], capture_output=True, text=True,
                         check=True, env={"PATH": "/usr/bin:/bin"})
    return float(out.stdout.strip())


def test_freed_memory_goes_back_to_the_system() -> None:
    # 60 MiB freed: about 28 MiB of it held by glibc's defaults, returned when set.
    assert _held_mib("set") < _held_mib("default") - 20


def test_a_users_own_setting_stands(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MALLOC_TRIM_THRESHOLD_", "65536")
    assert return_freed_memory() is False
