"""The config keys the scheduler reads: catch_up and notify, checked strictly."""

from __future__ import annotations

import pytest

from benchcrawl.config import DEFAULT_CATCH_UP, ConfigError, load_config, loads_config
from tests.support.worker import PROJECT


def test_defaults_and_the_shipped_config():
    config = load_config(PROJECT / "ops" / "pipeline_config.yaml")
    assert config.catch_up == DEFAULT_CATCH_UP == 6 * 3600
    assert (config.notify.webhook_url, config.notify.on_change) == ("", False)
    assert loads_config("").notify.webhook_url == ""


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("90", 90),
        ("90s", 90),
        ("30m", 1800),
        ("6h", 21600),
        ("1d", 86400),
        ("1.5h", 5400),
        ("0", 0),
    ],
)
def test_catch_up_durations(text, seconds):
    assert loads_config(f"catch_up: {text}").catch_up == seconds


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("catch_up: -1", "'catch_up' must be a duration of 0 or more like 6h"),
        ("catch_up: soon", "'catch_up' must be a duration of 0 or more like 6h"),
        ("catch_up: 1e999", "'catch_up' must be a duration of 0 or more like 6h"),
        ("catch_up: .inf", "'catch_up' must be a duration of 0 or more like 6h"),
        ("catch_up: true", "'catch_up' must be a duration like 6h, 30m or 90 (seconds), got bool"),
        ("notify: []", "'notify' must be a mapping"),
        ("notify: {webhook: x}", "unknown key 'notify.webhook' (known keys: on_change, webhook"),
        ("notify: {webhook_url: 'ftp://x'}", "'notify.webhook_url' must start with http://"),
        ("notify: {webhook_url: 3}", "'notify.webhook_url' must be a URL string, got int 3"),
        ("notify: {on_change: 'yes'}", "'notify.on_change' must be true or false, got str"),
    ],
)
def test_mistakes_are_one_sentence(text, message):
    with pytest.raises(ConfigError) as e:
        loads_config(text, "c.yaml")
    assert str(e.value).startswith(f"c.yaml: {message}") and str(e.value).endswith(".")
    assert "\n" not in str(e.value)


def test_notify_on():
    config = loads_config("notify: {webhook_url: 'http://127.0.0.1:9/h', on_change: true}")
    assert (config.notify.webhook_url, config.notify.on_change) == ("http://127.0.0.1:9/h", True)
