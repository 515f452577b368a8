"""JSON lines from an untrusted byte stream, read with limits.

`LineReader` yields one item per input line and never buffers more than one line's limit
plus one read: an over-long line is reported and skipped to its newline without being
kept. `decode_line` turns a line's bytes into a JSON value or a one-line `LineError`:
strict UTF-8, a nesting-depth limit checked before the JSON parser recurses, and integers
of bounded length (Python refuses ints over 4300 digits with a ValueError, and deep
nesting raises RecursionError; neither is a JSONDecodeError).
"""

from __future__ import annotations

import io
import json
import os
import re
import select
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

MAX_LINE_BYTES = 64 * 1024  # a request is a few short strings; 64 KiB is generous
MAX_DEPTH = 16  # a request is a flat object (depth 1)
MAX_INT_DIGITS = 32
_READ = 64 * 1024


class LineError(ValueError):
    """A line that cannot be decoded; the message is one line naming the problem."""


@dataclass(frozen=True)
class TooLong:
    """Stands for a line over the limit; its bytes were dropped, not kept."""

    length: int  # bytes up to its newline (or the end of input)


class LineReader:
    """Lines of a byte stream (without the newline), each at most `max_bytes`.

    Reads the file descriptor directly when there is one, so `ready()` can tell whether
    the next line would wait for the writer (a client sending one request at a time)."""

    def __init__(self, stream: BinaryIO, max_bytes: int = MAX_LINE_BYTES) -> None:
        self._stream = stream
        self._fd: int | None
        try:
            self._fd = stream.fileno()
        except (OSError, io.UnsupportedOperation, AttributeError):
            self._fd = None  # an in-memory stream: never waits
        self.max_bytes = max_bytes
        self._buf = bytearray()
        self._eof = False

    def _fill(self) -> None:
        data = os.read(self._fd, _READ) if self._fd is not None else self._stream.read(_READ)
        if data:
            self._buf += data
        else:
            self._eof = True

    def ready(self) -> bool:
        """Whether the next line (or the end) can be had without waiting for input."""
        if self._eof or b"\n" in self._buf or len(self._buf) > self.max_bytes:
            return True
        if self._fd is None:
            return True
        readable, _, _ = select.select([self._fd], [], [], 0)
        return bool(readable)

    def _skip_rest(self, dropped: int) -> TooLong:
        """Drop input up to and including the next newline; `dropped` bytes are gone."""
        while True:
            newline = self._buf.find(b"\n")
            if newline >= 0:
                del self._buf[: newline + 1]
                return TooLong(dropped + newline)
            dropped += len(self._buf)
            self._buf.clear()
            if self._eof:
                return TooLong(dropped)
            self._fill()

    def __iter__(self) -> Iterator[bytes | TooLong]:
        while True:
            newline = self._buf.find(b"\n", 0, self.max_bytes + 1)
            if newline >= 0:
                line = bytes(self._buf[:newline])
                del self._buf[: newline + 1]
                yield line
            elif len(self._buf) > self.max_bytes:
                yield self._skip_rest(0)
            elif self._eof:
                if self._buf:  # a last line without its newline
                    line = bytes(self._buf)
                    self._buf.clear()
                    yield line
                return
            else:
                self._fill()


_STRUCTURE = re.compile(rb'[\[\]{}"\\]')


def nesting_depth(raw: bytes) -> int:
    """The deepest bracket nesting of a JSON text, outside strings, in one linear pass
    over the structural characters only (no backtracking)."""
    depth = deepest = 0
    in_string = False
    escaped_at = -1
    for match in _STRUCTURE.finditer(raw):
        at = match.start()
        char = raw[at]
        if in_string:
            if at == escaped_at:
                continue
            if char == 0x5C:  # backslash: the next byte is escaped
                escaped_at = at + 1
            elif char == 0x22:
                in_string = False
        elif char == 0x22:
            in_string = True
        elif char in b"[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in b"]}":
            depth -= 1
    return deepest


def _bounded_int(digits: str) -> int:
    count = len(digits.lstrip("-"))
    if count > MAX_INT_DIGITS:
        raise LineError(f"number too long ({count} digits, at most {MAX_INT_DIGITS})")
    return int(digits)


def _no_constant(name: str) -> Any:
    raise LineError(f"{name} is not JSON")


def decode_line(raw: bytes) -> Any:
    """One line's bytes -> its JSON value, or LineError (one line, no input echoed)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise LineError(f"not UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start})"
                        ) from None
    depth = nesting_depth(raw)
    if depth > MAX_DEPTH:
        raise LineError(f"JSON nested {depth} deep (at most {MAX_DEPTH})")
    try:
        return json.loads(text, parse_int=_bounded_int, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise LineError(f"invalid JSON: {exc.msg} at column {exc.colno}") from None
    except RecursionError:  # the depth scan should make this unreachable
        raise LineError("JSON nested too deep") from None
