"""The broad spider's start-up checks (what `scrapy crawl broad` prints before crawling)."""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy.settings import Settings

from benchcrawl.exceptions import ConfigError
from benchcrawl.spiders.broad import BroadSpider, _read_exclusions


def _settings(**values: object) -> Settings:
    settings = Settings()
    settings.setmodule("benchcrawl.settings")
    settings.setdict(values, priority="cmdline")
    BroadSpider.update_settings(settings)
    return settings


def test_user_agent_names_the_crawler_and_a_contact() -> None:
    agent = _settings()["USER_AGENT"]
    assert agent.startswith("benchcrawl-broad/") and ("mailto:" in agent or "@" in agent)
    assert _settings(USER_AGENT="mine")["USER_AGENT"] == "mine"  # -s still wins


def test_needs_redis_and_a_readable_exclusion_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="needs REDIS_URL"):
        BroadSpider.check_settings(_settings(REDIS_URL=""), {})
    missing = tmp_path / "nope.txt"
    with pytest.raises(ConfigError, match=f"cannot read BROAD_EXCLUDE_FILE {missing}"):
        BroadSpider.check_settings(
            _settings(REDIS_URL="redis://x", BROAD_EXCLUDE_FILE=str(missing)), {}
        )


def test_exclusion_file_domains_and_bad_lines(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "exclude.txt"
    path.write_text("# never\nBad.Example.com\nhttps://x.test/path\nnot valid\n")
    assert _read_exclusions(str(path)) == {"bad.example.com", "x.test"}
    assert f"{path}:4: more than one word" in caplog.text
