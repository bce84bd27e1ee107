#!/usr/bin/env bash
# Replace docker-compose's serving workers one at a time with the service's current image,
# keeping their number up the whole time: for each old worker container, start one new
# worker, wait until it serves, then stop the old one (SIGTERM: it hands back its leases
# and exits 0) and remove it. A sweep running meanwhile loses nothing and never runs short
# of workers.
#
#   docker-compose build && bash ops/roll-workers.sh                 # next to docker-compose.yml
#   bash ops/roll-workers.sh -p NAME --env-file FILE -f docker-compose.yml -f docker-compose.host.yml
#
# Arguments are docker-compose's own options (project, env file, compose files), given to
# every docker-compose call. `docker-compose up -d --no-deps worker` replaces the workers
# too, but Compose 1.29 recreates all of a service's containers at once.
# Exit code 1, with one sentence on stderr, when a new worker does not serve within
# ROLL_SERVE_TIMEOUT seconds (180); the old workers it would have replaced keep running.
set -euo pipefail
cd "$(dirname "$0")/.."

timeout_s=${ROLL_SERVE_TIMEOUT:-180}
fail() { echo "roll-workers: $*" >&2; exit 1; }
compose() { docker-compose "$@"; }
opts=("$@")
ids() { compose "${opts[@]}" ps -q worker | sort; }

old=$(ids)
n=$(echo "$old" | grep -c . || true)
[ "$n" -gt 0 ] || fail "no worker container to replace; start them with docker-compose up -d --scale worker=N."
i=0
for c in $old; do
    i=$((i + 1))
    before=$(ids)
    compose "${opts[@]}" up -d --no-deps --no-recreate --scale worker=$((n + 1)) worker >/dev/null 2>&1 \
        || fail "docker-compose could not start a new worker (replacing $i of $n)."
    new=$(comm -13 <(echo "$before") <(ids) | head -1)
    [ -n "$new" ] || fail "docker-compose started no new worker container (replacing $i of $n)."
    deadline=$((SECONDS + timeout_s))
    until docker logs "$new" 2>&1 | grep -q 'serving: waiting for work'; do
        [ "$(docker inspect -f '{{.State.Running}}' "$new")" = true ] \
            || fail "the new worker ${new:0:12} stopped before it served (docker logs ${new:0:12})."
        [ $SECONDS -lt "$deadline" ] \
            || fail "the new worker ${new:0:12} did not serve within ${timeout_s} s; ${c:0:12} and the other old workers keep running."
        sleep 1
    done
    docker stop -t 10 "$c" >/dev/null
    docker rm "$c" >/dev/null
    echo "roll-workers: $i of $n: ${c:0:12} replaced by ${new:0:12}"
done
