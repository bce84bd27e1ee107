"""Config text that is not a config: ConfigError (one sentence), never another exception.
Each case below raised something else, or hung, before it was fixed."""

from __future__ import annotations

import pytest

from benchcrawl.config import MAX_BYTES, load_config, loads_config
from benchcrawl.exceptions import ConfigError

# 25 anchors, each a list of the previous one twice: a value whose full repr is 2**25 "x"s
BOMB = (
    "[&a [x, x], "
    + ", ".join(f"&{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}]" for i in range(24))
    + "]"
)


@pytest.mark.timeout(20)
@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("[" * 5_000, "nested too deeply"),  # RecursionError from PyYAML's composer
        ("source:\n  retry_attempts: " + "9" * 5_000, "not valid YAML"),  # int digit limit
        ("schedule: !!timestamp 2001-99-99", "not valid YAML"),  # ValueError from datetime
        ("source:\n  timeout: .nan", "must be positive"),
        ("source:\n  timeout: .inf", "must be positive"),
        ("source:\n  timeout: " + "9" * 400, "must be positive"),  # float() OverflowError
        ("data_dir: " + BOMB, "must be a path string"),  # exponential repr
        ("targets:\n  models: [" + BOMB + "]", "must hold label strings"),
        ("x" * (MAX_BYTES + 1), "larger than"),
        ("{" * 239 + "F\nb", "not valid YAML"),  # fuzz: slow under instrumentation
    ],
)
def test_hostile_config_text_is_one_config_error(text: str, says: str) -> None:
    with pytest.raises(ConfigError, match=says) as info:
        loads_config(text, "job.yaml")
    assert str(info.value).startswith("job.yaml: ") and len(str(info.value)) < 600


def test_a_config_file_that_is_not_utf8(tmp_path) -> None:
    path = tmp_path / "job.yaml"
    path.write_bytes(b"data_dir: \xff\n")
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_config(path)
