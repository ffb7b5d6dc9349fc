"""The vocabulary of the domain: SQLModel tables and the enums they use.

Every timestamp is timezone-aware and stored in UTC (see :class:`UTCDateTime`); conversion to the
user's zone happens only at the edges (display, export). Enumerations are stored as plain strings
so that SQLite and PostgreSQL hold the same values and new members need no migration of a
database enum type.

Schema changes are Alembic migrations (planner/store/migrations): never ``create_all`` on a user
database.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Protocol, cast

import sqlalchemy as sa
from sqlalchemy.orm import Mapped
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel, col

from planner.enums import (  # noqa: F401 (re-exported: most code looks for the enums here)
    ASK_KINDS,
    DEFAULT_TIER_CADENCE_DAYS,
    VALUE_FIRST_KINDS,
    EventRole,
    Pillar,
    PostStatus,
    Tier,
    TouchKind,
    TouchStatus,
)


class _Saved(Protocol):
    @property
    def id(self) -> int | None: ...


def pk(row: _Saved) -> int:
    """The id of a row read from the database or flushed to it (``id`` is None only before)."""
    if row.id is None:
        raise ValueError(f"{type(row).__name__} has no id yet: it was never flushed")
    return row.id


def pk_col(column: int | None) -> Mapped[int]:
    """An id column to select: never NULL in the rows the database returns, though the model types
    it ``int | None`` (None until a new row is flushed)."""
    return cast("Mapped[int]", col(column))


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A DateTime that always hands back an aware UTC datetime.

    SQLite keeps no offset, so values are normalised to naive UTC on the way in and marked UTC on
    the way out; PostgreSQL stores ``timestamptz``. A naive value from our own code is a bug we
    would rather surface as UTC than silently shift by the local offset.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"expected a datetime, got {type(value).__name__}")
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def _ts(nullable: bool = True, index: bool = False):
    return Field(default=None, sa_type=UTCDateTime, nullable=nullable, index=index)


def _created():
    return Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


# --- discover ----------------------------------------------------------------------------------


class Topic(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column_kwargs={"unique": True}, max_length=200)
    description: str = ""
    keywords: str = ""  # comma-separated seed keywords
    created_at: datetime = _created()


class Feed(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(sa_column_kwargs={"unique": True}, max_length=2000)
    title: str = ""
    site_url: str | None = None
    topic_id: int | None = Field(default=None, foreign_key="topic.id", index=True, ondelete="SET NULL")
    etag: str | None = None
    last_modified: str | None = None
    content_hash: str | None = None  # sha256 of the last body parsed: an unchanged body is not parsed again
    last_fetched_at: datetime | None = _ts()
    last_status: str | None = None  # ok / not_modified / unchanged / error / skipped
    last_http_status: int | None = None
    last_error: str | None = None
    last_warning: str | None = None
    failure_count: int = 0
    retry_after_until: datetime | None = _ts()
    enabled: bool = True
    disabled_reason: str | None = None
    created_at: datetime = _created()


class Entry(SQLModel, table=True):
    __table_args__ = (
        sa.UniqueConstraint("feed_id", "guid", name="uq_entry_feed_guid"),
        sa.Index("ix_entry_feed_published", "feed_id", "published_at"),
        sa.Index("ix_entry_feed_flags", "feed_id", "is_read", "is_dismissed"),  # covering: unread counts per feed
        sa.Index("ix_entry_published_feed", "published_at", "feed_id"),  # covering: a trends window by topic (0005)
    )

    id: int | None = Field(default=None, primary_key=True)
    feed_id: int = Field(foreign_key="feed.id", ondelete="CASCADE")
    guid: str = Field(max_length=2000)
    link: str | None = Field(default=None, index=True)  # canonical link: the same article via two feeds
    title: str = ""
    summary: str = ""  # plain text, sanitised at ingest
    author: str | None = None
    published_at: datetime | None = _ts(index=True)
    fetched_at: datetime = _created()
    updated_at: datetime | None = _ts()
    is_read: bool = False
    is_starred: bool = False
    is_dismissed: bool = False
    content_hash: str = ""
    # keyword extraction bookkeeping: extraction reruns only when content_hash changed
    keywords_hash: str | None = None
    keywords_model: str | None = None
    embedding: bytes | None = Field(default=None, sa_type=sa.LargeBinary)


class Keyword(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    phrase: str = Field(sa_column_kwargs={"unique": True}, max_length=300)
    # services.trends.keyword_key(phrase): near-duplicates share it, so trends group in SQL
    merge_key: str | None = Field(default=None, index=True, max_length=300)


class EntryKeyword(SQLModel, table=True):
    # covering: an entry's top-ranked keywords, for trends (0005)
    __table_args__ = (sa.Index("ix_entrykeyword_entry_rank", "entry_id", "rank", "keyword_id"),)

    entry_id: int = Field(foreign_key="entry.id", primary_key=True, ondelete="CASCADE")
    keyword_id: int = Field(foreign_key="keyword.id", primary_key=True, index=True, ondelete="CASCADE")
    score: float = 0.0
    rank: int = 0


# --- relate ------------------------------------------------------------------------------------


class Tag(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column_kwargs={"unique": True}, max_length=100)
    cadence_days: int | None = None  # overrides the tier cadence of tagged people


class ConnectionTag(SQLModel, table=True):
    __tablename__ = "connection_tag"

    connection_id: int = Field(foreign_key="connection.id", primary_key=True, ondelete="CASCADE")
    tag_id: int = Field(foreign_key="tag.id", primary_key=True, index=True, ondelete="CASCADE")


class Connection(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    first_name: str = ""
    last_name: str = ""
    headline: str = ""
    position: str = ""
    company: str = ""
    previous_company: str | None = None
    previous_position: str | None = None
    job_changed_at: datetime | None = _ts()
    profile_url: str | None = Field(default=None, sa_column_kwargs={"unique": True}, max_length=500)
    email: str | None = None
    connected_on: date | None = None
    tier: str = Tier.WARM.value
    cadence_days: int | None = None  # per-person override
    notes: str = ""
    archived: bool = False
    source: str = "manual"
    created_at: datetime = _created()
    updated_at: datetime = _created()
    version: int = 1
    # what they care about (role, tags, notes) embedded by keyword extraction, for matching
    # entries to people; interest_hash = hash of the model and the text it was made from
    interest_embedding: bytes | None = Field(default=None, sa_type=sa.LargeBinary)
    interest_hash: str | None = None

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p).strip()


class CommunityGroup(SQLModel, table=True):
    """A community the user engages in (LinkedIn group, Slack, forum)."""

    __tablename__ = "community_group"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column_kwargs={"unique": True}, max_length=200)
    url: str | None = None
    platform: str = ""
    cadence_days: int = 7
    notes: str = ""
    last_engaged_at: datetime | None = _ts()
    created_at: datetime = _created()


class Event(SQLModel, table=True):
    """A virtual event the user hosts or attends."""

    id: int | None = Field(default=None, primary_key=True)
    title: str
    starts_at: datetime = Field(sa_type=UTCDateTime, nullable=False, index=True)
    ends_at: datetime | None = _ts()
    url: str | None = None
    role: str = EventRole.ATTENDING.value
    topic_id: int | None = Field(default=None, foreign_key="topic.id", ondelete="SET NULL")
    notes: str = ""
    created_at: datetime = _created()


# --- publish -----------------------------------------------------------------------------------


class Post(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    pillar: str = Field(default=Pillar.THOUGHT_LEADERSHIP.value, index=True)
    title: str = ""
    body: str = ""
    status: str = Field(default=PostStatus.IDEA.value, index=True)
    scheduled_at: datetime | None = _ts(index=True)
    published_at: datetime | None = _ts()
    channel: str = "profile"
    hashtags: str = ""  # space-separated, without '#'
    url: str | None = None  # where it was published (imported shares)
    evergreen: bool = False
    cooldown_days: int = 90
    priority: int = 0
    manual: bool = False  # placed or edited by hand: planning never moves it
    source_entry_id: int | None = Field(default=None, foreign_key="entry.id", ondelete="SET NULL")
    topic_id: int | None = Field(default=None, foreign_key="topic.id", ondelete="SET NULL")
    group_id: int | None = Field(default=None, foreign_key="community_group.id", ondelete="SET NULL")
    event_id: int | None = Field(default=None, foreign_key="event.id", ondelete="SET NULL")
    created_at: datetime = _created()
    updated_at: datetime = _created()
    version: int = 1


class Touchpoint(SQLModel, table=True):
    __table_args__ = (sa.Index("ix_touchpoint_connection_status", "connection_id", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    connection_id: int = Field(foreign_key="connection.id", ondelete="CASCADE")
    kind: str = TouchKind.CHECK_IN.value
    status: str = Field(default=TouchStatus.PLANNED.value, index=True)
    due_at: datetime | None = _ts(index=True)
    done_at: datetime | None = _ts()
    note: str = ""
    message: str = ""
    entry_id: int | None = Field(default=None, foreign_key="entry.id", ondelete="SET NULL")
    post_id: int | None = Field(default=None, foreign_key="post.id", ondelete="SET NULL")
    event_id: int | None = Field(default=None, foreign_key="event.id", ondelete="SET NULL")
    source: str = "manual"  # manual / plan / suggestion / import
    manual: bool = True
    created_at: datetime = _created()
    updated_at: datetime = _created()
    version: int = 1


# --- plan --------------------------------------------------------------------------------------


class Strategy(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = "default"
    timezone: str = "UTC"
    working_days: str = "mon,tue,wed,thu,fri"
    daily_touch_capacity: int = 3
    pillar_mix: str = '{"thought_leadership": 0.4, "content_share": 0.3, "group_engagement": 0.2, "virtual_event": 0.1}'
    pitch_min_gives: int = 3
    pitch_min_days: int = 30
    tier_cadences: str = '{"inner": 14, "active": 30, "warm": 60, "dormant": 180}'
    # plan week prefers slots whose posts did better (imported analytics); off by default (0006)
    slot_learning: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    updated_at: datetime = _created()
    version: int = 1


class Slot(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    strategy_id: int = Field(foreign_key="strategy.id", ondelete="CASCADE", index=True)
    weekday: int  # 0 = Monday
    local_time: str = "09:00"  # HH:MM in the strategy's timezone
    pillar: str = Pillar.THOUGHT_LEADERSHIP.value
    channel: str = "profile"


class Review(SQLModel, table=True):
    """A weekly review the user walked through, and the decisions made in it."""

    id: int | None = Field(default=None, primary_key=True)
    week: str = Field(sa_column_kwargs={"unique": True}, max_length=10)  # ISO week, e.g. 2026-W48
    completed_at: datetime | None = _ts()
    decisions: str = "{}"  # JSON
    created_at: datetime = _created()


# --- what happened on LinkedIn (imported from its exports; 0006) ----------------------------------


class LinkedInRecord(SQLModel, table=True):
    """One fact from a LinkedIn "copy of your data" archive: a message sent or received, an
    invitation, an endorsement or recommendation given, the owner. ``key`` makes a re-import add
    nothing twice. A message the owner sent is also a Touchpoint (``touchpoint_id``); one the
    connection sent is an interaction that moves their last contact."""

    __tablename__ = "linkedin_record"
    __table_args__ = (sa.Index("ix_linkedin_record_person_kind_at", "connection_id", "kind", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(sa_column_kwargs={"unique": True}, max_length=200)
    # owner / message_sent / message_received / invitation_sent / invitation_received / endorsement / recommendation
    kind: str = Field(max_length=40)
    at: datetime | None = _ts()
    connection_id: int | None = Field(default=None, foreign_key="connection.id", ondelete="CASCADE")
    conversation_id: str | None = Field(default=None, index=True, max_length=300)
    url: str | None = Field(default=None, max_length=500)  # the counterpart's (or the owner's) profile
    name: str = ""  # as the export names them
    text: str = ""  # sanitized: untrusted
    pitch: bool | None = None  # the pitch check's verdict on what the owner wrote
    reasons: str = ""  # JSON list of the pitch check's reasons
    touchpoint_id: int | None = Field(default=None, foreign_key="touchpoint.id", ondelete="SET NULL")
    created_at: datetime = _created()


class AnalyticsDay(SQLModel, table=True):
    """A day of the creator analytics export: the latest export's value wins."""

    __tablename__ = "analytics_day"

    id: int | None = Field(default=None, primary_key=True)
    day: date = Field(sa_column_kwargs={"unique": True})
    impressions: int | None = None
    engagements: int | None = None
    new_followers: int | None = None
    total_followers: int | None = None  # the "Total followers on …" line, on its day
    updated_at: datetime = _created()


