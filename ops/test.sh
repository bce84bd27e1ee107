#!/usr/bin/env bash
# Install everything, then lint, type-check and run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash ops/install.sh
PYTHON=${PYTHON:-python3}
"$PYTHON" -m ruff check benchcrawl tests bench
"$PYTHON" -m mypy benchcrawl
"$PYTHON" -m pytest -p no:cacheprovider -rs "$@"
