"""fetch_all against servers that send what real servers sometimes do: validators no server
should take back, redirects to schemes that are not http (real loopback HTTP)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from werkzeug.wrappers import Response

from planner.adapters.feeds import MAX_VALIDATOR, FeedRequest, fetch_all, shutdown_parse_pool, valid_validator

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Example feed</title>
<item><title>First post</title><link>http://example.com/1</link><guid>g1</guid></item>
</channel></rss>"""
HUGE_ETAG = '"' + "a" * 100_000 + '\x1b[31m"'


@pytest.fixture(scope="module", autouse=True)
def feeds_stop_pool():
    yield
    shutdown_parse_pool()


async def fetch_one(req: FeedRequest, **kw):
    [res] = await fetch_all([req], now=NOW, use_pool=False, **kw)
    return res


def picky(request):
    """A server like the one in the report: 431 to any conditional request."""
    if "If-None-Match" in request.headers or "If-Modified-Since" in request.headers:
        return Response("Request Header Fields Too Large", status=431)
    return Response(RSS, content_type="application/rss+xml", headers={"ETag": '"v2"'})


@pytest.mark.parametrize(
    "value, ok",
    [
        ('"v1"', True),
        ('W/"5e-1a"', True),
        ("Tue, 24 Nov 2026 08:00:00 GMT", True),
        (HUGE_ETAG, False),
        ('"a\x1bb"', False),
        ('"caf\u00e9"', False),
        ("", False),
        (None, False),
        ('"' + "a" * (MAX_VALIDATOR - 2) + '"', True),
        ('"' + "a" * (MAX_VALIDATOR - 1) + '"', False),
        ('"a\r\nX-Injected: 1"', False),
    ],
)
def test_validators_are_bounded_visible_ascii(value, ok):
    assert (valid_validator(value) == value.strip()) if ok else valid_validator(value) is None


async def test_a_stored_100kb_etag_with_esc_is_never_sent(httpserver):
    httpserver.expect_request("/feed").respond_with_handler(picky)
    res = await fetch_one(
        FeedRequest(1, httpserver.url_for("/feed"), etag=HUGE_ETAG, last_modified="Tue, 24 Nov 2026 08:00:00 GMT\x1b")
    )
    assert res.status == "ok", res.error
    assert res.etag == '"v2"' and res.last_modified is None  # the bad ones are not kept either
    [(request, _)] = httpserver.log
    assert "If-None-Match" not in request.headers and "If-Modified-Since" not in request.headers


@pytest.mark.parametrize("status", [400, 431])
async def test_a_4xx_for_the_request_headers_drops_the_validators_and_retries_once(httpserver, status):
    def refuses(request):
        if "If-None-Match" in request.headers:
            return Response("no", status=status)
        return Response(RSS, content_type="application/rss+xml")

    httpserver.expect_request("/feed").respond_with_handler(refuses)
    res = await fetch_one(
        FeedRequest(1, httpserver.url_for("/feed"), etag='"v1"', last_modified="Tue, 24 Nov 2026 08:00:00 GMT")
    )
    assert res.status == "ok", res.error
    assert res.etag is None and res.last_modified is None  # dropped, so never sent again
    assert [("If-None-Match" in r.headers) for r, _ in httpserver.log] == [True, False]


@pytest.mark.parametrize("status", [400, 431])
async def test_a_retry_without_validators_that_fails_again_keeps_no_validators(httpserver, status):
    """The 4xx may or may not have been the validators' fault: after a retry without them fails
    too, they are not kept, so the next refresh does not send them again and meet the same 4xx."""
    httpserver.expect_request("/feed").respond_with_data("no", status=status)
    res = await fetch_one(
        FeedRequest(1, httpserver.url_for("/feed"), etag='"v1"', last_modified="Tue, 24 Nov 2026 08:00:00 GMT")
    )
    assert res.status == "error" and res.http_status == status
    assert res.etag is None and res.last_modified is None
    assert [("If-None-Match" in r.headers) for r, _ in httpserver.log] == [True, False]


async def test_a_failure_that_is_not_the_validators_keeps_them(httpserver):
    httpserver.expect_request("/feed").respond_with_data("down", status=503)
    res = await fetch_one(FeedRequest(1, httpserver.url_for("/feed"), etag='"v1"'))
    assert res.status == "error" and res.etag == '"v1"'  # the next good fetch may still answer 304


async def test_a_4xx_without_validators_is_not_retried(httpserver):
    httpserver.expect_request("/feed").respond_with_data("bad", status=400)
    res = await fetch_one(FeedRequest(1, httpserver.url_for("/feed")))
    assert res.status == "error" and res.error == "HTTP 400 Bad Request"
    assert len(httpserver.log) == 1


async def test_an_invalid_etag_from_the_server_is_not_stored(httpserver):
    httpserver.expect_request("/feed").respond_with_data(
        RSS, content_type="application/rss+xml", headers={"ETag": '"' + "b" * 5000 + '"'}
    )
    res = await fetch_one(FeedRequest(1, httpserver.url_for("/feed"), etag='"old"'))
    assert res.status == "ok" and res.etag is None


class RawResponse(Response):
    """Sends its headers as set: werkzeug would percent-encode a Location (and fail on some)."""

    def get_wsgi_headers(self, environ):
        return self.headers.copy()


def redirect_to(location: str, status: int = 302) -> RawResponse:
    return RawResponse("", status=status, headers={"Location": location})


@pytest.mark.parametrize(
    "location, shown",
    [
        ("javascript:alert(1)", "javascript:alert(1)"),  # httpx itself failed on these, naming the feed
        ("JavaScript:void(0)", "JavaScript:void(0)"),
        ("data:text/xml,<rss/>", "data:text/xml,<rss/>"),
        ("ftp://example.com/feed", "ftp://example.com/feed"),
        ("file:///etc/passwd", "file:///etc/passwd"),
        ("javascript:\x01alert(1)\x1b[31m", "javascript:alert(1)"),  # made printable
        ("javascript:" + "a" * 70_000, "javascript:" + "a" * 188 + "…"),  # "URL too long" to httpx
    ],
)
async def test_a_redirect_to_a_non_http_scheme_names_the_target(httpserver, location, shown):
    httpserver.expect_request("/feed").respond_with_response(redirect_to(location))
    res = await fetch_one(FeedRequest(1, httpserver.url_for("/feed")))
    assert res.status == "error"
    assert res.error == f"redirected to a non-http URL: {shown}", res.error


@pytest.mark.parametrize("location", ["http://[::1/feed", "http://127.0.0.1:80x/feed"])
async def test_a_redirect_to_an_unparsable_http_url_names_it(httpserver, location):
    httpserver.expect_request("/feed").respond_with_response(redirect_to(location, 301))
    res = await fetch_one(FeedRequest(1, httpserver.url_for("/feed")))
    assert res.status == "error"
    assert res.error.startswith(f"redirected to an invalid URL: {location!r}"), res.error
