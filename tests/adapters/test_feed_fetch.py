"""fetch_all against real loopback HTTP servers (pytest-httpserver) and local files."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from werkzeug.wrappers import Response

from planner.adapters.feeds import USER_AGENT, FeedRequest, fetch_all, shutdown_parse_pool

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)

RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Example feed</title>
<item><title>First post</title><link>http://example.com/1</link><guid>g1</guid>
<description>Hello &lt;b&gt;world&lt;/b&gt;</description>
<pubDate>Mon, 23 Nov 2026 10:00:00 GMT</pubDate></item>
<item><title>Second post</title><link>http://example.com/2</link><guid>g2</guid></item>
</channel></rss>"""


def feed_bytes(n: int) -> bytes:
    items = "".join(f"<item><title>Post {i}</title><guid>p{i}</guid></item>" for i in range(n))
    return f'<rss version="2.0"><channel><title>F</title>{items}</channel></rss>'.encode()


@pytest.fixture(scope="module", autouse=True)
def feeds_stop_pool():
    yield
    shutdown_parse_pool()


async def fetch_one(req: FeedRequest, **kw):
    kw.setdefault("now", NOW)
    kw.setdefault("use_pool", False)
    [res] = await fetch_all([req], **kw)
    return res


async def test_200_with_entries_sends_user_agent(httpserver):
    httpserver.expect_request("/feed").respond_with_data(
        RSS,
        content_type="application/rss+xml",
        headers={"ETag": '"v1"', "Last-Modified": "Tue, 24 Nov 2026 08:00:00 GMT"},
    )
    res = await fetch_one(FeedRequest(1, httpserver.url_for("/feed")))
    assert res.status == "ok", res.error
    assert res.http_status == 200
    assert res.feed_title == "Example feed"
    assert [e.title for e in res.entries] == ["First post", "Second post"]
    assert res.entries[0].summary == "Hello world"
    assert res.entries[0].published_at == datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    assert res.etag == '"v1"' and res.last_modified == "Tue, 24 Nov 2026 08:00:00 GMT"
    assert res.content_hash and len(res.content_hash) == 64
    request, _ = httpserver.log[0]
    assert request.headers["User-Agent"] == USER_AGENT
    assert "If-None-Match" not in request.headers


async def test_304_with_etag(httpserver):
    httpserver.expect_request("/feed", headers={"If-None-Match": '"v1"'}).respond_with_data(
        "", status=304, headers={"ETag": '"v1"'}
    )
    res = await fetch_one(FeedRequest(1, httpserver.url_for("/feed"), etag='"v1"', content_hash="abc"))
    assert res.status == "not_modified"
    assert res.http_status == 304
    assert res.entries == []
    assert res.etag == '"v1"' and res.content_hash == "abc"
    request, _ = httpserver.log[0]
    assert request.headers["If-None-Match"] == '"v1"'


async def test_304_with_last_modified(httpserver):
    stamp = "Tue, 24 Nov 2026 08:00:00 GMT"
    httpserver.expect_request("/feed", headers={"If-Modified-Since": stamp}).respond_with_data("", status=304)
    res = await fetch_one(FeedRequest(1, httpserver.url_for("/feed"), last_modified=stamp))
    assert res.status == "not_modified"
    assert res.last_modified == stamp
    request, _ = httpserver.log[0]
    assert request.headers["If-Modified-Since"] == stamp
    assert "If-None-Match" not in request.headers


async def test_permanent_redirect_sets_new_url(httpserver):
    new = httpserver.url_for("/new")
    httpserver.expect_request("/old").respond_with_data("", status=301, headers={"Location": "/new"})
    httpserver.expect_request("/new").respond_with_data(RSS, content_type="application/rss+xml")
    res = await fetch_one(FeedRequest(1, httpserver.url_for("/old")))
    assert res.status == "ok"
    assert res.new_url == new
    assert len(res.entries) == 2


async def test_308_then_302_keeps_only_the_permanent_hop(httpserver):
    httpserver.expect_request("/a").respond_with_data("", status=308, headers={"Location": "/b"})
    httpserver.expect_request("/b").respond_with_data("", status=302, headers={"Location": "/c"})
    httpserver.expect_request("/c").respond_with_data(RSS, content_type="application/rss+xml")
    res = await fetch_one(FeedRequest(1, httpserver.url_for("/a")))
    assert res.status == "ok"
    assert res.new_url == httpserver.url_for("/b")


