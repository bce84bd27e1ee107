"""Bad input from the site, bad config, no Redis, a crashed browser: the right data or a
clear error, a non-zero exit on failure, and ``latest/`` untouched."""

from __future__ import annotations

import csv
import signal
import socket
import time
from pathlib import Path

import psutil
import pytest

from tests.inferencemax._support import assert_csv_rows_equal_served, served_pairs
from tests.support.crawl import run_crawl, start_crawl, write_config
from tests.support.redis_server import RedisServer, free_port

pytestmark = pytest.mark.timeout(300)

# Two combinations keep each run short; the faults hit gpt-oss 120B x 1K / 8K.
TARGETS = {"models": ["gpt-oss 120B"], "sequences": ["1K / 1K", "1K / 8K"]}
BAD_FILE = "gpt-oss-120b-1k_8k-{kind}.json"


def merged_rows(data_dir: Path) -> list[dict[str, str]]:
    with (data_dir / "latest" / "merged.csv").open(newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture
def good_run(replica, tmp_path):
    """A first good sweep, so each test can check that ``latest/`` survives a bad one."""
    config = write_config(tmp_path / "job.yaml", **TARGETS)
    data = tmp_path / "data"
    result = run_crawl(replica.url, data, config=config)
    assert result.returncode == 0, result.stderr[-3000:]
    assert_csv_rows_equal_served(merged_rows(data), served_pairs(replica.files, **TARGETS))
    latest = (data / "latest").resolve()
    snapshot = {p.name: p.read_bytes() for p in latest.iterdir() if p.is_file()}
    return config, data, latest, snapshot


@pytest.mark.slow
@pytest.mark.parametrize(
    ("mode", "kind", "expected"),
    [
        # "truncated" or "invalid" JSON: which one depends on where the cut falls
        ("truncated", "e2e", "JSON at line 1 column"),
        ("html", "interactivity", "HTML page"),
        ("404", "e2e", "answered HTTP 404"),
        ("500", "interactivity", "answered HTTP 500"),
        ("changed-type", "e2e", "conc"),
        ("empty", "interactivity", "no records"),
    ],
)
def test_bad_file_fails_the_sweep_and_keeps_latest(replica, good_run, mode, kind, expected):
    config, data, latest, before = good_run
    name = BAD_FILE.format(kind=kind)
    replica.set_fault(name, mode)
    result = run_crawl(replica.url, data, config=config)
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("benchcrawl: inferencemax ended with sweep_failed:")
    assert "gpt-oss 120B x 1K / 8K" in last and expected in last
    if mode not in ("404", "500"):
        assert name in last  # names the file's URL
    assert "Traceback" not in result.stderr
    assert (data / "latest").resolve() == latest
    assert {p.name: p.read_bytes() for p in latest.iterdir() if p.is_file()} == before
    assert len(list((data / "archive").iterdir())) == 1


@pytest.mark.slow
def test_500_once_is_retried_and_gives_the_right_data(replica, good_run):
    config, data, latest, before = good_run
    replica.set_fault(BAD_FILE.format(kind="e2e"), "500-once")
    result = run_crawl(replica.url, data, config=config)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "retrying combination gpt-oss 120B x 1K / 8K" in result.stderr
    assert (data / "latest").resolve() != latest
    new = (data / "latest").resolve()
    assert (new / "merged.csv").read_bytes() == before["merged.csv"]


@pytest.mark.slow
def test_wrapped_form_gives_the_same_table(replica, good_run):
    config, data, latest, before = good_run
    for kind in ("interactivity", "e2e"):
        replica.set_fault(BAD_FILE.format(kind=kind), "wrapped")
    result = run_crawl(replica.url, data, config=config)
    assert result.returncode == 0, result.stderr[-3000:]
    assert (data / "latest" / "merged.csv").read_bytes() == before["merged.csv"]


@pytest.mark.slow
def test_native_select_page_gives_the_same_table(good_run, tmp_path):
    from benchcrawl.replica import Replica, generate

    config, data, latest, before = good_run
    with Replica(generate(), variant="select", hydrate_delay=0.2) as select_page:
        result = run_crawl(select_page.url, data, config=config)
    assert result.returncode == 0, result.stderr[-3000:]
    assert (data / "latest" / "merged.csv").read_bytes() == before["merged.csv"]


@pytest.mark.slow
def test_target_not_offered_is_a_clear_error(replica, tmp_path):
    config = write_config(tmp_path / "job.yaml", models=["GPT-5 Ultra"])
    result = run_crawl(replica.url, tmp_path / "data", config=config)
    assert result.returncode == 1
    assert "targets.models: 'GPT-5 Ultra' not offered by the page" in result.stderr
    assert not (tmp_path / "data" / "latest").exists()


@pytest.mark.slow
def test_browser_killed_mid_sweep_is_retried(replica, tmp_path):
    replica.latency = 1.5  # data files slow enough to kill the browser while pages wait
    log = tmp_path / "crawl.log"
    proc = start_crawl(replica.url, tmp_path / "data", log)
    killed = []
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not killed and proc.poll() is None:
            if len(replica.data_requests()) >= 4:  # combinations are under way
                for child in psutil.Process(proc.pid).children(recursive=True):
                    try:  # a renderer may exit (or be a zombie) between listing and looking
                        if "chrom" in child.name() and "--type=" not in " ".join(child.cmdline()):
                            child.send_signal(signal.SIGKILL)
                            killed.append(child.pid)
                    except psutil.Error:
                        continue
            time.sleep(0.05)
        assert killed, "no browser process found to kill"
        assert proc.wait(180) == 0, log.read_text()[-3000:]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(30)
    text = log.read_text()
    assert text.count("Launching browser") >= 2  # relaunched; its pages were fetched again
    assert text.count("/9 done:") == 9
    assert_csv_rows_equal_served(merged_rows(tmp_path / "data"), served_pairs(replica.files))


def test_unknown_config_key_is_one_sentence(replica, tmp_path):
    config = tmp_path / "job.yaml"
    config.write_text("source:\n  base_url: http://x/\n  timout: 5\n")
    result = run_crawl(replica.url, tmp_path / "data", config=config)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert lines == [
        f"benchcrawl: {config}: unknown key 'source.timout' "
        "(known keys: base_url, retry_attempts, timeout)."
    ]


def test_wrong_config_type_is_one_sentence(replica, tmp_path):
    config = tmp_path / "job.yaml"
    config.write_text("targets:\n  models: gpt-oss 120B\n")
    result = run_crawl(replica.url, tmp_path / "data", config=config)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"benchcrawl: {config}: 'targets.models' must be a list of labels, got str 'gpt-oss 120B'."
    )


