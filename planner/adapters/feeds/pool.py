"""The process pool that parses feeds on every core (feedparser's parser holds the GIL).

One pool per process, started on first use and reused; its forkserver preloads only the parse
modules and feedparser. `parse_many` parses a batch of bodies already in hand.
"""

from __future__ import annotations

import atexit
import os
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from datetime import UTC, datetime
from multiprocessing.context import BaseContext

from planner.adapters.feeds.entries import ParsedFeed
from planner.adapters.feeds.parse import _parse_job, _parse_job_args

# Fewer feeds than this are parsed in-process: starting the workers costs ~0.3-1 s (forkserver
# + feedparser import, 2 cores, measured), while the fast path parses a typical feed in
# ~25 ms of CPU, so a pool pays off from a few dozen feeds on. Once started it is reused.
POOL_MIN_FEEDS = 20


class ParsePool(ProcessPoolExecutor):
    """The parse pool, which says how many workers it runs (the stdlib keeps that private)."""

    def __init__(self, workers: int, mp_context: BaseContext) -> None:
        super().__init__(max_workers=workers, mp_context=mp_context)
        self.workers = workers


def parse_many(
    docs: list[tuple[bytes, dict[str, str] | None, str]], *, now: datetime | None = None
) -> list[tuple[str, ParsedFeed | str]]:
    """Parse many (body, headers, url) documents on every core, in order.

    Each result is ("ok", ParsedFeed) or ("error", readable message). For batch jobs that
    already hold the bytes (corpus checks, importing a folder of saved feeds)."""
    now = now or datetime.now(UTC)
    args = [(data, headers or {}, url, now) for data, headers, url in docs]
    if len(args) < POOL_MIN_FEEDS:
        return [_parse_job(*a) for a in args]
    pool = _get_pool()
    chunk = max(1, min(32, len(args) // (4 * pool.workers)))
    return list(pool.map(_parse_job_args, args, chunksize=chunk))


def _warm_worker() -> None:
    import feedparser  # noqa: F401  (pays the import while the network is busy)


_pool: ParsePool | None = None
_pool_lock = threading.Lock()


def _quiet(future: Future[None]) -> None:
    if not future.cancelled():
        future.exception()  # retrieve it, so a failed warm-up isn't logged as "never retrieved"


def _get_pool() -> ParsePool:
    """One pool per process, created on first use and reused; a broken one is replaced.

    forkserver, not fork: the TUI refreshes from worker threads, and forking a threaded
    process can deadlock. Workers start from a server that preloaded only the parse modules and
    feedparser, and their start-up is paid here, once, while the first requests are in flight.
    """
    global _pool
    with _pool_lock:
        if _pool is not None and not getattr(_pool, "_broken", False):
            return _pool
        if _pool is not None:
            _pool.shutdown(wait=False, cancel_futures=True)
        import multiprocessing as mp
        import sys

        method = "forkserver" if "forkserver" in mp.get_all_start_methods() else "spawn"
        ctx = mp.get_context(method)
        if method == "forkserver":
            ctx.set_forkserver_preload(["planner.adapters.feeds.parse", "feedparser"])
        workers = max(1, os.cpu_count() or 1)
        pool = ParsePool(workers, ctx)
        # A spawned/forkserver child re-imports the parent's __main__ (the TUI, pytest, a
        # script read from stdin that doesn't exist as a file). Our workers need none of it,
        # so hide __main__'s identity while the workers are launched (they are launched
        # synchronously by these first submits).
        main = sys.modules.get("__main__")
        saved: dict[str, object] = {
            k: main.__dict__[k] for k in ("__spec__", "__file__") if main is not None and k in main.__dict__
        }
        try:
            if main is not None:
                main.__dict__["__spec__"] = None
                main.__dict__.pop("__file__", None)
            for _ in range(workers):
                pool.submit(_warm_worker).add_done_callback(_quiet)
        finally:
            if main is not None:
                main.__dict__.update(saved)
        if _pool is None:
            atexit.register(shutdown_parse_pool)
        _pool = pool
        return pool


def shutdown_parse_pool() -> None:
    """Stop the parse workers (tests and `atexit`); the next refresh starts new ones."""
    global _pool
    with _pool_lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)


# --------------------------------------------------------------------------------------------