async def test_temporary_redirect_does_not_set_new_url(httpserver):
    httpserver.expect_request("/old").respond_with_data("", status=302, headers={"Location": "/tmp"})
    httpserver.expect_request("/tmp").respond_with_data(RSS, content_type="application/rss+xml")
    res = await fetch_one(FeedRequest(1, httpserver.url_for("/old")))
    assert res.status == "ok"
    assert res.new_url is None
    assert len(res.entries) == 2


async def test_redirect_loop_is_an_error(httpserver):
    httpserver.expect_request("/loop").respond_with_data("", status=302, headers={"Location": "/loop"})
    res = await fetch_one(FeedRequest(1, httpserver.url_for("/loop")), max_redirects=3)
    assert res.status == "error"
    assert res.error.startswith("more than 3 redirects")


@pytest.mark.parametrize("status,reason", [(404, "Not Found"), (410, "Gone")])
async def test_404_410_message_and_disable_after_n(httpserver, status, reason):
    httpserver.expect_request("/gone").respond_with_data("nope", status=status)
    url = httpserver.url_for("/gone")
    first = await fetch_one(FeedRequest(1, url))
    assert first.status == "error"
    assert first.error == f"HTTP {status} {reason}"
    assert first.http_status == status
    assert first.failure_count == 1 and not first.disable
    second = await fetch_one(FeedRequest(1, url, failure_count=1))
    assert not second.disable
    third = await fetch_one(FeedRequest(1, url, failure_count=2))
    assert third.disable
    assert third.failure_count == 3
    assert "feed disabled" in third.error and f"HTTP {status}" in third.error
    early = await fetch_one(FeedRequest(1, url, failure_count=1), disable_after=2)
    assert early.disable


async def test_429_retry_after_seconds_then_skipped(httpserver):
    httpserver.expect_request("/busy").respond_with_data("slow down", status=429, headers={"Retry-After": "120"})
    url = httpserver.url_for("/busy")
    res = await fetch_one(FeedRequest(1, url))
    assert res.status == "error"
    assert res.error == "HTTP 429 Too Many Requests"
    assert res.retry_after == NOW + timedelta(seconds=120)
    later = await fetch_one(FeedRequest(1, url, retry_after_until=res.retry_after), now=NOW + timedelta(seconds=60))
    assert later.status == "skipped"
    assert later.retry_after == res.retry_after
    assert len(httpserver.log) == 1  # no request was made inside the window
    after = await fetch_one(FeedRequest(1, url, retry_after_until=res.retry_after), now=NOW + timedelta(seconds=121))
    assert after.status == "error"
    assert len(httpserver.log) == 2


async def test_503_retry_after_http_date(httpserver):
    httpserver.expect_request("/busy").respond_with_data(
        "", status=503, headers={"Retry-After": "Wed, 25 Nov 2026 13:30:00 GMT"}
    )
    res = await fetch_one(FeedRequest(1, httpserver.url_for("/busy")))
    assert res.status == "error"
    assert res.error.startswith("HTTP 503")
    assert res.retry_after == datetime(2026, 11, 25, 13, 30, tzinfo=UTC)
    later = await fetch_one(
        FeedRequest(1, httpserver.url_for("/busy"), retry_after_until=res.retry_after),
        now=datetime(2026, 11, 25, 13, 0, tzinfo=UTC),
    )
    assert later.status == "skipped"


async def test_500_is_an_error_without_disable(httpserver):
    httpserver.expect_request("/err").respond_with_data("boom", status=500)
    res = await fetch_one(FeedRequest(1, httpserver.url_for("/err"), failure_count=5, etag='"old"', content_hash="h"))
    assert res.status == "error"
    assert res.error == "HTTP 500 Internal Server Error"
    assert not res.disable
    assert res.retry_after is None
    assert res.failure_count == 6
    assert res.etag == '"old"' and res.content_hash == "h"  # validators kept


async def test_read_timeout_gives_readable_error(httpserver):
    def slow(request):
        time.sleep(1.0)
        return Response(RSS, content_type="application/rss+xml")

    httpserver.expect_request("/slow").respond_with_handler(slow)
    url = httpserver.url_for("/slow")
    res = await fetch_one(FeedRequest(1, url), read_timeout=0.2)
    assert res.status == "error"
    assert res.error == f"timed out after 0.2 s waiting for {urlsplit(url).hostname}"


async def test_oversized_body_with_content_length_is_refused(httpserver):
    httpserver.expect_request("/big").respond_with_data(feed_bytes(200), content_type="application/rss+xml")
    res = await fetch_one(FeedRequest(1, httpserver.url_for("/big")), max_bytes=1000)
    assert res.status == "error"
    assert res.error == "response larger than 0.001 MB"


