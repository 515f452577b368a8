"""Paths as the committed results show them."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def shown_path(path: Path | str) -> str:
    """`path` relative to the repository when it is inside it (results are committed, and
    a checkout's own location means nothing to a reader)."""
    resolved = Path(path).resolve()
    return str(resolved.relative_to(REPO)) if resolved.is_relative_to(REPO) else str(path)
