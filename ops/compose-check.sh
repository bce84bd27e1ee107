#!/usr/bin/env bash
# docker-compose, for real, on this machine: build the image, bring up Redis and 3 serving
# workers (restart: unless-stopped) with host networking against the project's replica on
# loopback, and have the scheduler open sweeps (`scrapy schedule --once` in a one-off
# scheduler container): two sweeps, each one version, taken by all 3 workers, which stay
# up; a sweep during which one worker process is killed (its container restarts); and a
# rolling upgrade twice (a rebuilt image, then during a sweep `docker-compose up -d
# --no-deps worker`, which replaces them all at once, and ops/roll-workers.sh, one at a
# time). Every sweep must give the same table. Then bring it all down.
#   bash ops/compose-check.sh          (as root; .ci/run runs it)
#
# No registry is reachable here, so the base image is Debian bookworm from debootstrap
# (docker import, cached as benchcrawl-base:bookworm) and the Python packages come from a
# wheelhouse built with the host's pip at the versions of requirements/lock.txt (wheels/,
# cached until pyproject.toml or the lock changes).
# dockerd runs with --bridge=none --iptables=false and every container on the host's
# network: no container ever gets a private-range address. Each phase prints its time;
# any failure is one sentence on stderr and exit code 1.
# COMPOSE_CHECK_REDIS=cluster runs the same on a Redis Cluster of six nodes instead
# (docker-compose.cluster.yml and docker-compose.cluster-host.yml); COMPOSE_CHECK_FAULTS=0
# leaves out the restart and the upgrade (.ci/run does on the cluster: they test compose,
# not Redis).
set -euo pipefail
cd "$(dirname "$0")/.."

WORKERS=${COMPOSE_CHECK_WORKERS:-3}
BASE_IMAGE=${COMPOSE_CHECK_BASE:-benchcrawl-base:bookworm}
REDIS_IMAGE=benchcrawl-redis:bookworm
IMAGE=benchcrawl:check
PROJECT=benchcrawlcheck
SWEEP_TIMEOUT=${COMPOSE_CHECK_SWEEP_TIMEOUT:-300}
PYTHON=${PYTHON:-python3}
DOCKER=/usr/bin/docker            # Debian's 20.10 client: its legacy builder, its daemon's API
export DOCKER_BUILDKIT=0 COMPOSE_DOCKER_CLI_BUILD=0

TMP=$(mktemp -d /tmp/benchcrawl-compose.XXXXXX)
STARTED_DOCKERD=
REPLICA=
PHASE=start
PHASE_T0=$(date +%s.%N)
T0=$PHASE_T0
FAILED=

say() { echo "compose-check: $*"; }
fail() { FAILED=1; echo "compose-check: FAILED: $*" >&2; exit 1; }
phase() {
    local now; now=$(date +%s.%N)
    [ "$PHASE" = start ] || say "$(printf '%-10s %6.1f s' "$PHASE" "$(echo "$now - $PHASE_T0" | bc)")"
    PHASE=$1 PHASE_T0=$now
}
FILES=(-f docker-compose.yml -f docker-compose.host.yml)
REDIS_SERVICES=(redis)
if [ "${COMPOSE_CHECK_REDIS:-}" = cluster ]; then
    FILES+=(-f docker-compose.cluster.yml -f docker-compose.cluster-host.yml)
    REDIS_SERVICES=(redis redis-2 redis-3 redis-4 redis-5 redis-6 redis-cluster-init)
