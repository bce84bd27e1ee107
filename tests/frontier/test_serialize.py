"""Requests survive the trip through the shared queue as JSON, or fail loudly at enqueue."""

from __future__ import annotations

import json
from typing import Any

import pytest
from scrapy import Request, Spider
from scrapy.http import FormRequest, JsonRequest

from benchcrawl.exceptions import RequestNotSerializable
from benchcrawl.frontier.lease import LEASE_KEY, LeaseErrback
from benchcrawl.frontier.serialize import RequestCodec


class _Spider(Spider):
    name = "roundtrip"

    def parse_item(self, response: Any) -> None: ...

    def on_error(self, failure: Any) -> None: ...


@pytest.fixture
def codec() -> RequestCodec:
    return RequestCodec(_Spider(), ["playwright_page", "download_slot"])


def _same(a: Request, b: Request) -> None:
    assert type(a) is type(b)
    for attr in (
        "url",
        "method",
        "body",
        "cookies",
        "cb_kwargs",
        "priority",
        "dont_filter",
        "flags",
        "encoding",
        "callback",
        "errback",
    ):
        assert getattr(a, attr) == getattr(b, attr), attr
    assert a.headers.to_unicode_dict() == b.headers.to_unicode_dict()
    assert dict(a.headers) == dict(b.headers)


def test_every_attribute_round_trips(codec: RequestCodec) -> None:
    spider = codec.spider
    request = Request(
        "https://example.com/a?q=1",
        method="POST",
        headers={"X-Token": "abc", "X-Raw": b"\xff\xfe", "Accept": ["a/b", "c/d"]},
        body=b"\x00\x01binary\xff",
        cookies={"session": "s1"},
        meta={"depth": 3, "nested": {"a": [1, 2.5, None, True]}, "text": "é"},
        callback=spider.parse_item,
        errback=spider.on_error,
        cb_kwargs={"page": 2, "tags": ["x"]},
        priority=-7,
        dont_filter=True,
        flags=["retry"],
        encoding="latin-1",
    )
    data = codec.encode(request)
    assert b"pickle" not in data.encode() and isinstance(json.loads(data), list)  # format 2
    back = codec.decode(data)
    _same(request, back)
    assert back.meta == request.meta
    assert back.headers.getlist("Accept") == [b"a/b", b"c/d"]
    assert back.headers["X-Raw"] == b"\xff\xfe"


def test_request_subclasses_round_trip(codec: RequestCodec) -> None:
    form = FormRequest("https://example.com/f", formdata={"a": "1"})
    json_req = JsonRequest("https://example.com/j", data={"k": [1, 2]})
    for request in (form, json_req):
        back = codec.decode(codec.encode(request))
        _same(request, back)


def test_non_serializable_meta_names_the_key(codec: RequestCodec) -> None:
    request = Request("https://example.com/", meta={"ok": 1, "handle": object()})
    with pytest.raises(RequestNotSerializable, match=r"meta\['handle'\] holds a object"):
        codec.encode(request)
    nested = Request("https://example.com/", meta={"cfg": {"when": {1, 2}}})
    with pytest.raises(RequestNotSerializable, match=r"meta\['cfg'\]\['when'\] holds a set"):
        codec.encode(nested)
    with pytest.raises(RequestNotSerializable, match=r"cb_kwargs\['b'\] holds a bytes"):
        codec.encode(Request("https://example.com/", cb_kwargs={"b": b"x"}))
    with pytest.raises(RequestNotSerializable, match="has a int key"):
        codec.encode(Request("https://example.com/", meta={"m": {1: "x"}}))
    with pytest.raises(RequestNotSerializable, match="float"):
        codec.encode(Request("https://example.com/", meta={"x": float("nan")}))


def test_callback_must_be_a_spider_method(codec: RequestCodec) -> None:
    with pytest.raises(RequestNotSerializable, match="not a method of spider 'roundtrip'"):
        codec.encode(Request("https://example.com/", callback=lambda r: None))


