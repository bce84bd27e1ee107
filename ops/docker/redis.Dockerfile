# A Redis image for machines that cannot pull redis:7.2-bookworm: Debian's redis-server on
# the same base as benchcrawl's image (ops/compose-check.sh builds it as benchcrawl-redis).
ARG BASE_IMAGE=debian:bookworm-slim
FROM ${BASE_IMAGE}
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends redis-server \
    && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/cache/apt/archives/*.deb /usr/share/doc/* /usr/share/man/*
CMD ["redis-server", "--appendonly", "yes", "--dir", "/data"]
