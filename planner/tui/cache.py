"""The TUI's read cache: a section's first view served again while the data it read is unchanged.

Review's week and Discover's trends cost 0.2-0.6 s on a big store: the background prefetch
(tui.app) reads each section's first view into this cache, so opening it, or coming back, does
not wait on the query.

- **Keys** are derived from the function and its arguments (``NOW`` stands for the clock's time
  and is left out of the key: ``MAX_AGE_S`` bounds its effect).
- **Single flight**: while one thread reads a key (the prefetch), another asking for the same key
  (the screen's load) waits for that read instead of running the same query beside it.
- **Domains**: each read names the data it depends on ("people", "posts", "feeds", "keywords").
  A write the app announces (``writing``) drops only the entries of its domains, so keyword
  extraction committing batch after batch keeps Network's pages. Any other change to the
  database (``Store.data_token`` moved with no announced write in flight: another process, an
  unannounced write of this one) drops everything, as before.

An announced write's window (its transaction, milliseconds) is the one place a change by another
process at that very moment is taken for the announced one; ``MAX_AGE_S`` bounds that too.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any, NamedTuple, TypeVar

T = TypeVar("T")

DOMAINS = ("people", "posts", "feeds", "keywords")
MAX_AGE_S = 600
ENTRIES = 256


class _Now:
    """Stands for "now" in a read's arguments: the clock's time at the call, not part of the key."""

    def __repr__(self) -> str:
        return "NOW"


NOW: Any = _Now()


class Entry(NamedTuple):
    domains: tuple[str, ...]  # what its read depends on
    stamp: tuple[int, ...]  # the generations of the entry's domains when its read began
    read_at: float  # time.monotonic() when its read began
    value: Any


def key_of(fn: Callable, args: tuple, kwargs: dict) -> tuple:
    """What names a read: the function and every argument but ``NOW`` (which stays as a marker)."""
    return (fn.__module__, fn.__qualname__, args, tuple(sorted(kwargs.items())))


class ReadCache:
    """``store.read(fn, *args, **kwargs)`` remembered per key; see the module's note."""

    def __init__(
        self,
        store: Callable[[], Any],
        clock: Callable[[], datetime],
        max_age_s: float = MAX_AGE_S,
        size: int = ENTRIES,
    ):
        self._store = store  # called for the store on each use: the app opens it lazily
        self._clock = clock
        self.max_age_s = max_age_s
        self.size = size
        self._lock = threading.Lock()
        self._entries: dict[tuple, Entry] = {}
        self._flights: dict[tuple, threading.Event] = {}
        self._generation = dict.fromkeys(DOMAINS, 0)
        self._seen_token: object | None = None
        self._announced: list[frozenset[str]] = []  # domains of the writes in flight

    # --- reading -------------------------------------------------------------------------------

    def read(self, domains: Iterable[str], fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``fn(session, *args, **kwargs)`` in a read-only session, or the remembered result of the
        same call while none of ``domains`` has changed (and for at most ``max_age_s``)."""
        return self.read_as(key_of(fn, args, kwargs), domains, fn, *args, **kwargs)

    def read_as(self, key: tuple, domains: Iterable[str], fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``read`` under a key the caller names (one that leaves out its arguments like ``now``)."""
        domains = self._known(domains)
        store = self._store()
        while True:
            token = store.data_token()
            if token is None:  # nothing tells a change here: every read is fresh
                return store.read(fn, *self._now(args), **self._now(kwargs))
            with self._lock:
                self._sync(token)
                hit = self._valid(key, domains)
                if hit is not None:
                    return hit.value
                flight = self._flights.get(key)
                if flight is None:
                    flight = self._flights[key] = threading.Event()
                    stamp = self._stamp(domains)
                    break
            flight.wait()  # the same read is under way in another thread: its result, once valid
        started = time.monotonic()
        try:
            value = store.read(fn, *self._now(args), **self._now(kwargs))
            with self._lock:
                self._entries.pop(key, None)
                self._entries[key] = Entry(domains, stamp, started, value)
                while len(self._entries) > self.size:  # the oldest first (a person's detail per cursor stop)
                    self._entries.pop(next(iter(self._entries)))
            return value
        finally:
            with self._lock:
                del self._flights[key]
            flight.set()

    def entry(self, fn: Callable, *args: Any, **kwargs: Any) -> Entry | None:
        """The entry remembered for this call, valid or not (for tests and the curious)."""
        with self._lock:
            return self._entries.get(key_of(fn, args, kwargs))

    def __len__(self) -> int:
        return len(self._entries)

    # --- writing -------------------------------------------------------------------------------

    @contextmanager
    def writing(self, domains: Iterable[str]) -> Iterator[None]:
        """Around a write of this process that changes only ``domains``: drops their entries (at
        the start and again once it has committed), and no others."""
        mine = frozenset(self._known(domains))
        store = self._store()
        token = store.data_token()
        with self._lock:
            if token is not None:
                self._sync(token)  # a change before this write is nobody's we know of
            self._announced.append(mine)
            self._bump(mine)
        try:
            yield
        finally:
            token = store.data_token()
            with self._lock:
                self._announced.remove(mine)
                self._bump(mine)
                if token is not None and not self._announced:
                    self._seen_token = token

    def announcing(self, store: Any, domains: Iterable[str]) -> Any:
        """``store``, whose transactions are announced writes of ``domains`` (for a service that
        takes the store itself, like keyword extraction)."""
        return _AnnouncingStore(store, self, tuple(domains))

    def forget(self, domains: Iterable[str] = DOMAINS) -> None:
        with self._lock:
            self._bump(self._known(domains))

    # --- inside, under the lock ------------------------------------------------------------------

    def _sync(self, token: object) -> None:
        if token == self._seen_token:
            return
        if self._seen_token is not None:
            # changed: by the writes in flight if there are any (theirs are dropped again when they
            # finish), else by someone we do not know of: then nothing read before can serve
            changed = frozenset().union(*self._announced) if self._announced else frozenset(DOMAINS)
            self._bump(changed)
        self._seen_token = token

    def _bump(self, domains: Iterable[str]) -> None:
        for d in domains:
            self._generation[d] += 1
        # entries of those domains can never serve again: drop them now
        stale = [k for k, e in self._entries.items() if e.stamp != self._stamp(e.domains)]
        for k in stale:
            del self._entries[k]

    def _stamp(self, domains: tuple[str, ...]) -> tuple[int, ...]:
        return tuple(self._generation[d] for d in domains)

    def _valid(self, key: tuple, domains: tuple[str, ...]) -> Entry | None:
        hit = self._entries.get(key)
        if hit is None or hit.stamp != self._stamp(domains) or time.monotonic() - hit.read_at >= self.max_age_s:
            return None
        return hit

    @staticmethod
    def _known(domains: Iterable[str]) -> tuple[str, ...]:
        domains = tuple(domains)
        unknown = set(domains) - set(DOMAINS)
        if unknown or not domains:
            raise ValueError(f"domains must be some of {DOMAINS}, not {domains!r}")
        return domains

    def _now(self, values):
        if isinstance(values, dict):
            if any(v is NOW for v in values.values()):
                now = self._clock()
                return {k: now if v is NOW else v for k, v in values.items()}
            return values
        if any(v is NOW for v in values):
            now = self._clock()
            return tuple(now if v is NOW else v for v in values)
        return values


class _AnnouncingStore:
    """A store whose ``transaction()`` is an announced write (``ReadCache.writing``)."""

    def __init__(self, store: Any, cache: ReadCache, domains: tuple[str, ...]):
        self._inner, self._cache, self._domains = store, cache, domains

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        with self._cache.writing(self._domains), self._inner.transaction() as session:
            yield session

    def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        with self.transaction() as session:
            return fn(session, *args, **kwargs)