def test_transient_and_private_meta_are_dropped(codec: RequestCodec) -> None:
    spider = codec.spider
    request = Request(
        "https://example.com/",
        meta={
            "playwright_page": object(),
            "download_slot": "example.com",
            "_scheme_proxy": False,
            LEASE_KEY: "00000000000000a1",
            "keep": "me",
        },
        errback=LeaseErrback("00000000000000a1", spider.on_error, lambda *a: None, print),
    )
    back = codec.decode(codec.encode(request))
    assert back.meta == {"keep": "me"}
    assert back.errback == spider.on_error  # the lease wrapper never travels


def test_tuples_arrive_as_lists(codec: RequestCodec) -> None:
    back = codec.decode(codec.encode(Request("https://example.com/", meta={"t": (1, "a")})))
    assert back.meta["t"] == [1, "a"]


def test_a_plain_request_is_its_url_and_callback_names(codec: RequestCodec) -> None:
    spider = codec.spider
    request = Request("https://example.com/a", callback=spider.parse_item, errback=spider.on_error)
    data = codec.encode(request)
    assert data == "https://example.com/a parse_item on_error"  # the plain form
    assert codec.encode(Request("https://example.com/b")) == "https://example.com/b"
    spaced = Request("https://example.com/a b", callback=spider.parse_item)
    assert codec.encode(spaced) == "https://example.com/a%20b parse_item"
    alone = Request("https://example.com/", errback=spider.on_error)
    assert codec.encode(alone) == '["https://example.com/",null,"on_error"]'
    _same(alone, codec.decode(codec.encode(alone)))
    back = codec.decode(data)
    _same(request, back)
    assert back.meta == {} and back.headers == {}


def test_only_defaults_are_left_out(codec: RequestCodec) -> None:
    """Each attribute a user sets travels, alone, even when another is at its default."""
    changes: list[dict[str, Any]] = [
        {"method": "HEAD"},
        {"headers": {"Referer": "https://example.com/"}},
        {"body": b"q=1"},
        {"meta": {"depth": 0}},
        {"cookies": [{"name": "a", "value": "b"}]},
        {"cb_kwargs": {"n": 0}},
        {"priority": -1},
        {"dont_filter": True},
        {"encoding": "cp1252"},
        {"flags": ["x"]},
        {"errback": codec.spider.on_error},
    ]
    for change in changes:
        request = Request("https://example.com/", **change)
        back = codec.decode(codec.encode(request))
        _same(request, back)
        assert back.meta == request.meta


def test_requests_an_older_version_queued_still_decode(codec: RequestCodec) -> None:
    """Format 1, as 0.x wrote it: every field spelled out."""
    old = (
        '{"v":1,"url":"https://example.com/p","headers":[["Referer",["https://example.com/"]]],'
        '"body":"eD0x","meta":{"depth":2},"cookies":{},"cb_kwargs":{"n":1},'
        '"callback":"parse_item","errback":"on_error","encoding":"utf-8","flags":[],'
        '"dont_filter":false,"method":"POST","priority":-3}'
    )
    back = codec.decode(old)
    assert (back.url, back.method, back.body, back.priority) == (
        "https://example.com/p",
        "POST",
        b"x=1",
        -3,
    )
    assert back.meta == {"depth": 2} and back.cb_kwargs == {"n": 1}
    assert back.headers["Referer"] == b"https://example.com/"
    assert back.callback == codec.spider.parse_item and back.errback == codec.spider.on_error
    _same(back, codec.decode(codec.encode(back)))  # and it is written in the new format


def test_format_2_is_a_third_of_format_1(codec: RequestCodec) -> None:
    spider = codec.spider
    request = Request(
        "https://www.example.com/articles/0000123.html",
        callback=spider.parse_item,
        errback=spider.on_error,
    )
    old = {
        "v": 1,
        "url": request.url,
        "headers": [],
        "body": "",
        "meta": {},
        "cookies": {},
        "cb_kwargs": {},
        "callback": "parse_item",
        "errback": "on_error",
        "encoding": "utf-8",
        "flags": [],
        "dont_filter": False,
        "method": "GET",
        "priority": 0,
    }
    assert codec.decode(json.dumps(old)).url == request.url
    assert len(codec.encode(request)) * 3 <= len(json.dumps(old, separators=(",", ":")))
