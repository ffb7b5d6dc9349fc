"""Topics and feeds: following them and refreshing them (entries are read in :mod:`planner.services.entries`).

Fetching and parsing live in :mod:`planner.adapters.feeds` (plain data in, plain data out); this
module turns the store's feeds into requests and writes the results back in one transaction, so a
refresh killed half-way leaves the database as it was and the next run completes the work.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy import func
from sqlmodel import Session, col, select

from planner.errors import PlannerError
from planner.models import Entry, Feed, Post, Topic, pk, pk_col, utcnow
from planner.words import topic_key

if TYPE_CHECKING:
    from planner.adapters.feeds import FeedRequest, FetchResult
    from planner.store import Store

MAX_URL = 2000
# Set as a feed's last warning when an OPML list gave its URL without a scheme and https was put
# in: until the first refresh, a failed https fetch is tried again over http (as feed readers do).
SCHEME_GUESSED = "the subscription list gave this URL without http(s): https is tried first, then http"


# --- topics -------------------------------------------------------------------------------------


def _find_topic(session: Session, name: str) -> Topic | None:
    key = topic_key(name)
    return next((t for t in session.exec(select(Topic)) if topic_key(t.name) == key), None)


def get_topic(session: Session, name: str) -> Topic:
    topic = _find_topic(session, name)
    if topic is None:
        known = ", ".join(t.name for t in session.exec(select(Topic).order_by(col(Topic.name)))) or "none yet"
        raise PlannerError(f"no topic named {name!r} (topics: {known})")
    return topic


def ensure_topic(
    session: Session, name: str, description: str = "", keywords: Iterable[str] = ()
) -> tuple[Topic, bool]:
    name = " ".join(name.split())
    if not name:
        raise PlannerError("a topic needs a name")
    topic = _find_topic(session, name)
    if topic is not None:
        return topic, False
    topic = Topic(name=name, description=description, keywords=",".join(k.strip() for k in keywords if k.strip()))
    session.add(topic)
    session.flush()
    return topic, True


@dataclass
class TopicRow:
    id: int
    name: str
    description: str
    keywords: list[str]
    feeds: int
    entries: int
    unread: int


def list_topics(session: Session) -> list[TopicRow]:
    feeds = dict(session.exec(select(Feed.topic_id, func.count()).group_by(col(Feed.topic_id))).all())
    entry_counts = {
        tid: (n, unread)
        for tid, n, unread in session.exec(
            select(
                Feed.topic_id,
                func.count(col(Entry.id)),
                func.sum(
                    sa.case((sa.and_(col(Entry.is_read) == False, col(Entry.is_dismissed) == False), 1), else_=0)  # noqa: E712
                ),
            )
            .join(Entry, col(Entry.feed_id) == col(Feed.id))
            .group_by(col(Feed.topic_id))
        ).all()
    }
    rows: list[TopicRow] = []
    for t in session.exec(select(Topic).order_by(func.lower(col(Topic.name)))):
        n, unread = entry_counts.get(t.id, (0, 0))
        rows.append(
            TopicRow(
                pk(t),
                t.name,
                t.description,
                [k for k in t.keywords.split(",") if k],
                feeds.get(t.id, 0),
                n,
                int(unread or 0),
            )
        )
    return rows


# --- feeds --------------------------------------------------------------------------------------


def normalize_feed_url(url: str, allow_local: bool = True) -> str:
    """http(s) URLs as given; local paths (demo, files on disk) become absolute file:// URLs."""
    url = url.strip()
    if not url:
        raise PlannerError("empty feed URL")
    if len(url) > MAX_URL:
        raise PlannerError(f"feed URL longer than {MAX_URL} characters")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises for a port that is not a number in range)
    except ValueError as exc:  # "http://[::1" (an unclosed IPv6 address), "http://host:x/"
        raise PlannerError(f"not a valid URL: {url!r} ({exc})") from None
    scheme = parts.scheme.lower()
    if scheme in ("http", "https"):
        if not parts.netloc or any(c.isspace() or not c.isprintable() for c in url):
            raise PlannerError(f"not a valid URL: {url!r}")
        return url
    if not allow_local:
        raise PlannerError(f"only http(s) feed URLs are accepted here, got {url!r}")
    if scheme == "file":
        path = Path(parts.path)
    elif scheme and len(scheme) > 1:
        raise PlannerError(f"unsupported URL scheme {scheme!r} in {url!r} (use http, https or a file path)")
    else:
        path = Path(url).expanduser()
    path = path.resolve()
    if not path.is_file():
        raise PlannerError(f"no such feed file: {path}")
    return path.as_uri()


