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
