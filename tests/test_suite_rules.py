"""Rules the test suite keeps: nothing the tests need may be skipped when missing (a
missing broker, openssl or package is a failure, not a skip), and in CI any skip fails."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_no_test_skips_what_it_needs() -> None:
    guard = re.compile(r"\bpytest\.(importorskip|skip)\b|mark\.skip(if)?\b")
    found = [f"{path.name}:{number}: {line.strip()}"
             for path in sorted((ROOT / "tests").glob("*.py")) if path.name != Path(__file__).name
             for number, line in enumerate(path.read_text().splitlines(), start=1)
             if guard.search(line)]
    assert found == []


def test_a_skip_in_ci_is_a_failure(tmp_path: Path) -> None:
    test = tmp_path / "test_needs_a_tool.py"
    test.write_text("import pytest\n\n\ndef test_needs_it():\n"
                    "    pytest.skip('the tool is not installed')\n")
    command = [sys.executable, "-m", "pytest", "-q", "-p", "tests.conftest", str(test)]
    in_ci = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=120,
                           env={"PATH": "/usr/bin:/bin", "CI": "true"})
    assert in_ci.returncode == 1, in_ci.stdout
    assert "skipped in CI, where nothing may be missing" in in_ci.stdout
    at_home = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=120,
                             env={"PATH": "/usr/bin:/bin"})
    assert at_home.returncode == 0 and "1 skipped" in at_home.stdout
