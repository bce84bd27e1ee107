#!/usr/bin/env bash
# Install what benchcrawl needs on a Debian 12 machine (as root): Debian packages when
# missing, then the project and its test tools, at the versions in requirements/lock.txt,
# into a virtual environment: the active one if there is one, else .venv in the repository
# (made here from python3, or from $PYTHON; Debian's python3-venv is installed when the
# venv module is missing). The system Python is never installed into. Safe to run again.
# Afterwards: `. .venv/bin/activate`, or call .venv/bin/scrapy directly.
set -euo pipefail
cd "$(dirname "$0")/.."
LOCK=requirements/lock.txt

missing=()
command -v redis-server >/dev/null || missing+=(redis-server)
command -v chromium >/dev/null || missing+=(chromium)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx)
# the monitor's metrics test scrapes a worker with a real Prometheus server
command -v prometheus >/dev/null || missing+=(prometheus)
# two real manuals the broad-crawl tests and bench/broad_manuals.py serve with nginx
[ -d /usr/share/doc/python3.11/html ] || missing+=(python3.11-doc)
[ -d /usr/share/doc/postgresql-doc-15/html ] || missing+=(postgresql-doc-15)
apt_install() {
    echo "install: apt-get install $*"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}
[ ${#missing[@]} -eq 0 ] || apt_install "${missing[@]}"

BASE_PYTHON=${PYTHON:-python3}
. ops/venv.sh          # VENV: the active venv, else ./.venv; PYTHON: its python
if [ ! -x "$PYTHON" ] || ! "$PYTHON" -c "import sys" 2>/dev/null; then
    command -v "$BASE_PYTHON" >/dev/null \
        || { echo "install: no $BASE_PYTHON to make a virtual environment with; install Python 3.11 (apt-get install python3)." >&2; exit 1; }
    echo "install: making a virtual environment in $VENV with $("$BASE_PYTHON" -c 'import sys; print(sys.executable, sys.version.split()[0])')"
    if ! "$BASE_PYTHON" -m venv --clear "$VENV" >/dev/null 2>&1; then
        # Debian ships the venv module (and ensurepip) in a package of its own
        [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null \
            || { echo "install: $BASE_PYTHON cannot make a virtual environment; install python3-venv (apt-get install python3-venv) and run again." >&2; exit 1; }
        apt_install python3-venv
        "$BASE_PYTHON" -m venv --clear "$VENV" \
            || { echo "install: $BASE_PYTHON -m venv $VENV failed even with python3-venv installed (see above)." >&2; exit 1; }
    fi
fi

pip_install() {
    local out rc=0
    out=$("$PYTHON" -m pip install -q --disable-pip-version-check -c "$LOCK" "$@" 2>&1) || rc=$?
    printf '%s\n' "$out" | grep -v -e '^$' -e "^WARNING: Running pip as the 'root' user" \
        -e "^WARNING: Location" >&2 || true
    [ "$rc" = 0 ] || { echo "install: pip install $* into $VENV failed (pip's output is above)." >&2; exit 1; }
}
# the build backend first, at its locked version, then the project without build isolation
# so that it is built with that setuptools (pip's -c does not reach an isolated build)
pip_install setuptools wheel
pip_install --no-build-isolation -e ".[test]"
"$PYTHON" -c "import benchcrawl, scrapy, scrapy_playwright, redis, pandas, pytest" \
    || { echo "install: the Python packages did not install into $VENV (pip's output is above)." >&2; exit 1; }
echo "install: benchcrawl is installed in $VENV (use it: . $VENV/bin/activate, or $VENV/bin/scrapy)"
