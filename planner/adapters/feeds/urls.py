"""Feed URLs: the canonical form of an entry's link, joining relative links, and telling a
local file from a remote feed (and which host a feed is on, for the per-host cap)."""

from __future__ import annotations

import os
from urllib.parse import (
    parse_qsl,
    quote,
    unquote,
    urlencode,
    urljoin,
    urlsplit,
    urlunsplit,
)


def canonical_link(url: str | None) -> str | None:
    """http(s) link without tracking parameters (utm_*) or fragment; None for other schemes
    (javascript:, data:, ...) so nothing unsafe reaches a "open in browser" action."""
    if not url:
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.netloc:
        return None
    query = parts.query
    if "utm_" in query.lower():
        kept = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if not k.lower().startswith("utm_")]
        query = urlencode(kept, quote_via=quote, safe="/:@!$'()*,;")
    netloc = parts.netloc.lower() if "@" not in parts.netloc else parts.netloc
    return urlunsplit((scheme, netloc, parts.path or "/", query, ""))


def _join(base: str, link: str) -> str | None:
    try:
        return urljoin(base, link)
    except ValueError:  # e.g. "Invalid IPv6 URL"
        return None


def _is_local(url: str) -> bool:
    return url.startswith("file:") or "://" not in url


def _local_path(url: str) -> str:
    if url.startswith("file:"):
        parts = urlsplit(url)
        return unquote(parts.path)
    return os.path.expanduser(url)


def _host_of(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""
