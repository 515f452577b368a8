"""Shared fixtures: the project's own devices.yaml and paths."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.config import HomeConfig, load_config

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def home() -> HomeConfig:
    return load_config(ROOT / "devices.yaml")
