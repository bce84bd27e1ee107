#!/usr/bin/env bash
# Install what benchcrawl needs on a Debian 12 machine (as root): Debian packages when
# missing, then the project and its test tools with pip. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v redis-server >/dev/null || missing+=(redis-server)
command -v chromium >/dev/null || missing+=(chromium)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx)
# the monitor's metrics test scrapes a worker with a real Prometheus server
command -v prometheus >/dev/null || missing+=(prometheus)
# two real manuals the broad-crawl tests and bench/broad_manuals.py serve with nginx
[ -d /usr/share/doc/python3.11/html ] || missing+=(python3.11-doc)
[ -d /usr/share/doc/postgresql-doc-15/html ] || missing+=(postgresql-doc-15)
if [ ${#missing[@]} -gt 0 ]; then
    echo "install: apt-get install ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

PYTHON=${PYTHON:-python3}
"$PYTHON" -m pip install -q --disable-pip-version-check -e ".[test]" 2>&1 \
    | grep -v -e "^WARNING: Running pip as the 'root' user" -e "^WARNING: Location" || true
"$PYTHON" -c "import benchcrawl, scrapy, scrapy_playwright, redis, pandas" \
    || { echo "install: the Python packages did not install" >&2; exit 1; }
