"""Run ``scrapy crawl`` as users do: a real subprocess in the project directory."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml

PROJECT_DIR = Path(__file__).resolve().parents[2]


def write_config(path: Path, **targets: list[str]) -> Path:
    """A job config for tests; ``models=[...]``/``sequences=[...]`` restrict the sweep."""
    path.write_text(
        yaml.safe_dump(
            {
                "source": {"base_url": "http://127.0.0.1:9/", "timeout": 20, "retry_attempts": 2},
                "targets": {
                    "models": targets.get("models", []),
                    "sequences": targets.get("sequences", []),
                },
                "data_dir": str(path.parent / "unused-data"),
                "schedule": "0 1 * * *",
            }
        )
    )
    return path


def crawl_command(
    base_url: str,
    data_dir: Path,
    *,
    redis_url: str | None = None,
    config: Path | None = None,
    settings: dict[str, str] | None = None,
    spider: str = "inferencemax",
) -> tuple[list[str], dict[str, str]]:
    cmd = [
        sys.executable,
        "-m",
        "scrapy",
        "crawl",
        spider,
        "-a",
        f"base_url={base_url}",
        "-s",
        f"DATA_DIR={data_dir}",
    ]
    for key, value in (settings or {}).items():
        cmd += ["-s", f"{key}={value}"]
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATA_DIR")}
    env["LOG_LEVEL"] = "INFO"
    if redis_url:
        env["REDIS_URL"] = redis_url
    if config:
        env["BENCHCRAWL_CONFIG"] = str(config)
    return cmd, env


def start_crawl(base_url: str, data_dir: Path, log_path: Path, **kwargs) -> subprocess.Popen:
    cmd, env = crawl_command(base_url, data_dir, **kwargs)
    with log_path.open("wb") as log:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            cmd,
            cwd=PROJECT_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )


def run_crawl(base_url: str, data_dir: Path, *, timeout: float = 180, **kwargs):
    """Run one crawl to the end; returns the CompletedProcess (output in ``.stdout``)."""
    cmd, env = crawl_command(base_url, data_dir, **kwargs)
    return subprocess.run(
        cmd,
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
