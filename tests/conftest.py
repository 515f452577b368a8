"""Shared fixtures: the project's own devices.yaml and paths. In CI (CI set in the
environment) a skipped test is a failure: CI installs everything the tests need, so a
skip there would only hide a missing install step."""

from __future__ import annotations

import os
from collections.abc import Generator
from pathlib import Path

import pytest

from assistant.config import HomeConfig, load_config

ROOT = Path(__file__).resolve().parent.parent
# The home's speech language model is built on first use and cached (assistant.speech_lm):
# tests share one cache under .pytest_cache (git-ignored) instead of the user's ~/.cache,
# so a run builds each home's model once and later runs find it.
os.environ.setdefault("CACHE_DIRECTORY", str(ROOT / ".pytest_cache" / "milm-assistant"))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]
                              ) -> Generator[None, pytest.TestReport, None]:
    outcome = yield
    report: pytest.TestReport = outcome.get_result()  # type: ignore[attr-defined]
    if os.environ.get("CI") and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"skipped in CI, where nothing may be missing: {reason}"


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