def add_feed(
    session: Session, url: str, topic: str | None = None, title: str = "", allow_local: bool = True
) -> tuple[Feed, bool]:
    url = normalize_feed_url(url, allow_local=allow_local)
    existing = session.exec(select(Feed).where(col(Feed.url) == url)).first()
    if existing is not None:
        return existing, False
    topic_id = ensure_topic(session, topic)[0].id if topic else None
    feed = Feed(url=url, title=title, topic_id=topic_id)
    session.add(feed)
    session.flush()
    return feed, True


def resolve_feed(session: Session, ref: str) -> Feed:
    feed = (
        session.get(Feed, int(ref))
        if ref.isdigit()
        else session.exec(select(Feed).where(col(Feed.url) == ref.strip())).first()
    )
    if feed is None:
        raise PlannerError(f"no feed {ref!r} (give its id or exact URL; see `planner feeds list`)")
    return feed


def remove_feed(session: Session, ref: str) -> str:
    feed = resolve_feed(session, ref)
    label = feed.title or feed.url
    session.delete(feed)
    session.flush()
    return label


@dataclass
class FeedRow:
    id: int
    url: str
    title: str
    topic: str | None
    enabled: bool
    last_status: str | None
    last_http_status: int | None
    last_error: str | None
    last_warning: str | None
    failure_count: int
    last_fetched_at: str | None
    entries: int
    unread: int
    disabled_reason: str | None


def list_feeds(session: Session, topic: str | None = None) -> list[FeedRow]:
    q = (
        select(
            Feed,
            Topic.name,
            func.count(col(Entry.id)),
            func.sum(sa.case((sa.and_(col(Entry.is_read) == False, col(Entry.is_dismissed) == False), 1), else_=0)),  # noqa: E712
        )
        .join(Topic, col(Topic.id) == col(Feed.topic_id), isouter=True)
        .join(Entry, col(Entry.feed_id) == col(Feed.id), isouter=True)
        .group_by(col(Feed.id), col(Topic.name))
        .order_by(col(Topic.name), col(Feed.title), col(Feed.id))
    )
    if topic:
        q = q.where(col(Feed.topic_id) == get_topic(session, topic).id)
    return [
        FeedRow(
            pk(f),
            f.url,
            f.title,
            tname,
            f.enabled,
            f.last_status,
            f.last_http_status,
            f.last_error,
            f.last_warning,
            f.failure_count,
            f.last_fetched_at.isoformat() if f.last_fetched_at else None,
            n,
            int(unread or 0),
            f.disabled_reason,
        )
        for f, tname, n, unread in session.exec(q)
    ]


# --- refresh ------------------------------------------------------------------------------------


@dataclass
class RefreshSummary:
    feeds: int = 0
    fetched: int = 0
    not_modified: int = 0
    unchanged: int = 0
    skipped: int = 0
    errors: int = 0
    warnings: int = 0
    new_entries: int = 0
    updated_entries: int = 0
    duplicates: int = 0
    disabled: int = 0
    merged: int = 0  # feeds that moved permanently onto a feed already followed
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what changed that is not a problem (merges)

    def add(self, other: RefreshSummary) -> None:
        for name, value in asdict(other).items():
            if name == "feeds":
                continue
            if isinstance(value, list):
                getattr(self, name).extend(value)
            else:
                setattr(self, name, getattr(self, name) + value)


