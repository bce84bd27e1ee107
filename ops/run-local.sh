#!/usr/bin/env bash
# Run the main job on this machine with nothing else running: install, serve the project's
# replica of the InferenceMAX dashboard on localhost, sweep it, draw its charts, print where
# latest/ is. Everything runs from the virtual environment ops/install.sh installs into
# (.venv in the repository unless one is active).
#   bash ops/run-local.sh [DATA_DIR]      (default: ./data)
set -euo pipefail
cd "$(dirname "$0")/.."
bash ops/install.sh
. ops/venv.sh          # PYTHON: the venv's python
DATA_DIR=$(realpath -m "${1:-data}")
PORT=$("$PYTHON" -c "import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")

"$PYTHON" -m benchcrawl.replica --generation "${GENERATION:-inferencemax}" --port "$PORT" --latency 0.2 > /tmp/benchcrawl-replica.$$.log 2>&1 &
REPLICA=$!
trap 'kill $REPLICA 2>/dev/null || true' EXIT
for _ in $(seq 50); do
    grep -q "replica serving" /tmp/benchcrawl-replica.$$.log 2>/dev/null && break
    sleep 0.1
done
head -1 /tmp/benchcrawl-replica.$$.log

"$PYTHON" -m scrapy crawl inferencemax -a base_url="http://127.0.0.1:$PORT/" -s DATA_DIR="$DATA_DIR"
echo "latest: $DATA_DIR/latest -> $(readlink "$DATA_DIR/latest")"
table=merged.csv
[ -f "$DATA_DIR/latest/results.csv" ] && table=results.csv   # InferenceX (GENERATION=inferencex)
echo "table: $DATA_DIR/latest/$table ($(($(wc -l < "$DATA_DIR/latest/$table") - 1)) rows)"
"$PYTHON" -m scrapy versions charts latest -s DATA_DIR="$DATA_DIR"
echo "charts: $DATA_DIR/latest/charts/index.html"
