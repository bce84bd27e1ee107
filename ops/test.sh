#!/usr/bin/env bash
# Install everything, then lint, type-check, fuzz every parser of untrusted input for a
# bounded time (ops/fuzz.sh, about 30 s each), and run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash ops/install.sh
PYTHON=${PYTHON:-python3}
"$PYTHON" -m ruff check benchcrawl tests bench
"$PYTHON" -m mypy benchcrawl
bash ops/fuzz.sh "${FUZZ_SECONDS:-30}"
"$PYTHON" -m pytest -p no:cacheprovider -rs "$@"
