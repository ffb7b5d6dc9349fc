"""Feed adapter: fetch RSS/Atom feeds politely and turn them into plain, sanitized data.

Plain data in (`FeedRequest`), plain data out (`FetchResult` with `ParsedEntry` rows); the
store decides what to upsert. This package's face; the rooms behind it:

* `http`: fetching (`fetch_all`): httpx, concurrency caps, conditional GET and validators,
  a size cap, manual redirects, Retry-After, readable errors;
* `parse`: parsing (`parse_feed_bytes`) with feedparser, and `fastparse`, the ElementTree fast
  path it tries first; `entries` holds the types and clean-up both share;
* `pool`: the process pool that parses many feeds on every core (feedparser's pure-Python
  parser holds the GIL); its workers import only the parse modules (stdlib + feedparser +
  sanitize): httpx is imported lazily by `http`, so keep it out of module scope;
* `urls`: canonical links, joining, local files and hosts.

A body whose sha256 matches the last one parsed is not parsed again ("unchanged"), which makes
a refresh against servers that ignore conditional GET nearly as cheap as one full of 304s.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from planner.adapters.feeds.entries import NotAFeedError, ParsedEntry, ParsedFeed
from planner.adapters.feeds.parse import parse_feed_bytes
from planner.adapters.feeds.urls import canonical_link

if TYPE_CHECKING:
    from planner.adapters.feeds.http import (
        MAX_VALIDATOR,
        USER_AGENT,
        FeedRequest,
        FetchResult,
        fetch_all,
        fetch_all_sync,
        valid_validator,
    )
    from planner.adapters.feeds.pool import parse_many, shutdown_parse_pool

__all__ = [
    "FeedRequest",
    "ParsedEntry",
    "FetchResult",
    "ParsedFeed",
    "NotAFeedError",
    "fetch_all",
    "fetch_all_sync",
    "parse_feed_bytes",
    "parse_many",
    "canonical_link",
    "shutdown_parse_pool",
    "USER_AGENT",
    "MAX_VALIDATOR",
    "valid_validator",
]

# The fetch and pool names load on first use, so a parse worker (which imports this package
# on its way to `parse`) loads only the parse modules.
_LAZY = {
    "FeedRequest": "http",
    "FetchResult": "http",
    "fetch_all": "http",
    "fetch_all_sync": "http",
    "USER_AGENT": "http",
    "MAX_VALIDATOR": "http",
    "valid_validator": "http",
    "parse_many": "pool",
    "shutdown_parse_pool": "pool",
}


def __getattr__(name: str) -> object:
    room = _LAZY.get(name)
    if room is None:
        raise AttributeError(f"module 'planner.adapters.feeds' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(f"planner.adapters.feeds.{room}"), name)
