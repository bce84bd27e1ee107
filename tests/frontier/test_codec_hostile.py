"""Values in the shared queue that no worker wrote: each is one dropped request (logged,
counted in ``frontier/requests/unreadable``, recorded as failed), never a crashed worker."""

from __future__ import annotations

import json
from typing import Any

import pytest
from scrapy import Request, Spider

from benchcrawl.frontier.queue import queued
from benchcrawl.frontier.serialize import RequestCodec
from tests.support.growth import LINEAR, doubling_ratio
from tests.support.idna import idna_labels
from tests.support.redis_server import RedisServer


class _Spider(Spider):
    name = "hostile"

    def parse_item(self, response: Any) -> None: ...


GOOD = RequestCodec(_Spider()).encode(Request("http://127.0.0.1/x", meta={"k": 1}))
# format 1, written by older versions and still read
GOOD_V1 = (
    '{"v":1,"url":"http://127.0.0.1/x","headers":[],"body":"","meta":{},"cookies":{},'
    '"cb_kwargs":{},"callback":null,"errback":null,"encoding":"utf-8","flags":[],'
    '"dont_filter":false,"method":"GET","priority":0}'
)


def _with(**changes: Any) -> str:
    d = json.loads(GOOD_V1)
    d.update(changes)
    return json.dumps(d)


def _v2(*items: Any, **fields: Any) -> str:
    """A format-2 array: *items* after the URL, then *fields* as its object."""
    return json.dumps(["http://127.0.0.1/x", *items, *([fields] if fields else [])])


CJK = "".join(chr(0x4E00 + i) for i in range(16_000))
GARBAGE = [
    "not json",
    "\xff\xfe",
    "[1, 2]",
    "null",
    "[" * 100_000,
    "1" * 5_000,
    '{"v": 1, "x": NaN}',
    '{"v": 1, "x": 1e999}',
    _with(v=2),
    _with(url=7),
    _with(url="no scheme"),
    _with(url=f"http://{CJK}.com/"),  # Request() would IDNA-encode it for half a minute
    _with(headers="x"),
    _with(headers=[["a"]]),
    _with(headers=[["a", [{"base64": 1}]]]),
    _with(headers=[["a", ["\ud800"]]]),
    _with(body="@@@"),
    _with(body="é"),
    _with(meta=[]),
    _with(cb_kwargs=None),
    _with(callback="no_such_method"),
    _with(callback="__class__"),
    _with(callback="name"),
    _with(errback=3),
    _with(priority="high"),
    _with(encoding="utfm-8"),  # found by tests/fuzz/fuzz_codec.py: LookupError
    _with(**{"class": "os.system"}),
    _with(**{"class": "scrapy.Spider"}),
    _with(**{"class": "antigravity.Request"}),  # not loaded: never imported
    _with(**{"class": 5}),
    "[]",
    '["http://127.0.0.1/x", null, null, {}, 5]',
    "[7]",
    _v2("no_such_method"),
    _v2(None, 3),
    _v2(None, None, 1),
    _v2(None, None, q=1),  # an unknown field
    _v2(None, None, h="x"),
    _v2(None, None, h=[["a", [{"base64": "@@"}]]]),
    _v2(None, None, b={"base64": "é"}),
    _v2(None, None, b=5),
    _v2(None, None, d=[]),
    _v2(None, None, k=3),
    _v2(None, None, a=None),
    _v2(None, None, p="high"),
    _v2(None, None, e="utfm-8"),
    _v2(None, None, m=5),
    _v2(None, None, c="os.system"),
    _v2(None, None, c="antigravity.Request"),
    _v2(None, None, x=[1]),
    _v2(None, None, c="scrapy.http.JsonRequest", x={"url": "http://evil/"}),
    "http://127.0.0.1/x parse_item parse_item parse_item",  # the plain form: 3 items at most
    "http://127.0.0.1/x  parse_item",
    "http://127.0.0.1/x __init__",
    "no-scheme parse_item",
    "http://[::1 parse_item",
    "u://\x01\x00\x0e\x0e: parse_item",  # found by tests/fuzz/fuzz_codec.py: not idempotent
]


