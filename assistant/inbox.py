"""The daemon's inbox: one bounded queue per kind of event, taken in priority order.

One shared queue let a flood of typed commands push out spoken commands and confirmation
replies. Here each kind has its own bound, so a flood of one kind only ever drops events
of that kind (the oldest first, as frigate drops frames), and the main loop takes control
events first, then confirmation replies, then speech, then typed commands. Drops are
counted per kind and logged once per burst, not once per event.
"""

from __future__ import annotations

import collections
import logging
import threading
import time
from collections.abc import Mapping

from assistant.untrusted import BurstLog

log = logging.getLogger(__name__)

# Kind -> capacity, in the order the main loop takes them.
DEFAULT_CAPACITIES: Mapping[str, int] = {
    "control": 64,  # stop requests
    "confirm": 16,  # replies to confirmation requests (MQTT)
    "voice": 32,  # recognised utterances, and the end of each audio source after them
    "typed": 16,  # typed commands (MQTT)
}


class Inbox:
    """Thread-safe: any thread puts, the main loop gets."""

    def __init__(self, capacities: Mapping[str, int] = DEFAULT_CAPACITIES) -> None:
        if not capacities or min(capacities.values()) < 1:
            raise ValueError("every kind needs a capacity of at least 1")
        self._queues: dict[str, collections.deque[object]] = {
            kind: collections.deque() for kind in capacities}
        self._capacity = dict(capacities)
        self._dropped = dict.fromkeys(capacities, 0)
        self._received = dict.fromkeys(capacities, 0)
        self._burst_logs = {kind: BurstLog(log) for kind in capacities}
        self._cond = threading.Condition()

    def put(self, kind: str, item: object) -> bool:
        """Queue `item`; False if that kind's queue was full and its oldest event was dropped."""
        with self._cond:
            queue = self._queues[kind]
            queue.append(item)
            self._received[kind] += 1
            full = len(queue) > self._capacity[kind]
            if full:
                queue.popleft()
                self._dropped[kind] += 1
                dropped = self._dropped[kind]
            self._cond.notify()
        if full:
            self._burst_logs[kind](logging.WARNING, "inbox: %s events come faster than they are "
                                   "handled: dropped the oldest (%d so far)", kind, dropped)
        return not full

    def get(self, timeout: float) -> tuple[str, object] | None:
        """The next event by priority, or None after `timeout` seconds without one."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for kind, queue in self._queues.items():
                    if queue:
                        return kind, queue.popleft()
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self._cond.wait(left)

    def dropped(self) -> dict[str, int]:
        """Events dropped so far, per kind."""
        with self._cond:
            return dict(self._dropped)

    def received(self) -> dict[str, int]:
        """Events put so far (kept or dropped), per kind."""
        with self._cond:
            return dict(self._received)

    def __len__(self) -> int:
        with self._cond:
            return sum(len(q) for q in self._queues.values())
