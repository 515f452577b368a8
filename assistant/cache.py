"""Where the runtime keeps what it derives and can rebuild (language models, model parts)."""

from __future__ import annotations

import os
from pathlib import Path

CACHE_ENV = "CACHE_DIRECTORY"


def cache_root() -> Path:
    """$CACHE_DIRECTORY, else $XDG_CACHE_HOME/milm-assistant, else ~/.cache/milm-assistant."""
    systemd = os.environ.get(CACHE_ENV)
    if systemd:
        # systemd may pass several directories separated by ":"; the first is ours.
        return Path(systemd.split(":", 1)[0])
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "milm-assistant"
