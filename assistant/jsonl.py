"""JSON lines from an untrusted byte stream, read with limits.

`LineReader` yields one item per input line and never buffers more than one line's limit
plus one read: an over-long line is reported and skipped to its newline without being
kept. `decode_line` turns a line's bytes into a JSON value or a one-line `LineError`:
strict UTF-8, then `untrusted.load_json` (nesting depth checked before the parser
recurses, numbers of bounded length, no NaN).
"""

from __future__ import annotations

import io
import os
import select
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

from assistant.untrusted import JsonError, load_json

MAX_LINE_BYTES = 64 * 1024  # a request is a few short strings; 64 KiB is generous
MAX_DEPTH = 16  # a request is a flat object (depth 1)
MAX_NUMBER_CHARS = 32  # no request holds a number; this only bounds the parser's work
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


def decode_line(raw: bytes) -> Any:
    """One line's bytes -> its JSON value, or LineError (one line, no input echoed)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise LineError(f"not UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start})"
                        ) from None
    try:
        return load_json(text, max_depth=MAX_DEPTH, max_number_chars=MAX_NUMBER_CHARS)
    except JsonError as exc:
        raise LineError(str(exc)) from None
