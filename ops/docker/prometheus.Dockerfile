# A Prometheus image for machines that cannot pull prom/prometheus: Debian's package on the
# same base as benchcrawl's image (docker-compose build --build-arg BASE_IMAGE=...).
ARG BASE_IMAGE=debian:bookworm-slim
FROM ${BASE_IMAGE}
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends prometheus \
    && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/cache/apt/archives/*.deb /usr/share/doc/* /usr/share/man/*
ENTRYPOINT []
