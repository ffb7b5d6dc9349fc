"""Entries pulled from the feeds: reading them (a page at a time, filtered), flagging them, and
turning one into an idea for a post."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import func
from sqlmodel import Session, col, select

from planner.errors import PlannerError
from planner.models import Entry, Feed, Pillar, Post, PostStatus, Topic, pk_col, utcnow
from planner.services.feeds import get_topic


@dataclass
class EntryRow:
    id: int
    feed_id: int
    feed_title: str
    topic: str | None
    title: str
    link: str | None
    author: str | None
    published_at: datetime | None
    is_read: bool
    is_starred: bool
    summary: str = ""


def list_entries(
    session: Session,
    topic: str | None = None,
    feed_id: int | None = None,
    unread: bool = False,
    starred: bool = False,
    search: str | None = None,
    limit: int | None = 50,
    offset: int = 0,
    with_summary: bool = False,
    include_dismissed: bool = False,
    after: tuple[datetime | None, int] | None = None,
) -> list[EntryRow]:
    """Newest first; paged so 100,000 entries never load at once.

    ``after`` = (published_at, id) of the last row already shown: keyset paging, which walks the
    index from there instead of counting past ``offset`` rows (a deep page costs what the first
    does). ``offset`` stays for the CLI's --offset."""
    q = (
        select(  # type: ignore[call-overload]  # sqlmodel types select() for up to 4 columns
            pk_col(Entry.id),
            col(Entry.feed_id),
            col(Feed.title),
            col(Feed.url),
            col(Topic.name),
            col(Entry.title),
            col(Entry.link),
            col(Entry.author),
            col(Entry.published_at),
            col(Entry.is_read),
            col(Entry.is_starred),
            col(Entry.summary) if with_summary else sa.literal(""),
        )
        .join(Feed, col(Feed.id) == col(Entry.feed_id))
        .join(Topic, col(Topic.id) == col(Feed.topic_id), isouter=True)
    )
    if not include_dismissed:
        q = q.where(col(Entry.is_dismissed) == False)  # noqa: E712
    if topic:
        q = q.where(col(Feed.topic_id) == get_topic(session, topic).id)
    if feed_id is not None:
        q = q.where(col(Entry.feed_id) == feed_id)
    if unread:
        q = q.where(col(Entry.is_read) == False)  # noqa: E712
    if starred:
        q = q.where(col(Entry.is_starred) == True)  # noqa: E712
    if search:
        like = f"%{search.lower()}%"
        q = q.where(sa.or_(func.lower(col(Entry.title)).like(like), func.lower(col(Entry.summary)).like(like)))
    if after is not None:
        at, last_id = after
        if at is None:  # already among the undated entries, which sort last
            q = q.where(col(Entry.published_at).is_(None), col(Entry.id) < last_id)
        else:
            q = q.where(
                sa.or_(
                    col(Entry.published_at) < at,
                    sa.and_(col(Entry.published_at) == at, col(Entry.id) < last_id),
                    col(Entry.published_at).is_(None),
                )
            )
    q = q.order_by(col(Entry.published_at).desc().nulls_last(), col(Entry.id).desc()).offset(offset)
    if limit:
        q = q.limit(limit)
    return [
        EntryRow(eid, fid, ftitle or furl, tname, title, link, author, pub, read, star, summ or "")
        for eid, fid, ftitle, furl, tname, title, link, author, pub, read, star, summ in session.exec(q)
    ]


def get_entry(session: Session, entry_id: int) -> Entry:
    entry = session.get(Entry, entry_id)
    if entry is None:
        raise PlannerError(f"no entry with id {entry_id}")
    return entry


def set_entry_flags(
    session: Session,
    entry_id: int,
    *,
    read: bool | None = None,
    starred: bool | None = None,
    dismissed: bool | None = None,
) -> Entry:
    entry = get_entry(session, entry_id)
    if read is not None:
        entry.is_read = read
    if starred is not None:
        entry.is_starred = starred
    if dismissed is not None:
        entry.is_dismissed = dismissed
    session.add(entry)
    session.flush()
    return entry


def idea_from_entry(session: Session, entry_id: int, now: datetime | None = None) -> Post:
    """A content_share idea linked to the entry (once: a second call returns the same idea)."""
    entry = get_entry(session, entry_id)
    existing = session.exec(
        select(Post).where(col(Post.source_entry_id) == entry_id, col(Post.pillar) == Pillar.CONTENT_SHARE.value)
    ).first()
    if existing is not None:
        return existing
    feed = session.get(Feed, entry.feed_id)
    now = now or utcnow()
    post = Post(
        pillar=Pillar.CONTENT_SHARE.value,
        title=f"Share: {entry.title}"[:300],
        body=f"{entry.title}\n\n{entry.link or ''}".strip(),
        status=PostStatus.IDEA.value,
        source_entry_id=entry.id,
        topic_id=feed.topic_id if feed else None,
        created_at=now,
        updated_at=now,
    )
    session.add(post)
    entry.is_read = True
    session.add(entry)
    session.flush()
    return post
