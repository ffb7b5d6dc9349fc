"""Fetching feeds: `fetch_all` and what it needs.

httpx (imported lazily, so the parse workers never load it), a global and a per-host concurrency
cap, conditional GET with validators fit to send back, a streamed body with a size cap, manual
redirects so permanent moves are reported, Retry-After honoured, local files, readable errors.
A body whose sha256 matches the last one parsed is not parsed again ("unchanged").
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from http import HTTPStatus
from typing import NamedTuple
from urllib.parse import quote, urlsplit

from planner.adapters.feeds.entries import ParsedEntry
from planner.adapters.feeds.parse import _parse_job
from planner.adapters.feeds.pool import POOL_MIN_FEEDS, _get_pool
from planner.adapters.feeds.urls import _host_of, _is_local, _local_path
from planner.adapters.sanitize import clean_text

USER_AGENT = "planner/0.1 (+feeds)"


# A Retry-After further away than this is treated as this (a hostile or buggy header must
# not silence a feed for years).
RETRY_AFTER_MAX = timedelta(days=7)
# An ETag is a hash or a version (tens of characters), an HTTP-date 29: a longer validator is a
# server's bug, and sent back on every request it can get the feed refused for good (431).
MAX_VALIDATOR = 1024
# RFC 9110: entity-tag characters and HTTP-dates are visible ASCII (spaces inside a date)
_VALIDATOR = re.compile(r"[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?")


@dataclass
class FeedRequest:
    feed_id: int
    url: str
    etag: str | None = None
    last_modified: str | None = None
    content_hash: str | None = None  # sha256 hex of the last body parsed
    failure_count: int = 0  # consecutive failures before this fetch
    retry_after_until: datetime | None = None  # aware; don't fetch before this
    http_fallback: bool = False  # an https URL whose scheme was guessed: on failure, try http


@dataclass
class FetchResult:
    feed_id: int
    status: str  # "ok", "not_modified", "unchanged", "error", "skipped"
    http_status: int | None = None
    new_url: str | None = None  # set on a permanent redirect (301/308)
    etag: str | None = None
    last_modified: str | None = None
    content_hash: str | None = None
    feed_title: str | None = None
    entries: list[ParsedEntry] = field(default_factory=list)
    warning: str | None = None
    error: str | None = None
    retry_after: datetime | None = None
    disable: bool = False
    failure_count: int = 0  # consecutive failures including this fetch (0 after a success)
    elapsed: float = 0.0  # seconds, fetch + parse


class _FetchError(Exception):
    def __init__(
        self,
        message: str,
        http_status: int | None = None,
        retry_after: datetime | None = None,
        without_validators: bool = False,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.http_status = http_status
        self.retry_after = retry_after
        # the request was refused with its validators and again without them: keep none
        self.without_validators = without_validators


def _parse_retry_after(value: str | None, now: datetime) -> datetime | None:
    if not value:
        return None
    value = value.strip()
    when: datetime | None
    if value.isdigit():
        when = now + timedelta(seconds=int(value[:9]))
    else:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when is None:
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
    return max(now, min(when, now + RETRY_AFTER_MAX))


def valid_validator(value: str | None) -> str | None:
    """An ETag or Last-Modified value fit to store and send back, else None: at most
    `MAX_VALIDATOR` characters of visible ASCII (no control characters, nothing to inject)."""
    if not value:
        return None
    value = value.strip(" \t")
    if len(value) > MAX_VALIDATOR or not _VALIDATOR.fullmatch(value):
        return None
    return value


class _Fetched(NamedTuple):
    body: bytes | None  # None: 304
    http_status: int | None
    headers: dict
    final_url: str
    new_url: str | None


async def _fetch_http(
    client,
    req: FeedRequest,
    *,
    max_bytes: int,
    max_redirects: int,
    connect_timeout: float,
    read_timeout: float,
    now: datetime,
) -> _Fetched:
    import httpx

    url = req.url
    new_url = None
    permanent_chain = True
    headers = {}
    if req.etag:
        headers["If-None-Match"] = req.etag
    if req.last_modified:
        headers["If-Modified-Since"] = req.last_modified
    for _hop in range(max_redirects + 1):
        host = _host_of(url) or url
        try:
            async with client.stream("GET", url, headers=headers) as resp:
                status = resp.status_code
                if status in (301, 302, 303, 307, 308):
                    location = (resp.headers.get("location") or "").strip()
                    if not location:
                        raise _FetchError(f"HTTP {status} redirect without a Location", status)
                    target = _redirect_target(resp.url, location, status)
                    if status in (301, 308) and permanent_chain:
                        new_url = target
                    else:
                        permanent_chain = False
                    url = target
                    continue
                resp_headers = {
                    "content-type": resp.headers.get("content-type"),
                    "content-location": resp.headers.get("content-location"),
                    "etag": resp.headers.get("etag"),
                    "last-modified": resp.headers.get("last-modified"),
                }
                if status == 304:
                    return _Fetched(None, status, resp_headers, url, new_url)
                if status >= 400 or status < 200:
                    reason = _reason(status, resp.reason_phrase)
                    retry = None
                    if status in (429, 503):
                        retry = _parse_retry_after(resp.headers.get("retry-after"), now)
                    raise _FetchError(f"HTTP {status} {reason}".strip(), status, retry)
                declared = resp.headers.get("content-length")
                if declared and declared.isdigit() and int(declared) > max_bytes:
                    raise _FetchError(f"response larger than {_mb(max_bytes)}", status)
                chunks: list[bytes] = []
                size = 0
                # aiter_bytes decompresses: the cap applies to what we'd parse (gzip bombs)
                async for chunk in resp.aiter_bytes():
                    size += len(chunk)
                    if size > max_bytes:
                        raise _FetchError(f"response larger than {_mb(max_bytes)}", status)
                    chunks.append(chunk)
                return _Fetched(b"".join(chunks), status, resp_headers, url, new_url)
        except httpx.ConnectTimeout:
            raise _FetchError(f"timed out after {connect_timeout:g} s connecting to {host}") from None
        except (httpx.ReadTimeout, httpx.WriteTimeout, httpx.PoolTimeout):
            raise _FetchError(f"timed out after {read_timeout:g} s waiting for {host}") from None
        except httpx.ConnectError as exc:
            raise _FetchError(f"could not connect to {host}: {_short(exc)}") from None
        except httpx.RemoteProtocolError as exc:
            raise _FetchError(f"{host} broke the connection: {_short(exc)}") from None
        except httpx.DecodingError as exc:
            raise _FetchError(f"could not decode the response from {host}: {_short(exc)}") from None
        except httpx.InvalidURL as exc:
            raise _FetchError(f"invalid URL {url[:200]!r}: {_short(exc)}") from None
        except httpx.UnsupportedProtocol:
            raise _FetchError(f"unsupported URL scheme: {url[:200]!r}") from None
        except httpx.HTTPError as exc:
            raise _FetchError(f"{type(exc).__name__} from {host}: {_short(exc)}") from None
    raise _FetchError(f"more than {max_redirects} redirects (last: {url[:200]})")


def _redirect_target(base, location: str, status: int) -> str:
    """The absolute http(s) URL a redirect points to; an error naming the Location (as sent,
    made printable) for another scheme or a URL that cannot be parsed."""
    import httpx

    shown = clean_text(location, 200, single_line=True)
    try:
        scheme = urlsplit(location).scheme.lower()
    except ValueError:
        scheme = ""
    if scheme and scheme not in ("http", "https"):
        raise _FetchError(f"redirected to a non-http URL: {shown}", status)
    try:
        target = str(base.join(location))
    except (httpx.InvalidURL, ValueError) as exc:
        raise _FetchError(f"redirected to an invalid URL: {shown!r} ({_short(exc)})", status) from None
    if urlsplit(target).scheme not in ("http", "https"):
        raise _FetchError(f"redirected to a non-http URL: {clean_text(target, 200, single_line=True)}", status)
    return target


def _reason(status: int, server_phrase: str | None) -> str:
    # the standard phrase, not the server's: it is untrusted text and often SHOUTED
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return clean_text(server_phrase, 60, single_line=True)


def _mb(n: int) -> str:
    return f"{n / 1_000_000:g} MB"


def _short(exc: BaseException) -> str:
    return clean_text(str(exc) or type(exc).__name__, 200, single_line=True)


def _read_local(req: FeedRequest, max_bytes: int) -> _Fetched:
    path = _local_path(req.url)
    try:
        st = os.stat(path)
    except OSError as exc:
        raise _FetchError(f"cannot read {path}: {exc.strerror or exc}") from None
    last_modified = format_datetime(datetime.fromtimestamp(int(st.st_mtime), UTC), usegmt=True)
    hdrs = {"content-type": None, "content-location": None, "etag": None, "last-modified": last_modified}
    if req.last_modified and req.last_modified == last_modified:
        return _Fetched(None, None, hdrs, req.url, None)
    if st.st_size > max_bytes:
        raise _FetchError(f"file larger than {_mb(max_bytes)}: {path}")
    try:
        with open(path, "rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        raise _FetchError(f"cannot read {path}: {exc.strerror or exc}") from None
    if len(data) > max_bytes:
        raise _FetchError(f"file larger than {_mb(max_bytes)}: {path}")
    base = req.url if req.url.startswith("file:") else "file://" + quote(os.path.abspath(path))
    return _Fetched(data, None, hdrs, base, None)


async def fetch_all(
    requests: list[FeedRequest],
    *,
    concurrency: int = 32,
    per_host: int = 4,
    connect_timeout: float = 10,
    read_timeout: float = 20,
    max_bytes: int = 5_000_000,
    max_redirects: int = 5,
    disable_after: int = 3,
    progress: Callable[[FetchResult], None] | None = None,
    now: datetime | None = None,
    use_pool: bool | None = None,
) -> list[FetchResult]:
    """Fetch and parse every feed; results come back in the order of `requests`.

    Never raises for a feed's own problems: each result carries status and a readable
    `error`/`warning`. `progress` is called (in the event loop) as each feed finishes.
    `use_pool` forces the process pool on or off (default: on for `POOL_MIN_FEEDS` or more).
    """
    _no_failed_import_rescans()
    now = now or datetime.now(UTC)
    if use_pool is None:
        use_pool = len(requests) >= POOL_MIN_FEEDS
    refresh = _Refresh(
        concurrency=concurrency,
        per_host=per_host,
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
        max_bytes=max_bytes,
        max_redirects=max_redirects,
        disable_after=disable_after,
        now=now,
        use_pool=use_pool,
    )
    async with _open_client(concurrency, connect_timeout, read_timeout) as client:
        return list(await asyncio.gather(*(refresh.run(client, r, progress) for r in requests)))


class _Refresh:
    """One `fetch_all` call: its settings, the concurrency caps its fetches share, and the
    parse pool being started for it. Each feed goes `run` -> `fetch_one` -> `fetch` (a local
    file, or `fetch_remote` with the http fallback) -> `parse`."""

    def __init__(
        self,
        *,
        concurrency: int,
        per_host: int,
        connect_timeout: float,
        read_timeout: float,
        max_bytes: int,
        max_redirects: int,
        disable_after: int,
        now: datetime,
        use_pool: bool,
    ) -> None:
        self.per_host = per_host
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self.disable_after = disable_after
        self.now = now
        self.loop = asyncio.get_running_loop()
        # Workers are launched in a thread while the first requests are in flight: their
        # start-up overlaps the network and never blocks the caller's event loop (the TUI's).
        self.pool_ready = asyncio.ensure_future(asyncio.to_thread(_get_pool)) if use_pool else None
        if self.pool_ready is not None:  # a refresh with nothing to parse never awaits it
            self.pool_ready.add_done_callback(lambda f: f.cancelled() or f.exception())
        self.global_sem = asyncio.Semaphore(max(1, concurrency))
        self.host_sems: dict[str, asyncio.Semaphore] = {}
        # Whole-request deadline, so a server dripping one byte per read_timeout can't hold a
        # slot forever.
        self.deadline = connect_timeout + 3 * read_timeout
        self.pool_busy = 0
        self.in_process = asyncio.Semaphore(1)

    async def run(self, client, req: FeedRequest, progress: Callable[[FetchResult], None] | None) -> FetchResult:
        """One feed's result, whatever happens, reported to `progress`."""
        try:
            res = await self.fetch_one(client, req)
        except Exception as exc:  # our bug, not the feed's: still report it per feed
            res = _internal_error(req, exc)
        if progress is not None:
            try:
                progress(res)
            except Exception:
                pass
        return res

    async def fetch_one(self, client, req: FeedRequest) -> FetchResult:
        started = time.perf_counter()
        # a validator no server should get back (huge, control characters) is dropped here,
        # and so is not kept either
        req = replace(req, etag=valid_validator(req.etag), last_modified=valid_validator(req.last_modified))
        result = FetchResult(feed_id=req.feed_id, status="ok", failure_count=req.failure_count)
        if req.retry_after_until is not None and self.now < req.retry_after_until:
            return _skipped(result, req)
        try:
            # `req` becomes the request that got the answer (without validators, over http)
            fetched, req = await self.fetch(client, req)
            _take_validators(result, req, fetched)
            if fetched.body is None:
                result.status = "not_modified"
                result.content_hash = req.content_hash
                result.failure_count = 0
                return result
            digest = hashlib.sha256(fetched.body).hexdigest()
            result.content_hash = digest
            if digest == req.content_hash:
                result.status = "unchanged"
                result.failure_count = 0
                return result
            kind, parsed = await self.parse(fetched.body, fetched.headers, fetched.final_url)
            if kind == "error":
                raise _FetchError(parsed, fetched.http_status)
            result.feed_title, result.entries, result.warning = parsed
            result.failure_count = 0
            return result
        except _FetchError as exc:
            return _failed(result, req, exc, self.disable_after)
        finally:
            result.elapsed = time.perf_counter() - started

    async def fetch(self, client, req: FeedRequest) -> tuple[_Fetched, FeedRequest]:
        """A local file, or a remote feed; an https URL whose scheme was guessed is tried
        over http when https fails."""
        if _is_local(req.url):
            return await asyncio.to_thread(_read_local, req, self.max_bytes), req
        try:
            return await self.fetch_remote(client, req)
        except _FetchError as exc:
            if not (req.http_fallback and req.url.startswith("https://")):
                raise
            plain = replace(req, url="http://" + req.url[len("https://") :], http_fallback=False)
            try:
                fetched, req = await self.fetch_remote(client, plain)
            except _FetchError as exc2:
                raise _FetchError(
                    f"{exc.message}; over http: {exc2.message}",
                    exc2.http_status,
                    exc2.retry_after,
                    exc.without_validators or exc2.without_validators,
                ) from None
            # the feed is at the http URL from now on (a permanent move, as the store sees it)
            return fetched._replace(new_url=fetched.new_url or plain.url), req

    async def fetch_remote(self, client, req: FeedRequest) -> tuple[_Fetched, FeedRequest]:
        """One remote fetch within the caps and the whole-request deadline."""
        host = _host_of(req.url)
        sem = self.host_sems.setdefault(host, asyncio.Semaphore(max(1, self.per_host)))
        async with sem, self.global_sem:
            try:
                return await asyncio.wait_for(self.fetch_with_retry(client, req), self.deadline)
            except TimeoutError:
                raise _FetchError(f"timed out after {self.deadline:g} s fetching {host or req.url[:200]}") from None

    async def fetch_with_retry(self, client, req: FeedRequest) -> tuple[_Fetched, FeedRequest]:
        try:
            return await self.attempt(client, req), req
        except _FetchError as exc:
            # a 400/431 to a conditional GET may be the validators themselves (too long,
            # or a byte the server refuses): drop them and ask once more without
            if exc.http_status not in (400, 431) or not (req.etag or req.last_modified):
                raise
            bare = replace(req, etag=None, last_modified=None)
            try:
                return await self.attempt(client, bare), bare
            except _FetchError as again:
                # refused without them too: the validators are not kept either, whatever was
                # wrong (a server that 400s a header may 400 the next refresh's the same way)
                again.without_validators = True
                raise

    async def attempt(self, client, req: FeedRequest) -> _Fetched:
        return await _fetch_http(
            client,
            req,
            max_bytes=self.max_bytes,
            max_redirects=self.max_redirects,
            connect_timeout=self.connect_timeout,
            read_timeout=self.read_timeout,
            now=self.now,
        )

    async def parse(self, data: bytes, headers: dict, url: str):
        # Workers first; when all are busy, this process parses one too (its event loop is
        # mostly waiting on the network): a third parser that also keeps going when other
        # load on the machine starves the workers.
        pool = None
        if self.pool_ready is not None:
            try:
                pool = await self.pool_ready
            except Exception:  # no processes on this platform/sandbox: parse in-process
                pool = None
        workers = pool.workers if pool is not None else 0
        if pool is not None and (self.pool_busy < workers or self.in_process.locked()):
            self.pool_busy += 1
            try:
                return await self.loop.run_in_executor(pool, _parse_job, data, headers, url, self.now)
            except Exception:  # a broken pool (worker killed): parse this one in-process;
                pass  # _get_pool() replaces the pool on the next refresh
            finally:
                self.pool_busy -= 1
        async with self.in_process:
            return await asyncio.to_thread(_parse_job, data, headers, url, self.now)


