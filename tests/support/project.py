"""A Scrapy project of a test's own, made in a temporary folder as ``scrapy startproject``
would leave it (cut to the bone), and the environment to run ``scrapy`` in it with
benchcrawl importable but none of its settings in play."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

from tests.support.worker import PROJECT, scrapy_env


def make_project(root: Path, package: str, settings: str, spiders: dict[str, str]) -> Path:
    """``root/scrapy.cfg``, ``root/<package>/settings.py`` holding *settings*, and one
    module per entry of *spiders* (file stem -> source) in ``<package>.spiders``."""
    where = root / package
    (where / "spiders").mkdir(parents=True)
    (root / "scrapy.cfg").write_text(f"[settings]\ndefault = {package}.settings\n")
    (where / "__init__.py").write_text("")
    (where / "settings.py").write_text(textwrap.dedent(settings))
    (where / "spiders" / "__init__.py").write_text("")
    for stem, source in spiders.items():
        (where / "spiders" / f"{stem}.py").write_text(textwrap.dedent(source))
    return root


def project_env(project: Path) -> dict[str, str]:
    """benchcrawl importable (it is installed anyway), none of its settings in play."""
    env = scrapy_env(drop=("SCRAPY_SETTINGS_MODULE", "SCRAPY_PROJECT", "REDIS_URL"))
    env["PYTHONPATH"] = os.pathsep.join([str(project), str(PROJECT)])
    return env