def feed_requests(
    session: Session, topic: str | None = None, feed_ids: Iterable[int] | None = None
) -> list[FeedRequest]:
    from planner.adapters.feeds import FeedRequest

    q = select(Feed).where(col(Feed.enabled) == True).order_by(col(Feed.id))  # noqa: E712
    if topic:
        q = q.where(col(Feed.topic_id) == get_topic(session, topic).id)
    if feed_ids is not None:
        q = q.where(col(Feed.id).in_(list(feed_ids)))
    return [
        FeedRequest(
            feed_id=pk(f),
            url=f.url,
            etag=f.etag,
            last_modified=f.last_modified,
            content_hash=f.content_hash,
            failure_count=f.failure_count,
            retry_after_until=f.retry_after_until,
            http_fallback=f.last_fetched_at is None
            and f.last_warning == SCHEME_GUESSED
            and f.url.startswith("https://"),
        )
        for f in session.exec(q)
    ]


def apply_results(session: Session, results: list[FetchResult], now: datetime | None = None) -> RefreshSummary:
    """Write fetch results back: feed health, new entries, edited entries updated in place.

    A permanent redirect onto a URL already followed merges the two feeds (:func:`_merge_feed`).
    All feeds are written in one savepoint and one batch of inserts; when the database refuses
    that batch, it is rolled back and written again feed by feed, each in a savepoint of its
    own, so the feed it refuses is reported as that feed's error and the others are kept (one
    savepoint per feed always would double the cost of a refresh of 10,000 entries)."""
    now = now or utcnow()
    try:
        with session.begin_nested():
            return _apply_all(session, results, now, one_by_one=False)
    except sa.exc.SQLAlchemyError:
        pass
    return _apply_all(session, results, now, one_by_one=True)


def _apply_all(session: Session, results: list[FetchResult], now: datetime, one_by_one: bool) -> RefreshSummary:
    summary = RefreshSummary(feeds=len(results))
    feeds = {pk(f): f for f in session.exec(select(Feed).where(col(Feed.id).in_([r.feed_id for r in results])))}
    with_entries = [r for r in results if r.entries and r.feed_id in feeds]
    existing: dict[tuple[int, str], tuple[int, str]] = {}
    ids = [r.feed_id for r in with_entries]
    for chunk in _chunks(ids, 500):
        for eid, fid, guid, chash in session.exec(
            select(pk_col(Entry.id), Entry.feed_id, Entry.guid, Entry.content_hash).where(col(Entry.feed_id).in_(chunk))
        ):
            existing[(fid, guid)] = (eid, chash)
    candidate_links = {e.link for r in with_entries for e in r.entries if e.link}
    known_links: set[str] = set()
    for link_chunk in _chunks(sorted(candidate_links), 500):
        for link in session.exec(select(Entry.link).where(col(Entry.link).in_(link_chunk))):
            assert link is not None  # the query matched it against links
            known_links.add(link)
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    for r in results:
        feed = feeds.get(r.feed_id)
        if feed is None:  # removed while the refresh ran (or merged into another one just now)
            continue
        if not one_by_one:
            _apply_one(session, feed, r, now, summary, existing, known_links, known_links, inserts, updates)
            continue
        part = RefreshSummary()
        links: set[str] = set()
        mine_in: list[dict[str, Any]] = []
        mine_up: list[dict[str, Any]] = []
        try:
            with session.begin_nested():
                _apply_one(session, feed, r, now, part, existing, known_links, links, mine_in, mine_up)
                _write_entries(session, mine_in, mine_up)
        except sa.exc.SQLAlchemyError as exc:
            _store_failure(session, r.feed_id, exc, now, summary)
            continue
        known_links |= links
        summary.add(part)
    if not one_by_one:
        _write_entries(session, inserts, updates)
    return summary


