#!/usr/bin/env bash
# Fuzz every parser of untrusted input with atheris (tests/fuzz/fuzz_*.py), SECONDS each
# (default 30), two harnesses at a time. An exception other than the parser's documented
# error, or an input slower than FUZZ_INPUT_LIMIT_MS (200 ms, twice), fails the run; the
# input is kept in the work folder printed at the end (FUZZ_WORK, default a new temp dir).
# Each harness starts from its seed corpus in tests/fuzz/corpus/ (copied: the repo is not
# written). Usage: bash ops/fuzz.sh [SECONDS]     e.g. bash ops/fuzz.sh 3600 for an hour each
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${1:-30}
. ops/venv.sh          # PYTHON: the venv's python (ops/install.sh puts atheris there)
[ -x "$PYTHON" ] || { echo "fuzz: no virtual environment at $VENV; run bash ops/install.sh first." >&2; exit 1; }
JOBS=${FUZZ_JOBS:-2}
WORK=${FUZZ_WORK:-$(mktemp -d /tmp/benchcrawl-fuzz.XXXXXX)}
mkdir -p "$WORK"
harnesses=(links robots records codec seeds config layout)

run_one() {
    local name=$1
    mkdir -p "$WORK/corpus/$name"
    cp -r "tests/fuzz/corpus/$name/." "$WORK/corpus/$name/"
    # -timeout: libFuzzer's own hang limit (seconds), for an input that never returns
    # PyYAML is pure Python (about 20 us a character): config inputs stay short enough
    # for the per-input limit, longer ones are bounded by config.MAX_BYTES instead
    local max_len=16384
    [ "$name" != config ] || max_len=4096
    "$PYTHON" "tests/fuzz/fuzz_$name.py" -max_total_time="$SECONDS_EACH" -max_len="$max_len" \
        -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$WORK/$name-" "$WORK/corpus/$name" >"$WORK/$name.log" 2>&1
}

start=$(date +%s)
failed=()
for ((i = 0; i < ${#harnesses[@]}; i += JOBS)); do
    pids=()
    batch=("${harnesses[@]:i:JOBS}")
    for name in "${batch[@]}"; do
        run_one "$name" &
        pids+=($!)
    done
    for j in "${!pids[@]}"; do
        name=${batch[$j]}
        if wait "${pids[$j]}"; then
            runs=$(grep -o 'Done [0-9]* runs' "$WORK/$name.log" | tail -1 || true)
            echo "fuzz: $name clean (${runs:-?} in ${SECONDS_EACH} s)"
        else
            failed+=("$name")
            echo "fuzz: $name FOUND A PROBLEM; its log ends:" >&2
            grep -v -e '^"' -e 'Uses:' -e '^#[0-9]' "$WORK/$name.log" | tail -30 >&2
        fi
    done
done
elapsed=$(($(date +%s) - start))
if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzz: ${#failed[@]} of ${#harnesses[@]} harnesses found a problem (${failed[*]}) in ${elapsed} s;" \
        "inputs and logs in $WORK (replay: $PYTHON tests/fuzz/fuzz_NAME.py $WORK/NAME-crash-...)" >&2
    exit 1
fi
echo "fuzz: all ${#harnesses[@]} harnesses clean, ${SECONDS_EACH} s each, ${elapsed} s in all"
[ -n "${FUZZ_WORK:-}" ] || rm -rf "$WORK"
