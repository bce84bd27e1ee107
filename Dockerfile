# benchcrawl's image: a worker (`scrapy crawl`), the scheduler, scrapyd and the monitor.
#
#   docker build -t benchcrawl .                                  # official image, pip from PyPI
#   docker build --network host --build-arg BASE_IMAGE=benchcrawl-base:bookworm \
#       --build-arg PIP_NO_INDEX=1 -t benchcrawl .                # a local base + wheels/ (ops/compose-check.sh)
#
# BASE_IMAGE is any Debian bookworm with python3 3.11 and its venv module: the official
# python:3.11-slim-bookworm, or one made with debootstrap and `docker import`. The Python
# packages go into a venv (/opt/venv), so /usr/local's Python and Debian's both work, at the
# versions in requirements/lock.txt (the ones the tests ran with).
ARG BASE_IMAGE=python:3.11-slim-bookworm

# --- build: the project and its dependencies into /opt/venv ------------------------------
FROM ${BASE_IMAGE} AS build
# 1: install only from the wheelhouse in wheels/ (no index); empty: pip's index, and
# wheels/ (which may be empty) as an extra source
ARG PIP_NO_INDEX=
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
RUN python3 -m venv /opt/venv
COPY requirements/lock.txt /lock.txt
COPY wheels/ /wheels/
# the wheelhouse first, in a layer of its own: a change to the project's code reuses it
RUN set -eu; \
    if [ -n "$PIP_NO_INDEX" ]; then index=--no-index; else index=; fi; \
    if ls /wheels/*.whl >/dev/null 2>&1; then \
        /opt/venv/bin/pip install -q $index -c /lock.txt --find-links /wheels /wheels/*.whl; \
    fi
COPY pyproject.toml setup.py scrapy.cfg /src/
COPY benchcrawl/ /src/benchcrawl/
RUN set -eu; \
    if [ -n "$PIP_NO_INDEX" ]; then index=--no-index; else index=; fi; \
    /opt/venv/bin/pip install -q $index -c /lock.txt --find-links /wheels /src scrapyd \
    && /opt/venv/bin/python -c "import benchcrawl, scrapy, scrapy_playwright, scrapyd, pkg_resources" \
    && /opt/venv/bin/pip uninstall -y -q pip \
    && find /opt/venv -name __pycache__ -prune -exec rm -rf {} +

# --- final: the venv, Chromium (libatomic1: Playwright's node driver), no build tools -------------------------------------
FROM ${BASE_IMAGE}
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium libatomic1 \
    && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/cache/apt/archives/*.deb /usr/share/doc/* /usr/share/man/*
COPY --from=build /opt/venv /opt/venv
COPY ops/docker/entrypoint.sh /usr/local/bin/benchcrawl-entrypoint
COPY ops/docker/scrapyd.conf /etc/scrapyd/scrapyd.conf
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    SCRAPY_SETTINGS_MODULE=benchcrawl.settings \
    BENCHCRAWL_CHROMIUM=/usr/bin/chromium \
    DATA_DIR=/data
WORKDIR /srv/benchcrawl
VOLUME ["/data"]
ENTRYPOINT ["benchcrawl-entrypoint"]
CMD ["scrapy", "crawl", "inferencemax"]