def _apply_one(
    session: Session,
    feed: Feed,
    r: FetchResult,
    now: datetime,
    summary: RefreshSummary,
    existing: dict[tuple[int, str], tuple[int, str]],
    known_links: set[str],
    new_links: set[str],
    inserts: list[dict[str, Any]],
    updates: list[dict[str, Any]],
) -> None:
    """One feed's state, and its new and edited entries added to ``inserts``/``updates`` (the
    links it adds go to ``new_links``: an entry whose link is known already is a duplicate)."""
    if r.status not in ("error", "skipped") and r.new_url and r.new_url != feed.url:
        target = session.exec(select(Feed).where(col(Feed.url) == r.new_url, col(Feed.id) != feed.id)).first()
        if target is not None:
            summary.notes.append(_merge_feed(session, feed, target, existing))
            summary.merged += 1
            feed = target  # what was fetched is the target's feed now
    _apply_feed_state(feed, r, now, summary)
    added = updated = 0
    seen_guids: set[str] = set()
    for e in r.entries:
        if e.guid in seen_guids:
            continue
        seen_guids.add(e.guid)
        key = (pk(feed), e.guid)
        if key in existing:
            eid, chash = existing[key]
            if chash != e.content_hash:
                updates.append(
                    {
                        "_id": eid,
                        "title": e.title,
                        "summary": e.summary,
                        "link": e.link,
                        "author": e.author,
                        "published_at": e.published_at,
                        "content_hash": e.content_hash,
                        "updated_at": now,
                    }
                )
                updated += 1
            continue
        if e.link and (e.link in known_links or e.link in new_links):
            summary.duplicates += 1
            continue
        if e.link:
            new_links.add(e.link)
        inserts.append(
            {
                "feed_id": feed.id,
                "guid": e.guid,
                "link": e.link,
                "title": e.title,
                "summary": e.summary,
                "author": e.author,
                "published_at": e.published_at,
                "fetched_at": now,
                "content_hash": e.content_hash,
                "is_read": False,
                "is_starred": False,
                "is_dismissed": False,
            }
        )
        added += 1
    summary.new_entries += added
    summary.updated_entries += updated
    session.add(feed)


def _write_entries(session: Session, inserts: list[dict[str, Any]], updates: list[dict[str, Any]]) -> None:
    session.flush()
    if inserts:
        session.execute(sa.insert(Entry), inserts)
    if updates:
        table: sa.Table = Entry.__table__  # type: ignore[attr-defined]  # SQLModel sets it on table models
        stmt = (
            table.update()
            .where(table.c.id == sa.bindparam("_id"))
            .values(
                {
                    k: sa.bindparam(k)
                    for k in ("title", "summary", "link", "author", "published_at", "content_hash", "updated_at")
                }
            )
        )
        session.connection().execute(stmt, updates)


def _merge_feed(session: Session, source: Feed, target: Feed, existing: dict[tuple[int, str], tuple[int, str]]) -> str:
    """Fold ``source`` (which moved permanently to ``target``'s URL) into ``target``: its entries
    move over, an entry both hold is kept once with what the user did to either copy (read,
    starred, dismissed), ideas and touchpoints that pointed at a dropped copy point at the kept
    one; then ``source`` goes. Returns the sentence for the refresh report."""
    from planner.models import EntryKeyword, Touchpoint
    from planner.text import count

    entry: sa.Table = Entry.__table__  # type: ignore[attr-defined]  # SQLModel sets it on table models
    cols = (entry.c.id, entry.c.guid, entry.c.content_hash, entry.c.is_read, entry.c.is_starred, entry.c.is_dismissed)
    kept = {row.guid: row for row in session.execute(sa.select(*cols).where(entry.c.feed_id == target.id))}
    moved = twice = 0
    for row in session.execute(sa.select(*cols).where(entry.c.feed_id == source.id)).all():
        same = kept.get(row.guid)
        existing.pop((pk(source), row.guid), None)
        if same is None:
            session.execute(entry.update().where(entry.c.id == row.id).values(feed_id=target.id))
            existing[(pk(target), row.guid)] = (row.id, row.content_hash)
            moved += 1
            continue
        twice += 1
        session.execute(
            entry.update()
            .where(entry.c.id == same.id)
            .values(
                is_read=same.is_read or row.is_read,
                is_starred=same.is_starred or row.is_starred,
                is_dismissed=same.is_dismissed or row.is_dismissed,
            )
        )
        session.execute(sa.update(Post).where(col(Post.source_entry_id) == row.id).values(source_entry_id=same.id))
        session.execute(sa.update(Touchpoint).where(col(Touchpoint.entry_id) == row.id).values(entry_id=same.id))
        session.execute(sa.delete(EntryKeyword).where(col(EntryKeyword.entry_id) == row.id))
        session.execute(entry.delete().where(entry.c.id == row.id))
    for guid, row in kept.items():
        existing.setdefault((pk(target), guid), (row.id, row.content_hash))
    target.topic_id = target.topic_id or source.topic_id
    target.title = target.title or source.title
    if source.enabled and not target.enabled:  # the URL answers again: follow it again
        target.enabled, target.disabled_reason = True, None
    what = f"{source.title} ({source.url})" if source.title else source.url
    session.delete(source)
    session.flush()
    return (
        f"{what} moved permanently to {target.url}, which you already follow"
        f"{f' as {target.title}' if target.title and target.title != source.title else ''}: merged "
        f"({count(moved, 'entry')} moved over, {count(twice, 'entry')} held by both kept once)"
    )


