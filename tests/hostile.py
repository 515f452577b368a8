"""Helpers for hostile-input tests: run a real `assistant` process with a memory ceiling
and measure its peak RSS (from the kernel's accounting of that one child), and build
WAV files whose headers say what a test wants them to say."""

from __future__ import annotations

import os
import resource
import signal
import struct
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# A ceiling on address space, so that a test of a defect that is back (reading /dev/zero
# into memory) fails with a MemoryError instead of taking the machine's memory. A parse
# process maps about 0.85 GB of address space for 0.2 GB resident.
ADDRESS_SPACE_LIMIT = 3 * 2**30


@dataclass(frozen=True)
class Finished:
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    peak_mb: float  # peak resident set size of the process

    def one_error_line(self) -> str:
        lines = self.stderr.strip().splitlines()
        assert len(lines) == 1, self.stderr
        return lines[0]


def assistant(*args: str, stdin: bytes = b"", timeout: float = 120.0) -> Finished:
    """`python -m assistant.cli ARGS` with `stdin`, and its peak RSS.

    The process is started by a small launcher (this module run as a script) that sets
    the address-space ceiling and reports the child's peak RSS from wait4(): a process
    started straight from pytest would report pytest's own size (exec carries the
    parent's high-water mark into the child's figure)."""
    with tempfile.TemporaryFile() as inp, tempfile.TemporaryFile() as out, \
            tempfile.TemporaryFile() as err, tempfile.NamedTemporaryFile() as peak:
        inp.write(stdin)
        inp.seek(0)
        started = time.monotonic()
        proc = subprocess.Popen([sys.executable, __file__, peak.name, sys.executable, "-m",
                                 "assistant.cli", *args],
                                cwd=ROOT, stdin=inp, stdout=out, stderr=err)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()  # the launcher: its child gets SIGKILL from it (PDEATHSIG)
            proc.wait()
        seconds = time.monotonic() - started
        out.seek(0)
        err.seek(0)
        reported = Path(peak.name).read_text()
        done = Finished(proc.returncode, out.read().decode(), err.read().decode(), seconds,
                        int(reported or 0) / 1024)
    assert seconds < timeout, f"{args} took over {timeout} s: {done}"
    return done


def _launch(peak_file: str, *command: str) -> int:
    """Run `command` under the address-space ceiling; write its peak RSS (KiB)."""
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE_LIMIT, ADDRESS_SPACE_LIMIT))
    pid = os.fork()
    if pid == 0:
        try:
            import ctypes

            ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: die with us
            os.execv(command[0], list(command))
        finally:
            os._exit(127)
    _, status, usage = os.wait4(pid, 0)
    Path(peak_file).write_text(str(usage.ru_maxrss))
    return os.waitstatus_to_exitcode(status)


def config_args(*args: str) -> tuple[str, ...]:
    return ("--config", str(ROOT / "devices.yaml"), *args)


def wav_header(*, rate: int, channels: int = 1, bits: int = 16, data_bytes: int) -> bytes:
    """A PCM WAV header (RIFF, fmt, data) declaring `data_bytes` of samples."""
    block = channels * bits // 8
    fmt = struct.pack("<HHIIHH", 1, channels, rate, rate * block, block, bits)
    riff_size = (4 + 8 + len(fmt) + 8 + data_bytes) & 0xFFFFFFFF
    return (b"RIFF" + struct.pack("<I", riff_size) + b"WAVE" + b"fmt "
            + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", data_bytes))


def write_wav(path: Path, samples: bytes, *, rate: int, channels: int = 1, bits: int = 16,
              declared: int | None = None) -> Path:
    """A WAV file of `samples`, its header declaring `declared` data bytes if given."""
    size = len(samples) if declared is None else declared
    path.write_bytes(wav_header(rate=rate, channels=channels, bits=bits, data_bytes=size)
                     + samples)
    return path


if __name__ == "__main__":
    sys.exit(_launch(*sys.argv[1:]))
