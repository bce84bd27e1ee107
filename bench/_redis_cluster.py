"""A private Redis Cluster on loopback from Debian's ``redis-server``: *masters* masters with
*replicas* replicas each, made by ``redis-cli --cluster create``, for a test or a
measurement. Every wait is bounded. A node also listens on its port + 10000 (the cluster
bus), so ports are picked at most 55535 with both free."""

from __future__ import annotations

import random
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import redis

MAX_PORT = 55535  # the bus port (+10000) must stay a valid port
BUS_OFFSET = 10000


def _free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def cluster_ports(count: int, tries: int = 200) -> list[int]:
    """*count* ports at most 55535 whose cluster bus port is free too."""
    found: list[int] = []
    for _ in range(tries):
        port = random.randint(20000, MAX_PORT)
        if port in found or port + BUS_OFFSET in found:
            continue
        if _free(port) and _free(port + BUS_OFFSET):
            found.append(port)
            if len(found) == count:
                return found
    raise RuntimeError(f"found only {len(found)} of {count} free port pairs for a cluster")


class RedisClusterServer:
    """``start()`` makes the cluster and waits for ``cluster_state:ok`` on every node;
    ``kill(port)`` is a crash (SIGKILL); ``stop()`` ends every node."""

    def __init__(
        self, workdir: Path, masters: int = 3, replicas: int = 1, node_timeout_ms: int = 2000
    ) -> None:
        binary, cli = shutil.which("redis-server"), shutil.which("redis-cli")
        if binary is None or cli is None:
            raise RuntimeError("redis-server is not installed (apt-get install -y redis-server)")
        self.binary, self.cli = binary, cli
        self.workdir = workdir
        self.masters = masters
        self.replicas = replicas
        self.node_timeout_ms = node_timeout_ms
        self.ports: list[int] = []
        self.procs: dict[int, subprocess.Popen] = {}

    @property
    def url(self) -> str:
        """A URL naming one node (the first live one): all a client needs."""
        port = next(p for p in self.ports if p in self.procs)
        return f"redis://127.0.0.1:{port}/0"

    def node(self, port: int, timeout: float = 10) -> redis.Redis:
        """A plain client of one node (not the cluster client); close it, or use it in a
        ``with`` block."""
        return redis.Redis(host="127.0.0.1", port=port, socket_timeout=timeout)

    def _spawn(self, port: int) -> None:
        d = self.workdir / str(port)
        d.mkdir(parents=True, exist_ok=True)
        args = [
            self.binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(d),
            "--save",
            "",
            "--appendonly",
            "no",
            "--cluster-enabled",
            "yes",
            "--cluster-config-file",
            str(d / "nodes.conf"),
            "--cluster-node-timeout",
            str(self.node_timeout_ms),
            "--logfile",
            str(d / "redis.log"),
        ]
        self.procs[port] = subprocess.Popen(
            args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )

    def start(self, timeout: float = 60.0) -> RedisClusterServer:
        count = self.masters * (1 + self.replicas)
        deadline = time.monotonic() + timeout
        for _attempt in range(3):  # a port taken between the check and the bind: pick again
            self.ports = cluster_ports(count)
            for port in self.ports:
                self._spawn(port)
            if all(self._wait_ping(p, deadline) for p in self.ports):
                break
            self.stop()
        else:
            raise RuntimeError("the cluster's nodes did not start")
        create = [self.cli, "--cluster", "create"]
        create += [f"127.0.0.1:{p}" for p in self.ports]
        create += ["--cluster-replicas", str(self.replicas), "--cluster-yes"]
        done = subprocess.run(
            create,
            capture_output=True,
            text=True,
            timeout=max(1.0, deadline - time.monotonic()),
            check=False,
        )
        if done.returncode != 0:
            self.stop()
            raise RuntimeError(f"redis-cli --cluster create failed: {done.stdout}{done.stderr}")
        self.wait_ok(deadline - time.monotonic())
        return self

    def _wait_ping(self, port: int, deadline: float) -> bool:
        while time.monotonic() < deadline:
            proc = self.procs.get(port)
            if proc is None or proc.poll() is not None:
                return False
            try:
                with self.node(port, 1) as client:
                    if client.ping():
                        return True
            except redis.ConnectionError:
                time.sleep(0.05)
        return False

    def info(self, port: int, section: str) -> dict:
        with self.node(port, 2) as client:
            return client.info(section)

    def _state(self, port: int) -> dict[str, str]:
        with self.node(port, 2) as client:
            raw = client.execute_command("CLUSTER INFO")
        if isinstance(raw, dict):  # redis-py parses the reply
            return {str(k): str(v) for k, v in raw.items()}
        text = raw.decode() if isinstance(raw, bytes) else str(raw)
        return dict(line.split(":", 1) for line in text.split() if ":" in line)

    def wait_ok(self, timeout: float = 30.0) -> None:
        """Until every live node says ``cluster_state:ok`` with all slots served."""
        deadline = time.monotonic() + timeout
        last: object = None
        while time.monotonic() < deadline:
            try:
                states = [self._state(p) for p in self.live()]
                if all(
                    s.get("cluster_state") == "ok" and s.get("cluster_slots_ok") == "16384"
                    for s in states
                ):
                    return
                last = states
            except redis.RedisError as e:
                last = e
            time.sleep(0.1)
        raise RuntimeError(f"the cluster did not reach cluster_state:ok: {last}")

    def wait_synced(self, timeout: float = 30.0) -> None:
        """Until every live replica's link to its master is up and its offset caught up, so
        that a killed master can fail over."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            replicas = [p for p in self.live() if p not in self.master_ports()]
            if replicas and all(self._synced(p) for p in replicas):
                return
            time.sleep(0.1)
        raise RuntimeError("the cluster's replicas did not sync")

    def _synced(self, port: int) -> bool:
        info = self.info(port, "replication")
        return info.get("master_link_status") == "up" and not info.get("master_sync_in_progress")

    def node_id(self, port: int) -> str:
        with self.node(port, 2) as client:
            raw = client.execute_command("CLUSTER MYID")
        return raw.decode() if isinstance(raw, bytes) else str(raw)

    def reshard(self, source: int, target: int, slots: int, timeout: float = 120.0) -> None:
        """Move *slots* hash slots from master *source* to master *target* with
        ``redis-cli --cluster reshard`` (keys migrate while clients keep working)."""
        done = subprocess.run(
            [
                self.cli,
                "--cluster",
                "reshard",
                f"127.0.0.1:{source}",
                "--cluster-from",
                self.node_id(source),
                "--cluster-to",
                self.node_id(target),
                "--cluster-slots",
                str(slots),
                "--cluster-yes",
            ],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"redis-cli --cluster reshard failed: {done.stdout}{done.stderr}")

    def live(self) -> list[int]:
        return [p for p in self.ports if p in self.procs and self.procs[p].poll() is None]

    def master_ports(self) -> list[int]:
        """The live nodes that are masters now."""
        return [p for p in self.live() if self.info(p, "replication").get("role") == "master"]

    def replica_of(self, master: int) -> int:
        """The port of *master*'s (first) replica."""
        return int(self.info(master, "replication")["slave0"]["port"])

    def pause(self, port: int) -> None:
        """SIGSTOP one node: alive but silent (a stalled replica)."""
        self.procs[port].send_signal(signal.SIGSTOP)

    def resume(self, port: int) -> None:
        self.procs[port].send_signal(signal.SIGCONT)

    def kill(self, port: int) -> None:
        """SIGKILL one node: no goodbye, like a crash."""
        proc = self.procs.pop(port, None)
        if proc is not None:
            proc.kill()
            proc.wait(10)

    def stop(self) -> None:
        for port in list(self.procs):
            self.kill(port)

    def __enter__(self) -> RedisClusterServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
