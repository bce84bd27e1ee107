"""Fuzz the request codec's ``decode`` (``benchcrawl.frontier.serialize``): JSON read back
from a shared Redis, which anyone with access to it can write.

Contract: ``decode`` raises only ValueError; a request it returns encodes again (the
worker may re-queue it) and decodes to the same URL.
"""

from __future__ import annotations

from typing import Any

import atheris
from _harness import main

with atheris.instrument_imports(include=["benchcrawl"]):
    from scrapy import Spider

    from benchcrawl.frontier.serialize import RequestCodec


class FuzzSpider(Spider):
    name = "fuzz"

    def parse_item(self, response: Any) -> None: ...

    def on_error(self, failure: Any) -> None: ...


CODEC = RequestCodec(FuzzSpider(), ["playwright_page", "download_slot"])


def one_input(data: bytes) -> None:
    try:
        request = CODEC.decode(data)
    except ValueError:
        return
    again = CODEC.decode(CODEC.encode(request))
    assert again.url == request.url and type(again) is type(request)


if __name__ == "__main__":
    main(one_input)