def test_unreachable_redis_is_one_sentence(replica, tmp_path):
    url = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    result = run_crawl(replica.url, tmp_path / "data", redis_url=url, timeout=30)
    assert result.returncode == 1
    assert result.stderr.strip().startswith(f"benchcrawl: cannot reach Redis at {url}")
    assert "Traceback" not in result.stderr


def test_redis_that_never_answers_is_one_sentence(replica, tmp_path):
    # a port that accepts connections but never speaks: the ping must time out
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        url = f"redis://127.0.0.1:{silent.getsockname()[1]}/0"
        # run_crawl's own 30 s limit is the hang guard: a ping that never timed out fails it
        result = run_crawl(replica.url, tmp_path / "data", redis_url=url, timeout=30)
    assert result.returncode == 1
    assert "cannot reach Redis" in result.stderr and "Timeout" in result.stderr


@pytest.mark.slow
def test_redis_restarted_mid_sweep_loses_nothing(replica, tmp_path, tmp_path_factory):
    """Redis (AOF on) goes away while combinations are being recorded: the frontier and
    the sweep record wait for it, and the sweep completes in full."""
    replica.latency = 1.0  # data files slow enough for the outage to land mid-sweep
    server = RedisServer(tmp_path_factory.mktemp("aof"), appendonly=True).start()
    log = tmp_path / "crawl.log"
    try:
        proc = start_crawl(
            replica.url,
            tmp_path / "data",
            log,
            redis_url=server.url,
            settings={"FRONTIER_RETRY_MAX_DELAY": "1", "RESOURCES_ENABLED": "False"},
        )
        deadline = time.monotonic() + 120
        while "/9 done:" not in log.read_text() and time.monotonic() < deadline:
            assert proc.poll() is None, log.read_text()[-3000:]
            time.sleep(0.05)
        server.stop()
        # down until the crawl has noticed (a combination finished meanwhile), then 1 s more
        deadline = time.monotonic() + 60
        while "sweep record: lost Redis" not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(1)
        server.start()
        assert proc.wait(180) == 0, log.read_text()[-3000:]
    finally:
        server.kill()
    text = log.read_text()
    assert "sweep record: lost Redis" in text and "sweep record: Redis is back" in text
    assert text.count("/9 done:") == 9
    assert_csv_rows_equal_served(merged_rows(tmp_path / "data"), served_pairs(replica.files))
    assert "Traceback" not in text