class PostResult(SQLModel, table=True):
    """A post's totals from the analytics export's TOP POSTS, matched to our post when possible."""

    __tablename__ = "post_result"

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(sa_column_kwargs={"unique": True}, max_length=2000)
    activity_id: str | None = Field(default=None, index=True, max_length=40)  # the number of urn:li:activity:N
    published_on: date | None = None
    impressions: int | None = None
    engagements: int | None = None
    post_id: int | None = Field(default=None, foreign_key="post.id", ondelete="SET NULL", index=True)
    updated_at: datetime = _created()


# --- reminders ---------------------------------------------------------------------------------


class Notification(SQLModel, table=True):
    """An item `planner notify` has handed to the notify command (or printed), at the due time it
    had then: each item is notified once, and again only if it is moved to a new time."""

    __table_args__ = (sa.UniqueConstraint("kind", "item_id", "due_at", name="uq_notification_item"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str  # post | touchpoint
    item_id: int  # no foreign key: the item may be deleted, the record of the reminder stays harmless
    due_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    notified_at: datetime = _created()


class NotifyRun(SQLModel, table=True):
    """When `planner notify` last ran (one row): items that became due since then are new."""

    __tablename__ = "notify_run"

    id: int | None = Field(default=None, primary_key=True)
    last_run_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


# Every table, in dependency order: backup/restore and stats walk this list.
ALL_TABLES: tuple[type[SQLModel], ...] = (
    Topic,
    Feed,
    Entry,
    Keyword,
    EntryKeyword,
    Tag,
    Connection,
    ConnectionTag,
    CommunityGroup,
    Event,
    Post,
    Touchpoint,
    Strategy,
    Slot,
    Review,
    LinkedInRecord,
    AnalyticsDay,
    PostResult,
    Notification,
    NotifyRun,
)
