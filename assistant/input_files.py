"""Opening files named by a user or a request: checked before anything is read.

A path in a `parse --jsonl` line, a `--audio`/`--image` argument or the config path is
hostile until checked. Only regular files are opened: a FIFO would block the reader,
`/dev/zero` never ends, a terminal swallows input, and opening some devices has side
effects (a watchdog device arms itself). The size is checked on the open descriptor
before a byte is read, so a file cannot grow the process past its limit.
"""

from __future__ import annotations

import os
import stat
from typing import BinaryIO

from assistant.errors import InputError

MAX_PATH_BYTES = 4096  # PATH_MAX on Linux
MAX_NAME_BYTES = 255  # NAME_MAX: one path component
_SHOWN = 160  # characters of a path repeated in an error message; its ends are kept


def shown(path: str) -> str:
    """A path as an error message can carry it: one line, printable, at most ~160
    characters (a longer one keeps its start and its file name)."""
    text = path if path.isprintable() else ascii(path)[1:-1]
    half = _SHOWN // 2 - 2
    return text if len(text) <= _SHOWN else f"{text[:half]}...{text[-half:]}"


def check_path(path: object, what: str) -> str:
    """`path` as a usable file path, or InputError naming what is wrong with it."""
    if not isinstance(path, str):
        raise InputError(f"{what} path must be a string, not {type(path).__name__}")
    if not path:
        raise InputError(f"{what} path is empty")
    if "\x00" in path:
        raise InputError(f"{shown(path)}: {what} path contains a NUL byte")
    try:
        raw = os.fsencode(path)
    except UnicodeEncodeError:
        raise InputError(f"{shown(path)}: {what} path is not valid Unicode "
                         "(a lone surrogate)") from None
    if len(raw) > MAX_PATH_BYTES:
        raise InputError(f"{shown(path)}: {what} path too long "
                         f"({len(raw)} bytes, at most {MAX_PATH_BYTES})")
    longest = max(len(part) for part in raw.split(b"/"))
    if longest > MAX_NAME_BYTES:
        raise InputError(f"{shown(path)}: {what} path has a name of {longest} bytes "
                         f"(at most {MAX_NAME_BYTES})")
    return path


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "not a regular file"


def open_regular(path: object, what: str, max_bytes: int) -> BinaryIO:
    """Open `path` for reading if it is a regular file of at most `max_bytes`.

    The type is checked with stat() before opening (opening a device can act) and again
    on the descriptor (the path may have been swapped in between); O_NONBLOCK keeps a
    FIFO swapped in at that moment from blocking the open. Raises InputError with one
    line naming the file and the problem."""
    name = check_path(path, what)
    label = shown(name)
    try:
        before = os.stat(name)
    except FileNotFoundError:
        raise InputError(f"{label}: {what} not found") from None
    except OSError as exc:
        raise InputError(f"{label}: cannot read {what} ({exc.strerror or exc})") from None
    if not stat.S_ISREG(before.st_mode):
        raise InputError(f"{label}: {what} is {_kind(before.st_mode)}, not a regular file")
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC
    try:
        fd = os.open(name, flags)
    except OSError as exc:
        raise InputError(f"{label}: cannot read {what} ({exc.strerror or exc})") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise InputError(f"{label}: {what} is {_kind(st.st_mode)}, not a regular file")
        if st.st_size > max_bytes:
            raise InputError(f"{label}: {what} too large ({st.st_size / 2**20:.1f} MiB, "
                        f"at most {max_bytes / 2**20:g} MiB)")
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_regular(path: object, what: str, max_bytes: int) -> bytes:
    """The whole of a regular file of at most `max_bytes` (see `open_regular`)."""
    with open_regular(path, what, max_bytes) as file:
        try:
            data = file.read(max_bytes + 1)
        except OSError as exc:  # EIO and the like: /proc/self/mem is a "regular file"
            raise InputError(f"{shown(str(path))}: cannot read {what} "
                             f"({exc.strerror or exc})") from None
    if len(data) > max_bytes:  # it grew after the size check
        raise InputError(f"{shown(str(path))}: {what} too large (over "
                         f"{max_bytes / 2**20:g} MiB)")
    return data
