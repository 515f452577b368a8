"""Checks for input from the network, a file or a user: nothing here can raise past its caller.

- `load_json`: `json.loads` raises more than `JSONDecodeError` on hostile input:
  `RecursionError` for deep nesting (about 1,000 levels), `ValueError` for integers over
  4,300 digits (Python 3.11's conversion limit). Here the nesting depth is checked by a
  linear scan before parsing, numbers are bounded by parse hooks, NaN and Infinity are
  refused, and every failure is a `JsonError` with a one-line reason.
- `text_problem`: text must encode to UTF-8 (JSON's `"\\ud800"` decodes to a lone
  surrogate that later breaks a tokenizer or a log handler) and hold no control
  characters besides tab and line breaks.
- `TokenBucket`: a rate limit; `BurstLog`: one log line per burst of similar events
  rather than one per event, so a flood cannot flood the journal too.
"""

from __future__ import annotations

import json
import logging
import math
import threading
import time
import unicodedata
from collections.abc import Callable
from typing import Any


class JsonError(ValueError):
    """The text is not JSON within the limits; the message is one line."""


_OPEN = frozenset("[{")
_CLOSE = frozenset("]}")


def nesting_depth(text: str, stop_above: int | None = None) -> int:
    """The deepest nesting of arrays and objects in JSON `text` (brackets inside strings do
    not count); the scan stops as soon as the depth passes `stop_above`."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in _OPEN:
            depth += 1
            if depth > deepest:
                deepest = depth
                if stop_above is not None and deepest > stop_above:
                    break
        elif char in _CLOSE:
            depth -= 1
    return deepest


def load_json(text: str, *, max_depth: int = 8, max_number_chars: int = 32) -> Any:
    """Parse JSON that came from outside; JsonError (one line) on anything not acceptable."""
    depth = nesting_depth(text, stop_above=max_depth)
    if depth > max_depth:
        raise JsonError(f"JSON nested deeper than {max_depth} levels")

    def number(kind: Callable[[str], int | float]) -> Callable[[str], int | float]:
        def parse(literal: str) -> int | float:
            if len(literal) > max_number_chars:
                raise JsonError(f"a number longer than {max_number_chars} characters")
            value = kind(literal)
            if isinstance(value, float) and not math.isfinite(value):
                raise JsonError(f"a number out of range ({literal[:20]})")
            return value
        return parse

    def constant(name: str) -> None:
        raise JsonError(f"{name} is not a JSON number")

    try:
        return json.loads(text, parse_int=number(int), parse_float=number(float),
                          parse_constant=constant)
    except JsonError:
        raise
    except json.JSONDecodeError as exc:
        raise JsonError(f"invalid JSON: {exc.msg} at character {exc.pos}") from None
    except (ValueError, RecursionError, TypeError, MemoryError) as exc:
        # Not expected after the checks above; kept so that nothing escapes.
        raise JsonError(f"invalid JSON: {type(exc).__name__}") from None


_ALLOWED_CONTROLS = frozenset("\t\n\r")


def text_problem(text: str) -> str | None:
    """Why `text` is not acceptable text (None if it is): it must encode to UTF-8 (no lone
    surrogates) and carry no control characters other than tab, CR and LF."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        return f"an unpaired surrogate U+{ord(text[exc.start]):04X} at {exc.start} (not Unicode)"
    for index, char in enumerate(text):
        if char not in _ALLOWED_CONTROLS and unicodedata.category(char) == "Cc":
            return f"a control character U+{ord(char):04X} at {index}"
    return None


def shorten(text: str, limit: int = 80) -> str:
    """`text` cut to `limit` characters for a log line, with its repr escaping."""
    shown = text if len(text) <= limit else f"{text[:limit]}..."
    return repr(shown)


class TokenBucket:
    """`rate` events per second on average, bursts of up to `burst`. Thread-safe."""

    def __init__(self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic
                 ) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError(f"token bucket needs rate > 0 and burst >= 1, got {rate}, {burst}")
        self.rate = rate
        self.burst = burst
        self._clock = clock
        self._tokens = float(burst)
        self._last = clock()
        self._lock = threading.Lock()

    def take(self) -> bool:
        """True if an event may pass now (and count it), False if over the limit."""
        with self._lock:
            now = self._clock()
            self._tokens = min(self.burst, self._tokens + (now - self._last) * self.rate)
            self._last = now
            if self._tokens >= 1.0:
                self._tokens -= 1.0
                return True
            return False


class BurstLog:
    """Log the first event of a burst, then at most one line per `interval_s`, which says
    how many were not logged since the last line. Thread-safe."""

    def __init__(self, logger: logging.Logger, interval_s: float = 10.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.logger = logger
        self.interval_s = interval_s
        self._clock = clock
        self._last: float | None = None
        self._suppressed = 0
        self._lock = threading.Lock()

    def __call__(self, level: int, msg: str, *args: object) -> bool:
        """Log (or count) one event; True if a line was written."""
        with self._lock:
            now = self._clock()
            if self._last is not None and now - self._last < self.interval_s:
                self._suppressed += 1
                return False
            suppressed, self._suppressed, self._last = self._suppressed, 0, now
        if suppressed:
            self.logger.log(level, msg + " (and %d more since the previous such line)",
                            *args, suppressed)
        else:
            self.logger.log(level, msg, *args)
        return True