@pytest.mark.timeout(20)
@pytest.mark.parametrize("data", GARBAGE, ids=range(len(GARBAGE)))
def test_decode_raises_only_value_error(data: str) -> None:
    import sys

    with pytest.raises(ValueError) as info:
        RequestCodec(_Spider()).decode(data)
    assert len(str(info.value)) < 300  # the reason goes into the failed record
    assert "antigravity" not in sys.modules


@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    "make",
    [
        lambda n: "[" * n,  # deep nesting: refused, not recursed into
        lambda n: "1" * n,  # a huge integer: refused by the digit limit
        lambda n: _with(url="http://h/" + "a" * n),  # a long URL is read in one pass
        lambda n: _with(headers=[["a", ["b" * n]]]),
        lambda n: _v2(None, None, d={"k": "v" * n}),
        lambda n: "http://h/" + "a" * n + " parse_item",
        lambda n: " " * n,
    ],
    ids=["nesting", "digits", "url", "header", "meta", "plain", "spaces"],
)
def test_decode_time_grows_linearly_with_the_value(make: Any) -> None:
    codec = RequestCodec(_Spider())
    values = {n: make(n) for n in (100_000, 400_000)}

    def decode(n: int) -> None:
        try:
            codec.decode(values[n])
        except ValueError:
            pass

    assert doubling_ratio(decode, 100_000) < LINEAR


def test_plain_text_that_is_not_utf_8_is_refused() -> None:
    with pytest.raises(ValueError, match="neither JSON nor UTF-8"):
        RequestCodec(_Spider()).decode(b"http://127.0.0.1/\xff parse_item")


def test_a_long_non_ascii_host_is_refused_before_idna(monkeypatch) -> None:
    encoded = idna_labels(monkeypatch)
    with pytest.raises(ValueError, match="longer than DNS allows"):
        RequestCodec(_Spider()).decode(_with(url=f"http://{CJK}.com/"))
    assert encoded == []  # the quadratic punycode step never ran


def test_decode_still_reads_what_encode_wrote() -> None:
    from scrapy.http import FormRequest

    codec = RequestCodec(_Spider())
    request = codec.decode(_with(callback="parse_item"))
    assert request.url == "http://127.0.0.1/x" and request.callback == codec.spider.parse_item
    form = codec.decode(codec.encode(FormRequest("http://127.0.0.1/f", formdata={"a": "1"})))
    assert type(form) is FormRequest


@pytest.mark.slow
@pytest.mark.timeout(90)
def test_a_crawl_drops_garbage_in_the_queue_and_fetches_every_page(
    make_farm, start_worker, redis_server: RedisServer
) -> None:
    farm = make_farm(30)
    r = redis_server.client()
    # straight into the key schema (benchcrawl/frontier/__init__.py), ahead of any real
    # request: high priority, ids that sort first
    garbage = [g.replace("hostile", "farm") for g in GARBAGE]
    for i, value in enumerate(garbage):
        lease_id = f"ffff{i:012x}"  # far above the ids of the sequence counter
        r.hset("farm:requests:data", lease_id, value)
        r.zadd("farm:requests", {lease_id: -1000})
    worker = start_worker(farm)
    assert worker.wait(60) == 0, worker.log[-3000:]
    assert set(farm.fetches()) == {f"/p/{i}.html" for i in range(30)}
    failed = r.hgetall("farm:requests:failed")
    assert len(failed) == len(garbage), (
        sorted(set(range(len(garbage))) - {int(k, 16) for k in failed}),
        r.zrange("farm:requests", 0, -1),
    )
    assert f"'frontier/requests/unreadable': {len(garbage)}" in worker.log, worker.log[-3000:]
    assert "Traceback" not in worker.log
    assert all(json.loads(v)["reason"].startswith("unreadable: ") for v in failed.values())
    assert queued(r, "farm:requests") == 0 and r.zcard("farm:requests:leases") == 0
