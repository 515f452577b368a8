"""Shared fixtures: the project's own devices.yaml and paths."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from assistant.config import HomeConfig, load_config

ROOT = Path(__file__).resolve().parent.parent
# The home's speech language model is built on first use and cached (assistant.speech_lm):
# tests share one cache under .pytest_cache (git-ignored) instead of the user's ~/.cache,
# so a run builds each home's model once and later runs find it.
os.environ.setdefault("CACHE_DIRECTORY", str(ROOT / ".pytest_cache" / "milm-assistant"))


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def home() -> HomeConfig:
    return load_config(ROOT / "devices.yaml")


@pytest.fixture(scope="session")
def reference_lm(home: HomeConfig) -> object:
    """The reference home's speech language model, built once per test run (about 20 s
    on two cores) before a test starts a daemon that needs it, so that the daemon's start
    finds it in the cache (conftest's CACHE_DIRECTORY) rather than building it first."""
    from assistant.speech_lm import home_language_model

    return home_language_model(home)