def _store_failure(session: Session, feed_id: int, exc: Exception, now: datetime, summary: RefreshSummary) -> None:
    """The database refused this feed's results (the savepoint is rolled back): say so on the
    feed, in words, and let the next refresh try again."""
    reason = type(getattr(exc, "orig", None) or exc).__name__
    message = f"could not store what was fetched (the database refused it: {reason}); the next refresh tries again"
    session.execute(
        sa.update(Feed)
        .where(col(Feed.id) == feed_id)
        .values(last_status="error", last_error=message, last_fetched_at=now, failure_count=col(Feed.failure_count) + 1)
    )
    feed = session.get(Feed, feed_id)
    summary.errors += 1
    summary.problems.append(f"{(feed.title or feed.url) if feed else feed_id}: {message}")


def _apply_feed_state(feed: Feed, r: FetchResult, now: datetime, summary: RefreshSummary) -> None:
    feed.last_status = r.status
    feed.last_http_status = r.http_status
    feed.failure_count = r.failure_count
    if r.status == "skipped":
        summary.skipped += 1
        return
    feed.last_fetched_at = now
    feed.retry_after_until = r.retry_after
    # the adapter hands back the validators to keep (the old ones after a failure, none when
    # they were unfit to send or a server refused them)
    feed.etag = r.etag
    feed.last_modified = r.last_modified
    if r.status == "error":
        summary.errors += 1
        feed.last_error = r.error
        summary.problems.append(f"{feed.title or feed.url}: {r.error}")
        if r.disable:
            feed.enabled = False
            feed.disabled_reason = f"disabled after {r.failure_count} failures: {r.error}"
            summary.disabled += 1
        return
    feed.last_error = None
    if r.new_url and r.new_url != feed.url:
        feed.url = r.new_url
    if r.content_hash:
        feed.content_hash = r.content_hash
    if r.status == "ok":
        summary.fetched += 1
        feed.last_warning = r.warning
        if r.warning:
            summary.warnings += 1
            summary.problems.append(f"{feed.title or feed.url}: warning: {r.warning}")
        if r.feed_title and not feed.title:
            feed.title = r.feed_title
    elif r.status == "not_modified":
        summary.not_modified += 1
    elif r.status == "unchanged":
        summary.unchanged += 1


def refresh(
    store: Store,
    topic: str | None = None,
    feed_ids: Iterable[int] | None = None,
    progress: Callable[[int, int, object], None] | None = None,
    now: datetime | None = None,
    **fetch_options: Any,
) -> RefreshSummary:
    """Fetch every enabled feed (or a topic's) and store what came back."""
    from planner.adapters.feeds import fetch_all_sync

    with store.session() as session:
        requests = feed_requests(session, topic, feed_ids)
    total = len(requests)
    done = 0

    def on_result(result: FetchResult) -> None:
        nonlocal done
        done += 1
        if progress:
            progress(done, total, result)

    results = fetch_all_sync(requests, progress=on_result, now=now, **fetch_options) if requests else []
    with store.transaction() as session:
        return apply_results(session, results, now=now)


_T = TypeVar("_T")


def _chunks(items: list[_T], size: int) -> Iterator[list[_T]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
