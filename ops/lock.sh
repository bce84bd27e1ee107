#!/usr/bin/env bash
# Update requirements/lock.txt on purpose: resolve the ranges in pyproject.toml (the
# runtime dependencies, the test extra, and the build backend) afresh in a new virtual
# environment, newest versions that fit, and write every resolved version to the lock.
#   bash ops/lock.sh [PYTHON ...]
# The first Python decides the versions (default: python3 on PATH). Each further Python
# (default: Debian's /usr/bin/python3 when it is another interpreter) then installs the
# same pins in a venv of its own, which checks that they work there too, and adds what only
# it needs (redis asks for async-timeout below Python 3.11.3). A constraint for a package
# nothing asks for is ignored by pip, so one file serves every Python.
# LOCK_PREFER=FILE: a `pip freeze` whose versions to keep where they fit (for example the
# versions a machine already ran the tests with). Afterwards: bash ops/test.sh, and commit
# the lock with the result (docs/install.md).
set -euo pipefail
cd "$(dirname "$0")/.."
LOCK=requirements/lock.txt
# the build backend (pyproject.toml's build-system) and wheel, for the Docker image's offline
# build; below 81, which drops pkg_resources (scrapyd imports it)
BUILD=("setuptools>=68,<81" "wheel")

pythons=("$@")
if [ ${#pythons[@]} -eq 0 ]; then
    pythons=(python3)
    if [ -x /usr/bin/python3 ] \
        && [ "$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null | xargs -r realpath)" \
            != "$(realpath /usr/bin/python3)" ]; then
        pythons+=(/usr/bin/python3)
    fi
fi
WORK=$(mktemp -d /tmp/benchcrawl-lock.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
quiet() { grep -v -e "^WARNING: Location" -e "^WARNING: Running pip as the 'root' user" || true; }

resolve() {   # resolve VENV PYTHON [pip install options...]: a fresh venv with everything in it
    local venv=$1 python=$2
    shift 2
    "$python" -m venv "$venv" \
        || { echo "lock: $python could not make a virtual environment (apt-get install python3-venv)." >&2; exit 1; }
    "$venv/bin/python" -m pip install -q --disable-pip-version-check "$@" "${BUILD[@]}" 2>&1 | quiet
    "$venv/bin/python" -m pip install -q --disable-pip-version-check --no-build-isolation \
        "$@" -e ".[test]" 2>&1 | quiet
    "$venv/bin/python" -c "import benchcrawl, scrapy, pytest, schemathesis" \
        || { echo "lock: the project did not install with $python (see pip's output above)." >&2; exit 1; }
}
freeze() { "$1/bin/python" -m pip freeze --all --exclude-editable | grep -v -e '^pip==' | LC_ALL=C sort; }

prefer=()
[ -z "${LOCK_PREFER:-}" ] || prefer=(-c "$LOCK_PREFER")
echo "lock: resolving with ${pythons[0]} ($("${pythons[0]}" -c 'import platform; print(platform.python_version())'))"
resolve "$WORK/venv0" "${pythons[0]}" "${prefer[@]}"
freeze "$WORK/venv0" >"$WORK/pins"
: >"$WORK/extra"
versions=$("${pythons[0]}" -c 'import platform; print(platform.python_version())')
for ((i = 1; i < ${#pythons[@]}; i++)); do
    py=${pythons[$i]}
    echo "lock: installing the same pins with $py ($("$py" -c 'import platform; print(platform.python_version())'))"
    versions="$versions, $("$py" -c 'import platform; print(platform.python_version())')"
    resolve "$WORK/venv$i" "$py" -c "$WORK/pins"
    freeze "$WORK/venv$i" | LC_ALL=C comm -13 "$WORK/pins" - >>"$WORK/extra"
done

{
    echo "# The versions benchcrawl is tested with: every package that \`pip install -e \".[test]\"\`"
    echo "# installs, and the build backend. Written by ops/lock.sh on $(date -u +%F) (Python $versions)."
    echo "# Every install uses it as constraints: pip install -c $LOCK -e \".[test]\""
    echo "# (ops/install.sh, the Dockerfile, ops/compose-check.sh's wheelhouse, CI)."
    echo "# pyproject.toml keeps the ranges for people who use benchcrawl as a library."
    echo "# To update it on purpose: bash ops/lock.sh, then the tests; see docs/install.md."
    cat "$WORK/pins"
    if [ -s "$WORK/extra" ]; then
        echo "# needed only on some of the Pythons above (pip ignores a constraint nothing asks for)"
        LC_ALL=C sort -u "$WORK/extra"
    fi
} >"$LOCK.new"
mv "$LOCK.new" "$LOCK"
echo "lock: wrote $LOCK ($(grep -vc '^#' "$LOCK") packages)"
