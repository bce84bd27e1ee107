"""The one loader of benchcrawl's Lua scripts.

A script is one or more ``.lua`` files joined in order (a shared library first, such as
the lease protocol's ``frontier/lua/_lib.lua``) and registered on a Redis client. A part is
a file name in *package*'s ``lua/`` folder, or a ``(package, name)`` pair for a file of
another package's ``lua/`` folder (the polite queue's scripts start with the frontier's
library). The files are read with :mod:`importlib.resources`, so they load the same from a
source checkout, a wheel or the zipped egg that scrapyd runs.
"""

from __future__ import annotations

from importlib.resources import files

import redis
from redis.commands.core import Script

Part = str | tuple[str, str]  # a file name in the package, or (package, file name)


def source(package: str, *parts: Part) -> str:
    """The text of the *parts* (see the module docstring), joined in order by newlines."""
    if not parts:
        raise ValueError("give at least one Lua file name")
    texts = []
    for part in parts:
        owner, name = (package, part) if isinstance(part, str) else part
        texts.append(files(owner).joinpath("lua").joinpath(name).read_text(encoding="utf-8"))
    return "\n".join(texts)


def register(server: redis.Redis, package: str, *parts: Part) -> Script:
    """The *parts*, joined, as a script registered on *server*."""
    return server.register_script(source(package, *parts))