def _skipped(result: FetchResult, req: FeedRequest) -> FetchResult:
    """Not fetched: the server asked us to wait (Retry-After) until later than now."""
    result.status = "skipped"
    result.retry_after = req.retry_after_until
    result.etag, result.last_modified = req.etag, req.last_modified
    result.content_hash = req.content_hash
    return result


def _take_validators(result: FetchResult, req: FeedRequest, fetched: _Fetched) -> None:
    """The answer's status, move and validators (the request's when the answer has none)."""
    result.http_status = fetched.http_status
    result.new_url = fetched.new_url
    etag, last_modified = fetched.headers.get("etag"), fetched.headers.get("last-modified")
    result.etag = req.etag if etag is None else valid_validator(etag)
    result.last_modified = req.last_modified if last_modified is None else valid_validator(last_modified)


def _failed(result: FetchResult, req: FeedRequest, exc: _FetchError, disable_after: int) -> FetchResult:
    result.status = "error"
    result.error = exc.message
    result.http_status = exc.http_status or result.http_status
    result.retry_after = exc.retry_after
    result.failure_count = req.failure_count + 1
    if exc.http_status in (404, 410) and result.failure_count >= disable_after:
        result.disable = True
        result.error = f"{exc.message} ({result.failure_count} times in a row): feed disabled"
    # a failed fetch keeps the validators of the last good one: a body that failed
    # to parse must be fetched and reported again, not answered 304 next time; unless they
    # were refused (a 400/431 with them, then a failure without them): those are dropped
    if exc.without_validators:
        result.etag = result.last_modified = None
    else:
        result.etag, result.last_modified = req.etag, req.last_modified
    result.content_hash = req.content_hash
    return result


