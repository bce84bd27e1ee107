"""The job config: strict checks, one sentence naming file and key."""

from __future__ import annotations

import pytest

from benchcrawl.config import load_config, parse_config
from benchcrawl.exceptions import ConfigError


def test_the_shipped_config_loads():
    from benchcrawl.settings import BENCHCRAWL_CONFIG

    config = load_config(BENCHCRAWL_CONFIG)
    assert config.source.base_url.startswith("https://")
    assert config.schedule == "0 1 * * *"
    assert config.targets.models == ()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"sorce": {}}, "unknown key 'sorce'"),
        ({"source": {"timeout": "30"}}, "'source.timeout' must be a number of seconds, got str"),
        ({"source": {"retry_attempts": 1.5}}, "'source.retry_attempts' must be an integer"),
        ({"source": {"retry_attempts": True}}, "'source.retry_attempts' must be an integer"),
        ({"source": {"base_url": "ftp://x"}}, "must start with http:// or https://"),
        ({"source": {"timeout": 0}}, "'source.timeout' must be positive"),
        ({"targets": {"models": "gpt"}}, "'targets.models' must be a list of labels"),
        ({"targets": {"sequences": [1]}}, "'targets.sequences' must hold label strings"),
        ({"schedule": "daily"}, "'schedule' must be a 5-field cron expression"),
        ({"data_dir": 5}, "'data_dir' must be a path string"),
        (["a"], "the config must be a mapping"),
    ],
)
def test_bad_values_name_the_key(data, message):
    with pytest.raises(ConfigError) as err:
        parse_config(data, "job.yaml")
    assert str(err.value).startswith("job.yaml: ")
    assert message in str(err.value)


def test_unreadable_and_invalid_yaml(tmp_path):
    with pytest.raises(ConfigError, match="cannot read the config file"):
        load_config(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("source:\n  base_url: [\n")
    with pytest.raises(ConfigError, match="not valid YAML at line"):
        load_config(bad)


def test_targets_and_defaults(tmp_path):
    path = tmp_path / "job.yaml"
    path.write_text("targets:\n  models: [gpt-oss 120B]\n")
    config = load_config(path)
    assert config.targets.models == ("gpt-oss 120B",)
    assert config.source.retry_attempts == 2 and config.data_dir == "data"
