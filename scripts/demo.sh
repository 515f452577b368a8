#!/usr/bin/env bash
# The README's main command: the whole pipeline on the bundled samples.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
exec .venv/bin/assistant --config devices.yaml demo "$@"
