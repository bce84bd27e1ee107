"""Files benchcrawl ships for its own use at run time, read with :mod:`importlib.resources`
(so they load from a source checkout, a wheel or the zipped egg that scrapyd runs).

``pipeline_config.yaml`` is the default job config of an installed benchcrawl (a wheel, an
egg): the same job as ``ops/pipeline_config.yaml``, the user's copy in a checkout, which a
test keeps equal to it.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

CONFIG_NAME = "benchcrawl/data/pipeline_config.yaml"  # how errors name the packaged config


def packaged_config() -> bytes:
    """The bytes of the default job config shipped in the package."""
    return files(__name__).joinpath("pipeline_config.yaml").read_bytes()


def default_config_setting(project_dir: Path) -> str:
    """``BENCHCRAWL_CONFIG``'s default: ``ops/pipeline_config.yaml`` of a checkout when there is
    one, else ``""``, which :func:`benchcrawl.config.load_config` reads as the packaged config."""
    checkout = project_dir / "ops" / "pipeline_config.yaml"
    return str(checkout) if checkout.is_file() else ""