async def test_oversized_streamed_body_is_refused(httpserver):
    def chunks():
        for _ in range(100):
            yield b"<!--" + b"x" * 1000 + b"-->"

    httpserver.expect_request("/stream").respond_with_response(Response(chunks(), content_type="application/rss+xml"))
    res = await fetch_one(FeedRequest(1, httpserver.url_for("/stream")), max_bytes=20_000)
    assert res.status == "error"
    assert res.error.startswith("response larger than")


async def test_html_page_is_not_a_feed(httpserver):
    httpserver.expect_request("/page").respond_with_data(
        "<html><head><title>Home</title></head><body><p>Welcome</p></body></html>",
        content_type="text/html; charset=utf-8",
    )
    res = await fetch_one(FeedRequest(1, httpserver.url_for("/page")))
    assert res.status == "error"
    assert res.error.startswith("not a feed: got text/html with no entries")
    assert res.content_hash is None  # a failed parse doesn't advance the stored hash


async def test_same_body_when_server_ignores_conditional_get_is_unchanged(httpserver):
    httpserver.expect_request("/feed").respond_with_data(RSS, content_type="application/rss+xml")
    url = httpserver.url_for("/feed")
    first = await fetch_one(FeedRequest(1, url))
    assert first.status == "ok" and len(first.entries) == 2
    second = await fetch_one(FeedRequest(1, url, content_hash=first.content_hash))
    assert second.status == "unchanged"
    assert second.http_status == 200
    assert second.entries == []
    assert second.content_hash == first.content_hash


async def test_broken_feed_among_good_ones_with_process_pool(httpserver):
    for i in range(6):
        httpserver.expect_request(f"/good{i}").respond_with_data(feed_bytes(i + 1), content_type="application/rss+xml")
    httpserver.expect_request("/bad").respond_with_data("boom", status=500)
    httpserver.expect_request("/junk").respond_with_data(b"\x00\xff garbage <<<", content_type="application/xml")
    reqs = [FeedRequest(i, httpserver.url_for(f"/good{i}")) for i in range(6)]
    reqs.insert(2, FeedRequest(100, httpserver.url_for("/bad")))
    reqs.insert(5, FeedRequest(101, httpserver.url_for("/junk")))
    reqs.append(FeedRequest(102, "http://127.0.0.1:1/refused"))
    seen = []
    results = await fetch_all(reqs, now=NOW, use_pool=True, progress=seen.append)
    by_id = {r.feed_id: r for r in results}
    assert [r.feed_id for r in results] == [q.feed_id for q in reqs]  # request order
    assert sorted(r.feed_id for r in seen) == sorted(q.feed_id for q in reqs)
    for i in range(6):
        assert by_id[i].status == "ok", by_id[i].error
        assert len(by_id[i].entries) == i + 1
    assert by_id[100].error == "HTTP 500 Internal Server Error"
    assert by_id[101].status == "error" and by_id[101].error.startswith("not a feed")
    assert by_id[102].status == "error"
    assert by_id[102].error.startswith("could not connect to 127.0.0.1")


async def test_file_url_and_local_path(tmp_path):
    path = tmp_path / "feed.xml"
    path.write_bytes(RSS)
    for url in (path.as_uri(), str(path)):
        res = await fetch_one(FeedRequest(1, url))
        assert res.status == "ok", res.error
        assert len(res.entries) == 2
        assert res.last_modified and res.last_modified.endswith("GMT")
        again = await fetch_one(FeedRequest(1, url, last_modified=res.last_modified, content_hash=res.content_hash))
        assert again.status == "not_modified"
        stamp = path.stat().st_mtime + 100
        os.utime(path, (stamp, stamp))  # touched but same bytes: the hash shortcut
        touched = await fetch_one(FeedRequest(1, url, last_modified=res.last_modified, content_hash=res.content_hash))
        assert touched.status == "unchanged"
        assert touched.last_modified != res.last_modified
    missing = await fetch_one(FeedRequest(2, str(tmp_path / "nope.xml")))
    assert missing.status == "error"
    assert missing.error.startswith("cannot read ") and "No such file" in missing.error


async def test_non_http_scheme_is_a_readable_error():
    res = await fetch_one(FeedRequest(1, "ftp://example.com/feed.xml"))
    assert res.status == "error"
    assert res.error == "unsupported URL scheme: 'ftp://example.com/feed.xml'"
