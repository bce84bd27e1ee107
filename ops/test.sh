#!/usr/bin/env bash
# Install everything (ops/install.sh: into .venv, or the active virtual environment), then,
# with that venv's python, lint, type-check, fuzz every parser of untrusted input for a
# bounded time (ops/fuzz.sh, about 30 s each), and run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash ops/install.sh
. ops/venv.sh          # PYTHON: the venv's python; its bin/ first on PATH for the tests
"$PYTHON" -m ruff check benchcrawl tests bench
"$PYTHON" -m mypy benchcrawl
bash ops/fuzz.sh "${FUZZ_SECONDS:-30}"
"$PYTHON" -m pytest -p no:cacheprovider -rs "$@"
