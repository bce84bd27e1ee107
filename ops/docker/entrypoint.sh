#!/bin/sh
# The image's entrypoint: gives the node its id, then runs the command (a worker's
# `scrapy crawl inferencemax` unless told otherwise).
#
# RESOURCES_NODE_ID (the node's name on the resource board and in the metrics) defaults
# to host:pid, and inside a container that is the same "hostname:1" for every replica on
# host networking. So, unless it is set: the container's hostname, which on a compose
# network is the container id; on host networking (hostname = the host's) the short
# container id is appended, read from the bind mount of /etc/hostname.
set -eu
if [ -z "${RESOURCES_NODE_ID:-}" ]; then
    node=$(hostname)
    id=$(sed -n 's|.*/containers/\([0-9a-f]\{12\}\)[0-9a-f]*/hostname .*|\1|p' /proc/self/mountinfo | head -n 1)
    if [ -n "$id" ] && [ "$node" != "$id" ]; then
        node="$node-$id"
    fi
    export RESOURCES_NODE_ID="$node"
fi
exec "$@"