def _internal_error(req: FeedRequest, exc: Exception) -> FetchResult:
    return FetchResult(
        feed_id=req.feed_id,
        status="error",
        error=f"internal error: {type(exc).__name__}: {_short(exc)}",
        failure_count=req.failure_count + 1,
        etag=valid_validator(req.etag),
        last_modified=valid_validator(req.last_modified),
        content_hash=req.content_hash,
    )


def _open_client(concurrency: int, connect_timeout: float, read_timeout: float):
    import httpx

    timeout = httpx.Timeout(connect=connect_timeout, read=read_timeout, write=read_timeout, pool=None)
    limits = httpx.Limits(max_connections=max(1, concurrency), max_keepalive_connections=max(1, concurrency))
    return httpx.AsyncClient(
        event_hooks={"response": [_check_redirect]},
        headers={
            "User-Agent": USER_AGENT,
            "Accept": "application/rss+xml, application/atom+xml, application/rdf+xml, "
            "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5",
        },
        timeout=timeout,
        limits=limits,
        follow_redirects=False,
        verify=_shared_ssl_context(),
    )


async def _check_redirect(response) -> None:
    # httpx builds the next request of every redirect, followed or not, and fails on a
    # Location it cannot make a URL of (javascript:..., too long) with an error that names
    # the feed, not the target: check the target first, in our words
    if response.has_redirect_location:
        _redirect_target(response.url, response.headers["location"].strip(), response.status_code)


_ssl_context = None


def _shared_ssl_context():
    """Loading the CA bundle costs ~0.1 s; do it once per process, not once per refresh."""
    global _ssl_context
    if _ssl_context is None:
        import httpx

        _ssl_context = httpx.create_ssl_context()
    return _ssl_context


def _no_failed_import_rescans() -> None:
    """httpcore imports the optional `sniffio` on every request; when it's not installed each
    failed import rescans sys.path (~0.7 ms, several per request: half the CPU of an all-304
    refresh). A None entry in sys.modules makes the failure instant (documented behaviour)."""
    if "sniffio" not in sys.modules:
        try:
            import sniffio  # noqa: F401
        except ImportError:
            sys.modules["sniffio"] = None  # type: ignore[assignment]


def fetch_all_sync(requests: list[FeedRequest], **kwargs) -> list[FetchResult]:
    """`fetch_all` for synchronous callers (CLI, a thread worker in the TUI)."""
    return asyncio.run(fetch_all(requests, **kwargs))
