#!/usr/bin/env bash
# The test command of the README: lint, types, then the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
.venv/bin/ruff check .
.venv/bin/mypy -p assistant -p export -p bench
.venv/bin/python -m pytest "$@"
