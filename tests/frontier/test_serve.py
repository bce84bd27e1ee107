"""``-a serve=VALUE`` read as a flag; a bad value is one sentence."""

from __future__ import annotations

import subprocess
import sys

import pytest

from benchcrawl.exceptions import ConfigError
from benchcrawl.frontier.serve import parse_serve, serving
from tests.support.crawl import PROJECT_DIR


@pytest.mark.parametrize("value", ["1", "true", "Yes", "on", True])
def test_yes(value):
    assert parse_serve(value) is True


@pytest.mark.parametrize("value", ["0", "false", "no", "off", "", None, False])
def test_no(value):
    assert parse_serve(value) is False


def test_a_bad_value_is_one_sentence():
    with pytest.raises(ConfigError, match=r"-a serve='maybe' is not a yes or no"):
        parse_serve("maybe")


def test_serving_reads_the_attribute():
    class Spider:
        serve = "1"

    assert serving(Spider()) and not serving(object())


def test_inferencemax_serve_without_redis_is_one_sentence(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(PROJECT_DIR), "HOME": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "inferencemax", "-a", "serve=1"],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert "-a serve=1 waits for sweeps opened on a cluster; set REDIS_URL" in done.stderr
    assert "Traceback" not in done.stderr
