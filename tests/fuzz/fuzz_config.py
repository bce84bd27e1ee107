"""Fuzz the job config (``benchcrawl.config``): YAML text as ``load_config`` reads it.

Contract: ``loads_config`` raises only ConfigError.
"""

from __future__ import annotations

import atheris
from _harness import main

with atheris.instrument_imports(include=["benchcrawl"]):
    from benchcrawl.config import JobConfig, loads_config
    from benchcrawl.exceptions import ConfigError


def one_input(data: bytes) -> None:
    try:
        config = loads_config(data, "job.yaml")
    except ConfigError:
        return
    assert isinstance(config, JobConfig)


if __name__ == "__main__":
    main(one_input)