fi
compose() {
    docker-compose -p "$PROJECT" --env-file "$TMP/compose.env" "${FILES[@]}" "$@"
}
free_port() {
    "$PYTHON" -c "import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])"
}
# $1 ports at most 55535 whose cluster bus port (+10000) is free too, one per line
cluster_ports() {
    "$PYTHON" - "$1" <<'PY'
import random, socket, sys
def free(port):
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True
found = []
for _ in range(500):
    port = random.randint(20000, 55535)
    if port not in found and port + 10000 not in found and free(port) and free(port + 10000):
        found.append(port)
        if len(found) == int(sys.argv[1]):
            break
print("\n".join(map(str, found)))
PY
}

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    set +e
    if [ -n "$rc" ] && [ "$rc" != 0 ] && [ -z "$FAILED" ]; then
        echo "compose-check: FAILED: the $PHASE phase stopped with exit code $rc (see the output above)." >&2
    fi
    if [ -f "$TMP/compose.env" ] && "$DOCKER" info >/dev/null 2>&1; then
        timeout 120 docker-compose -p "$PROJECT" --env-file "$TMP/compose.env" "${FILES[@]}" \
            down -v --remove-orphans -t 10 >"$TMP/down.log" 2>&1 || cat "$TMP/down.log" >&2
    fi
    [ -n "$REPLICA" ] && "$DOCKER" rm -f -v "$PROJECT-replica" >/dev/null 2>&1
    if [ -n "$STARTED_DOCKERD" ]; then
        kill "$STARTED_DOCKERD" 2>/dev/null
        for _ in $(seq 40); do kill -0 "$STARTED_DOCKERD" 2>/dev/null || break; sleep 0.5; done
    fi
    rm -rf "$TMP"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- tools: Docker Engine, docker-compose 1.29, debootstrap (Debian's packages) ------------
phase tools
missing=()
[ -x /usr/sbin/dockerd ] && [ -x "$DOCKER" ] || missing+=(docker.io)
command -v docker-compose >/dev/null || missing+=(docker-compose)
command -v debootstrap >/dev/null || missing+=(debootstrap)
command -v bc >/dev/null || missing+=(bc)
command -v curl >/dev/null || missing+=(curl)
if [ ${#missing[@]} -gt 0 ]; then
    echo "compose-check: apt-get install ${missing[*]}"
    timeout 300 apt-get update -qq || fail "apt-get update failed; check the machine's Debian mirror."
    DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -qq "${missing[@]}" >/dev/null \
        || fail "apt-get install ${missing[*]} failed; install them by hand and run again."
fi

# --- dockerd: started here (no bridge, no iptables) unless one already runs ---------------
phase dockerd
if ! "$DOCKER" info >/dev/null 2>&1; then
    dockerd --bridge=none --iptables=false >"$TMP/dockerd.log" 2>&1 &
    STARTED_DOCKERD=$!
    for _ in $(seq 60); do "$DOCKER" info >/dev/null 2>&1 && break; sleep 0.5; done
    "$DOCKER" info >/dev/null 2>&1 \
        || { tail -5 "$TMP/dockerd.log" >&2; fail "dockerd did not start within 30 s (its log is above)."; }
fi

# --- base image: Debian bookworm from debootstrap, the host's apt sources (cached) --------
phase base
if ! "$DOCKER" image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
    root="$TMP/rootfs"
    timeout 900 debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates \
        bookworm "$root" http://deb.debian.org/debian >"$TMP/debootstrap.log" 2>&1 \
        || { tail -5 "$TMP/debootstrap.log" >&2; fail "debootstrap of Debian bookworm failed (its log is above)."; }
    if [ -f /etc/apt/sources.list.d/debian.sources ]; then   # bookworm-updates and -security too
        cp /etc/apt/sources.list.d/debian.sources "$root/etc/apt/sources.list.d/"
        rm -f "$root/etc/apt/sources.list"
    fi
    rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
    tar -C "$root" -c . | "$DOCKER" import - "$BASE_IMAGE" >/dev/null
    rm -rf "$root"
fi
if ! "$DOCKER" image inspect "$REDIS_IMAGE" >/dev/null 2>&1; then
    timeout 600 "$DOCKER" build -q --network host --build-arg BASE_IMAGE="$BASE_IMAGE" \
        -t "$REDIS_IMAGE" -f ops/docker/redis.Dockerfile ops/docker >"$TMP/redis-build.log" 2>&1 \
        || { tail -20 "$TMP/redis-build.log" >&2; fail "building the Redis image failed (its log is above)."; }
fi

# --- wheelhouse: every Python package the image needs, from the host's pip (cached) -------
phase wheels
# at the locked versions; besides the project's: scrapyd (its service), the project's build
# backend (the image builds it from the checkout, offline), and what Debian's Python 3.11.2
# needs that the host's newer 3.11 may not (redis's async-timeout, below 3.11.3)
LOCK=requirements/lock.txt
extras=(scrapyd setuptools wheel async-timeout)
stamp=$(printf '%s\n' "${extras[@]}" | cat pyproject.toml "$LOCK" - | sha256sum | cut -c1-16)
if [ "$(cat wheels/.stamp 2>/dev/null)" != "$stamp" ]; then
    # any pip does: the project's venv (ops/install.sh), $PYTHON's, or a throwaway venv
    wheel_python=$PYTHON
    if [ -x .venv/bin/python ]; then
        wheel_python=.venv/bin/python
    elif ! "$PYTHON" -m pip --version >/dev/null 2>&1; then
        "$PYTHON" -m venv "$TMP/pip-venv" >/dev/null 2>&1 \
            || fail "$PYTHON has no pip and cannot make a venv for one; apt-get install python3-venv."
        wheel_python=$TMP/pip-venv/bin/python
    fi
    find wheels -name '*.whl' -delete 2>/dev/null || true
    mkdir -p wheels
    timeout 1200 "$wheel_python" -m pip wheel -q --disable-pip-version-check -c "$LOCK" -w wheels \
        . "${extras[@]}" >"$TMP/wheel.log" 2>&1 \
        || { tail -20 "$TMP/wheel.log" >&2; fail "pip wheel could not build the wheelhouse (its log is above)."; }
    rm -f wheels/benchcrawl-*.whl          # the image builds the project from the checkout
    echo "$stamp" > wheels/.stamp
fi

# --- the image ----------------------------------------------------------------------------
phase build
# The build context is the committed tree (HEAD) plus the wheelhouse, so files being
# edited in the working tree do not end up half-changed in the image;
# COMPOSE_CHECK_WORKTREE=1 builds the working tree as it is.
context=.
if [ -z "${COMPOSE_CHECK_WORKTREE:-}" ] && git rev-parse --verify -q HEAD >/dev/null 2>&1; then
    context="$TMP/context"
    mkdir -p "$context"
    git archive HEAD | tar -x -C "$context"
    rm -rf "$context/wheels"
    cp -al wheels "$context/wheels" 2>/dev/null || cp -a wheels "$context/wheels"
    say "building $(git rev-parse --short HEAD) (committed tree)"
fi
timeout 1500 "$DOCKER" build --network host --build-arg BASE_IMAGE="$BASE_IMAGE" \
    --build-arg PIP_NO_INDEX=1 -t "$IMAGE" "$context" >"$TMP/build.log" 2>&1 \
    || { tail -30 "$TMP/build.log" >&2; fail "docker build of the benchcrawl image failed (its log is above)."; }
size=$("$DOCKER" image inspect -f '{{.Size}}' "$IMAGE")
say "image $IMAGE: $((size / 1000000)) MB ($("$DOCKER" image inspect -f '{{.Size}}' "$BASE_IMAGE" | awk '{printf "%d", $1/1000000}') MB of it the base)"

# --- the replica on loopback, Redis, then the workers --------------------------------------
phase up
port=$(free_port)
# the replica runs from the image too (its generated data), so the host needs no project install
"$DOCKER" run -d --name "$PROJECT-replica" --network host "$IMAGE" \
    python -m benchcrawl.replica --port "$port" --generate \
    --latency "${COMPOSE_CHECK_LATENCY:-1.0}" >/dev/null
REPLICA=1
for _ in $(seq 150); do "$DOCKER" logs "$PROJECT-replica" 2>&1 | grep -q "replica serving" && break; sleep 0.2; done
"$DOCKER" logs "$PROJECT-replica" 2>&1 | grep -q "replica serving" \
    || { "$DOCKER" logs "$PROJECT-replica" 2>&1 | tail -5 >&2; fail "the replica did not start on 127.0.0.1:$port."; }

mkdir -p "$TMP/data"
# Small leases and few requests at a time, so the 9 combinations spread over the workers;
# a short lease time, so a killed worker's combination goes back to the queue in 20 s.
# The resource-aware throttle stays on but its CPU and memory limits are out of reach:
# on a 2-core machine shared with other jobs, the load alone would otherwise stop the
# later workers leasing before they took part (the check is about the compose cluster).
WORKER_SETTINGS=${COMPOSE_CHECK_WORKER_SETTINGS:--s FRONTIER_LEASE_BATCH=1 -s CONCURRENT_REQUESTS=2 -s RESOURCES_CPU_LIMIT=101 -s RESOURCES_MEMORY_LIMIT=101 -s FRONTIER_LEASE_TIME=20}
if [ "${COMPOSE_CHECK_REDIS:-}" = cluster ]; then
    mapfile -t node_ports < <(cluster_ports 6)
    [ "${#node_ports[@]}" = 6 ] || fail "found only ${#node_ports[@]} of 6 free port pairs for the cluster's nodes."
    redis_port=${node_ports[0]}
else
    redis_port=$(free_port)
fi
password=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
monitor_port=$(free_port)
cat >"$TMP/compose.env" <<ENV
BENCHCRAWL_IMAGE=$IMAGE
REDIS_IMAGE=$REDIS_IMAGE
BASE_IMAGE=$BASE_IMAGE
PIP_NO_INDEX=1
REDIS_PASSWORD=$password
REDIS_PORT=$redis_port
SCRAPYD_USERNAME=check
SCRAPYD_PASSWORD=$password
SCRAPYD_PORT=$(free_port)
BENCHCRAWL_MONITOR_TOKEN=$password
MONITOR_PORT=$monitor_port
BENCHCRAWL_DATA=$TMP/data
WORKER_ARGS=-a base_url=http://127.0.0.1:$port/ $WORKER_SETTINGS
WORKERS=$WORKERS
ENV
if [ "${COMPOSE_CHECK_REDIS:-}" = cluster ]; then
    for i in 2 3 4 5 6; do echo "REDIS_PORT_$i=${node_ports[$((i - 1))]}" >>"$TMP/compose.env"; done
    echo "REDIS_CLUSTER_NODE_ARGS=--bind 127.0.0.1 --cluster-announce-ip 127.0.0.1" >>"$TMP/compose.env"
fi
chmod 600 "$TMP/compose.env"
compose up -d "${REDIS_SERVICES[@]}" >"$TMP/up.log" 2>&1 \
    || { cat "$TMP/up.log" >&2; fail "docker-compose could not start ${REDIS_SERVICES[*]}."; }
if [ "${COMPOSE_CHECK_REDIS:-}" = cluster ]; then
    init=$(compose ps -q redis-cluster-init)
    for _ in $(seq 240); do
        [ "$("$DOCKER" inspect -f '{{.State.Running}}' "$init")" = false ] && break
        sleep 0.5
    done
    [ "$("$DOCKER" inspect -f '{{.State.Running}}' "$init")" = false ] \
        || fail "redis-cluster-init was still running after 120 s."
    [ "$("$DOCKER" inspect -f '{{.State.ExitCode}}' "$init")" = 0 ] \
        || { "$DOCKER" logs --tail 20 "$init" >&2; fail "redis-cluster-init could not form the cluster (its log is above)."; }
    say "$("$DOCKER" logs --tail 1 "$init" 2>&1)"
fi
rcli() { compose exec -T redis redis-cli -p "$redis_port" --no-auth-warning "$@" 2>/dev/null; }
for _ in $(seq 100); do [ "$(rcli -a "$password" ping)" = PONG ] && break; sleep 0.2; done
[ "$(rcli -a "$password" ping)" = PONG ] \
    || fail "the redis service did not answer on 127.0.0.1:$redis_port within 20 s."
[ "$(rcli -a "$password" config get appendonly | tail -1)" = yes ] \
    || fail "the redis service runs without AOF."
rcli ping | grep -q NOAUTH || fail "the redis service answers without its password."
compose up -d --scale worker="$WORKERS" worker >>"$TMP/up.log" 2>&1 \
    || { cat "$TMP/up.log" >&2; fail "docker-compose could not start $WORKERS workers."; }

# every packet on loopback: host networking only, no bridge
for c in $(compose ps -q); do
    mode=$("$DOCKER" inspect -f '{{.HostConfig.NetworkMode}}' "$c")
    [ "$mode" = host ] || fail "container $c runs on network '$mode', not the host's."
done
if "$DOCKER" network ls --format '{{.Driver}}' | grep -qv -e '^host$' -e '^null$'; then
    fail "a Docker network other than host/none exists: $("$DOCKER" network ls --format '{{.Name}}/{{.Driver}}' | tr '\n' ' ')"
fi

# --- serving workers, and sweeps the scheduler opens ---------------------------------------
phase serve
ids=$(compose ps -q worker)
[ "$(echo "$ids" | wc -w)" = "$WORKERS" ] || fail "expected $WORKERS worker containers, found $(echo "$ids" | wc -w)."
wait_serving() {  # every worker container of $ids says it serves
    local deadline=$((SECONDS + 180)) c waiting
    while :; do
        waiting=0
        for c in $ids; do
            "$DOCKER" logs "$c" 2>&1 | grep -q 'serving: joining every sweep' || waiting=$((waiting + 1))
        done
        [ "$waiting" = 0 ] && break
        [ $SECONDS -ge $deadline ] \
            && { compose logs --no-color --tail 15 worker >&2; fail "$waiting of $WORKERS workers were not serving 180 s after they started (their logs are above)."; }
        sleep 1
    done
    sleep 5  # two heartbeats (RESOURCES_HEARTBEAT_INTERVAL 2 s): the scheduler sees them all
}
wait_serving
say "$WORKERS workers serve"

# the monitor (behind its token) shows them: serving workers, alive
compose up -d --no-deps monitor >>"$TMP/up.log" 2>&1 \
    || { cat "$TMP/up.log" >&2; fail "docker-compose could not start the monitor."; }
monitor_serving() {  # how many live inferencemax workers in serve mode /api/live lists
    curl -sf -m 10 -H "Authorization: Bearer $password" "http://127.0.0.1:$monitor_port/api/live" \
        | "$PYTHON" -c 'import json, sys
live = json.load(sys.stdin)
print(sum(1 for n in live["nodes"] if n["spider"] == "inferencemax" and n["mode"] == "serve"
          and n["worker_state"] in ("serving", "busy") and n["last_seen_ago"] < 10))' 2>/dev/null \
        || echo 0
}
wait_monitor() {  # $1: when
    local deadline=$((SECONDS + 90)) seen=0
    while :; do
        seen=$(monitor_serving)
        [ "$seen" = "$WORKERS" ] && break
        [ $SECONDS -ge $deadline ] \
            && { compose logs --no-color --tail 10 monitor >&2; fail "$1, the monitor's /api/live listed $seen serving workers, not $WORKERS."; }
        sleep 1
    done
}
wait_monitor "with the workers up"
say "the monitor lists $WORKERS serving workers"

done_in() { "$DOCKER" logs "$1" 2>&1 | grep -cE 'combination [0-9]+/[0-9]+ done' || true; }
done_total() { local c n=0; for c in $ids; do n=$((n + $(done_in "$c"))); done; echo "$n"; }
declare -A before
mark() { local c; for c in $ids; do before[$c]=$(done_in "$c"); done; }
SCHED_PID=
start_sweep() {  # $1: its name; `scrapy schedule --once` in a one-off scheduler container
    compose run --rm --no-deps -T scheduler scrapy schedule inferencemax --once \
        -a "base_url=http://127.0.0.1:$port/" -s LOG_LEVEL=INFO >"$TMP/schedule-$1.log" 2>&1 &
    SCHED_PID=$!
}
# once $1 more combinations are done (the sweep is under way), while the scheduler waits
wait_under_way() {
    local deadline=$((SECONDS + 180)) from=$2
    while [ $(($(done_total) - from)) -lt "$1" ]; do
        kill -0 "$SCHED_PID" 2>/dev/null || fail "the $3 sweep ended before $1 of its combinations were done (its log: $(tail -3 "$TMP/schedule-$3.log" | tr '\n' ' '))."
        [ $SECONDS -ge $deadline ] && fail "the $3 sweep did no combination within 180 s."
        sleep 0.3
    done
}
VERSION=
finish_sweep() {  # $1: its name; the scheduler's outcome, and the version it wrote
    local deadline=$((SECONDS + SWEEP_TIMEOUT)) rc=0 log=$TMP/schedule-$1.log sweep
    while kill -0 "$SCHED_PID" 2>/dev/null; do
        if [ $SECONDS -ge $deadline ]; then
            compose logs --no-color --tail 20 worker >&2
            fail "the $1 sweep was still running after ${SWEEP_TIMEOUT} s (the workers' logs are above)."
        fi
        sleep 1
    done
    wait "$SCHED_PID" || rc=$?
    [ "$rc" = 0 ] || { tail -20 "$log" >&2; fail "scrapy schedule --once ended the $1 sweep with exit code $rc (its log is above)."; }
    grep -qE "[0-9]+ serving workers are up" "$log" \
        || { tail -20 "$log" >&2; fail "the scheduler ran the $1 sweep itself instead of opening it for the serving workers (its log is above)."; }
    sweep=$(sed -n 's/.*opened sweep \([^ ]*\) for the serving workers.*/\1/p' "$log" | head -1)
    [ -n "$sweep" ] || { tail -20 "$log" >&2; fail "the scheduler opened no sweep for the $1 run (its log is above)."; }
    VERSION=$("$PYTHON" - "$TMP/data/archive" "$sweep" <<'PY'
import json, pathlib, sys
found = [m.parent.name for m in pathlib.Path(sys.argv[1]).glob("*/manifest.json")
         if json.loads(m.read_text()).get("sweep_id") == sys.argv[2]]
print(" ".join(found))
PY
)
    [ "$(echo "$VERSION" | wc -w)" = 1 ] \
        || fail "sweep $sweep of the $1 run wrote $(echo "$VERSION" | wc -w) versions to DATA_DIR/archive, not exactly 1."
}
rows_of() { echo $(($(wc -l <"$TMP/data/archive/$1/merged.csv") - 1)); }
same_table() {  # $1 $2: versions; the same rows, whatever order the workers wrote them in
    cmp -s <(sort "$TMP/data/archive/$1/merged.csv") <(sort "$TMP/data/archive/$2/merged.csv")
}
check_spread() {  # $1: the sweep's name; every worker took part, and all are still up
    local c name n took=0 line=""
    for c in $ids; do
        name=$("$DOCKER" inspect -f '{{.Name}}' "$c"); name=${name#/}
        n=$(($(done_in "$c") - ${before[$c]:-0}))
        line="$line $name:$n"
        [ "$n" -gt 0 ] && took=$((took + 1))
        [ "$("$DOCKER" inspect -f '{{.State.Running}}' "$c")" = true ] \
            || { "$DOCKER" logs --tail 15 "$c" >&2; fail "worker $name is not running after the $1 sweep (its log is above)."; }
    done
    say "$1 sweep: combinations done by worker:$line"
    [ "$took" = "$WORKERS" ] \
        || fail "only $took of $WORKERS workers did a combination of the $1 sweep (each worker's log needs a 'combination k/n done' line)."
}

phase sweep-1
mark
start_sweep first
finish_sweep first
FIRST=$VERSION
rows=$(rows_of "$FIRST")
[ "$rows" -gt 0 ] || fail "the first sweep's version $FIRST has an empty merged.csv."
check_spread first
say "first sweep: version $FIRST, $rows rows"

phase sweep-2
mark
start_sweep second
finish_sweep second
check_spread second
same_table "$FIRST" "$VERSION" || fail "the second sweep's table (version $VERSION) differs from the first's."
say "second sweep: version $VERSION, the same $rows rows; the $WORKERS workers still serve"

if [ "${COMPOSE_CHECK_FAULTS:-1}" = 1 ]; then
    # --- a worker crashes in the middle of a sweep: its container restarts, nothing is lost --
    phase restart
    mark
    start_sweep restart
    reclaims=$(compose logs --no-color worker 2>&1 | grep -c 'expired leases back in the queue' || true)
    # the victim: a worker that holds a lease now (the frontier's owners hash names its
    # worker id, which its log's "worker ID on" line ties to its container)
    deadline=$((SECONDS + 180))
    victim=
    while [ -z "$victim" ]; do
        kill -0 "$SCHED_PID" 2>/dev/null || fail "the restart sweep ended before a worker was seen holding a lease."
        [ $SECONDS -ge $deadline ] && fail "no worker held a lease within 180 s of the restart sweep."
        for w in $(rcli -a "$password" hvals inferencemax:requests:owners | sort -u); do
            for c in $ids; do
                "$DOCKER" logs "$c" 2>&1 | grep -q "worker $w on " && { victim=$c; break 2; }
            done
        done
        [ -n "$victim" ] || sleep 0.2
    done
    restarts=$("$DOCKER" inspect -f '{{.RestartCount}}' "$victim")
    # the worker process dies as in a crash (SIGKILL from outside); `docker kill` would count as
    # a manual stop, which restart: unless-stopped leaves stopped
    kill -KILL "$(pgrep -P "$("$DOCKER" inspect -f '{{.State.Pid}}' "$victim")" | head -1)" \
        || fail "could not kill the worker process of container $victim."
    finish_sweep restart
    [ "$("$DOCKER" inspect -f '{{.RestartCount}}' "$victim")" -gt "$restarts" ] \
        || fail "the killed worker's container was not restarted (restart: unless-stopped)."
    [ "$("$DOCKER" inspect -f '{{.State.Running}}' "$victim")" = true ] \
        || fail "the killed worker's container is not running after the sweep."
    same_table "$FIRST" "$VERSION" \
        || fail "after a worker was killed mid-sweep, the table (version $VERSION) differs from the first sweep's."
    [ "$(compose logs --no-color worker 2>&1 | grep -c 'expired leases back in the queue' || true)" -gt "$reclaims" ] \
        || fail "no worker put the killed worker's lease back in the queue during the restart sweep."
    say "restart: a worker killed holding a lease came back (restart: unless-stopped), its lease was put back and done; version $VERSION has the same $rows rows"

    rebuild() {  # the same image with a new label: a new image id ($new_image) to upgrade to
        local old_image
        old_image=$("$DOCKER" image inspect -f '{{.Id}}' "$IMAGE")
        timeout 600 "$DOCKER" build --network host --build-arg BASE_IMAGE="$BASE_IMAGE" \
            --build-arg PIP_NO_INDEX=1 --label "benchcrawl.check.rebuild=$(date +%s%N)" \
            -t "$IMAGE" "$context" >"$TMP/rebuild.log" 2>&1 \
            || { tail -30 "$TMP/rebuild.log" >&2; fail "rebuilding the benchcrawl image failed (its log is above)."; }
        new_image=$("$DOCKER" image inspect -f '{{.Id}}' "$IMAGE")
        [ "$new_image" != "$old_image" ] || fail "the rebuild gave the same image id; nothing to upgrade to."
    }
    all_replaced() {  # $1: what replaced them; $WORKERS new containers, all on $new_image
        ids=$(compose ps -q worker)
        [ "$(echo "$ids" | wc -w)" = "$WORKERS" ] \
            || fail "after $1, $(echo "$ids" | wc -w) worker containers run, not $WORKERS."
        for c in $ids; do
            echo "$old_ids" | grep -qx "$c" && fail "worker container $c was not replaced by $1."
            [ "$("$DOCKER" inspect -f '{{.Image}}' "$c")" = "$new_image" ] \
                || fail "worker container $c does not run the rebuilt image after $1."
        done
    }

    # --- a rolling upgrade: a new image, the workers replaced while a sweep runs -----------
    phase upgrade
    rebuild
    mark
    start_sweep upgrade
    wait_under_way 1 "$(done_total)" upgrade
    old_ids=$ids
    # what a user runs after a rebuild; WORKERS in the env file keeps their number
    compose up -d --no-deps worker >"$TMP/upgrade.log" 2>&1 \
        || { cat "$TMP/upgrade.log" >&2; fail "docker-compose up -d --no-deps worker failed during the sweep."; }
    kill -0 "$SCHED_PID" 2>/dev/null \
        || say "note: the sweep had ended by the time the workers were replaced"
    all_replaced "docker-compose up -d --no-deps worker"
    finish_sweep upgrade
    same_table "$FIRST" "$VERSION" \
        || fail "the sweep during the rolling upgrade wrote a different table (version $VERSION)."
    wait_serving
    say "upgrade: $WORKERS workers replaced by the rebuilt image during a sweep; version $VERSION has the same $rows rows"

    # --- the same, one worker at a time (ops/roll-workers.sh): never short of workers -----
    phase roll
    rebuild
    mark
    start_sweep roll
    wait_under_way 1 "$(done_total)" roll
    old_ids=$ids
    bash ops/roll-workers.sh -p "$PROJECT" --env-file "$TMP/compose.env" "${FILES[@]}" >"$TMP/roll.log" 2>&1 \
        || { cat "$TMP/roll.log" >&2; fail "ops/roll-workers.sh failed during the sweep (its output is above)."; }
    all_replaced "ops/roll-workers.sh"
    finish_sweep roll
    same_table "$FIRST" "$VERSION" \
        || fail "the sweep during ops/roll-workers.sh wrote a different table (version $VERSION)."
    say "roll: $(grep -c replaced "$TMP/roll.log") workers replaced one at a time during a sweep; version $VERSION has the same $rows rows"
fi

wait_monitor "after the sweeps"
say "the monitor lists the $WORKERS serving workers after the sweeps"
versions=$(find "$TMP/data/archive" -mindepth 1 -maxdepth 1 -type d ! -name '.*' 2>/dev/null | wc -l || true)
say "$versions versions, one per sweep; latest $(basename "$(readlink "$TMP/data/latest")")"

if [ "${COMPOSE_CHECK_REDIS:-}" = cluster ]; then
    rcli -a "$password" cluster info | grep -q '^cluster_state:ok' \
        || fail "the cluster is not in cluster_state:ok after the sweeps."
    keys=""
    for p in "${node_ports[@]}"; do
        role=$(rcli -a "$password" -p "$p" role | head -1)
        [ "$role" = master ] && keys="$keys $(rcli -a "$password" -p "$p" dbsize)"
    done
    say "the cluster is ok after the sweeps; keys per master:$keys"
fi

phase down
timeout 120 docker-compose -p "$PROJECT" --env-file "$TMP/compose.env" "${FILES[@]}" \
    down -v --remove-orphans -t 10 >"$TMP/down.log" 2>&1 \
    || { cat "$TMP/down.log" >&2; fail "docker-compose down did not finish."; }
rm -f "$TMP/compose.env"
phase end
say "passed: $WORKERS serving workers, $versions sweeps opened by the scheduler, one version each${COMPOSE_CHECK_REDIS:+ (on a Redis $COMPOSE_CHECK_REDIS)}, in $(printf '%.1f' "$(echo "$(date +%s.%N) - $T0" | bc)") s"
