"""sd_notify: READY, WATCHDOG and STOPPING messages to systemd.

The protocol is one datagram to $NOTIFY_SOCKET; a dozen lines here instead of a dependency
(the `sdnotify` package has seen no release since 2017 and does not read WATCHDOG_USEC).
Outside systemd every call is a no-op.
"""

from __future__ import annotations

import logging
import os
import socket

log = logging.getLogger(__name__)


class SystemdNotifier:
    def __init__(self, address: str | None = None, timeout_s: float = 1.0) -> None:
        """`timeout_s`: how long one message may wait for room in the socket. The kernel
        queues only a few datagrams (net.unix.max_dgram_qlen, 10 by default); if nobody
        reads them, a blocking send would stop the main loop for good."""
        self.address = address if address is not None else os.environ.get("NOTIFY_SOCKET")
        self._sock: socket.socket | None = None
        if self.address:
            self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
            self._sock.settimeout(timeout_s)

    def notify(self, message: str) -> bool:
        if self._sock is None or not self.address:
            return False
        # A leading "@" names a socket in the abstract namespace.
        target = "\0" + self.address[1:] if self.address.startswith("@") else self.address
        try:
            self._sock.sendto(message.encode(), target)
            return True
        except OSError as exc:  # TimeoutError too: nobody reads the socket
            log.warning("sd_notify to %s failed: %s", self.address, exc or type(exc).__name__)
            return False

    @staticmethod
    def watchdog_interval() -> float | None:
        """Half of WatchdogSec, in seconds, when systemd asks for pings for this process."""
        usec = os.environ.get("WATCHDOG_USEC")
        pid = os.environ.get("WATCHDOG_PID")
        if not usec or (pid and pid != str(os.getpid())):
            return None
        try:
            return max(0.5, int(usec) / 2e6)
        except ValueError:
            return None
