"""The weekly review: look back at a week, at the network, at what is rising, then plan and export.

``review_week(session, monday, now)`` gathers everything the review shows into a plain dataclass
tree (``WeekReview.as_json()`` is stable: every list has a fixed order ending on an id or a name).
It is two reads, which the review screen draws as they come: ``last_week`` (the first step, a
small part of the cost) and ``complete_review`` (people going cold, what is rising, suggestions).
The review is read-only; the actions the review screen takes are the small functions at the end
(``mark_happened``, ``carry_forward``, ``drop_item``, ``save_review``) plus the services it builds on
(``network.accept_suggestion``, ``feeds.idea_from_entry``, ``planning.plan_week``).

Definitions (all weeks are ISO weeks, Monday 00:00 to Monday 00:00 in the strategy's time zone):

* A post belongs to the week its ``scheduled_at`` falls in (published, skipped or still
  scheduled). *Published* = status published; *skipped* = status skipped; *missed* = still
  scheduled although its time has passed (nobody said what happened).
* A touchpoint belongs to the week its ``due_at`` falls in. *Done*, *skipped*; *overdue* = still
  planned although its time has passed; *upcoming* = planned, not yet due.
* Give:ask counts DONE touchpoints by ``done_at``: value-first kinds are gives, the ask kinds
  (pitch, meeting request, referral request) are asks. "Last 90 days" is the 90 days ending with
  the reviewed week.
* **A week's plan was kept** when something was planned in it (at least one post or touchpoint)
  and, for each of the two kinds that had anything planned, at least 80 % happened: posts
  published / posts in the week ≥ 0.8, and touchpoints done / touchpoints in the week ≥ 0.8.
  Skipped counts as not happened (a plan kept is a plan done). A week with a saved review is
  judged on the counts saved with it (``decisions["kept"]``), so carrying a missed item out of a
  week afterwards does not turn it into a kept week. The streak is the number of consecutive kept
  weeks ending with the reviewed week (0 when the reviewed week was not kept), at most 52.
* People going cold, their suggestions and new connections without a value-first touch are as of
  ``now`` (what to do next); so are the rising keywords, for planning next week: the very list
  Discover and `planner keywords trends` show (``keywords.rising_now``: the last 7 days against
  the four weeks before, see services.trends), each under the topics whose entries mention it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields, is_dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, or_
from sqlmodel import Session, select

from planner.errors import PlannerError
from planner.models import (
    ASK_KINDS,
    VALUE_FIRST_KINDS,
    Connection,
    Entry,
    EntryKeyword,
    Feed,
    Keyword,
    Post,
    PostStatus,
    Review,
    Strategy,
    Topic,
    Touchpoint,
    TouchStatus,
)
from planner.services.network import GiveAskRatio
from planner.services.posts import first_line
from planner.services.timeutil import iso_week, last_full_week, parse_iso_week, user_timezone, week_bounds
from planner.services.today import review_due  # noqa: F401 (re-exported: the review's question, asked by Today)
from planner.store.reader import utc_value
from planner.text import count, label

KEPT_THRESHOLD = 0.8
STREAK_MAX_WEEKS = 52
CHART_WEEKS = 12
LEDGER_DAYS = 90
MIX_WEEKS = 4  # the pillar-mix chart looks at this many weeks ending with the reviewed week
COLD_LIMIT = 10
RISING_PER_TOPIC = 5
ENTRIES_PER_TOPIC = 5
GIVE_ASK_FLOOR = 3.0  # fewer gives per ask than this over 90 days earns a warning
MIX_GAP = 0.10  # a pillar this far below its target share earns a suggestion
_PLACED = (PostStatus.SCHEDULED.value, PostStatus.PUBLISHED.value, PostStatus.SKIPPED.value)


# --- the tree -------------------------------------------------------------------------------------


def _plain(value):
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if is_dataclass(value):
        custom = getattr(type(value), "as_json", None)
        if custom is not None and custom is not _Json.as_json:
            return custom(value)
        return _fields(value)
    return value


def _fields(value) -> dict:
    return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}


class _Json:
    def as_json(self) -> dict:
        return _fields(self)


@dataclass
class ReviewItem(_Json):
    """A post or touchpoint of the reviewed week, with what became of it."""

    kind: str  # post / touchpoint
    id: int
    at: datetime
    title: str
    pillar: str | None  # posts
    person: str | None  # touchpoints
    action: str | None  # touchpoint kind
    status: str  # the row's status
    outcome: str  # published / done / skipped / missed / upcoming
    version: int

    @property
    def missed(self) -> bool:
        return self.outcome == "missed"


@dataclass
class PillarRow(_Json):
    pillar: str
    target: float  # share of posts the strategy aims at
    planned: int  # posts of the pillar in the week (any outcome)
    published: int
    skipped: int
    missed: int
    share: float  # this pillar's share of the week's published posts (0 when none was published)


@dataclass
class PostsReview(_Json):
    planned: int
    published: int
    skipped: int
    missed: int
    upcoming: int
    pillars: list[PillarRow]
    items: list[ReviewItem]


@dataclass
class TouchesReview(_Json):
    planned: int  # every touchpoint due in the week
    done: int
    skipped: int
    overdue: int  # still planned, due date passed
    upcoming: int
    items: list[ReviewItem]


@dataclass
class GiveAsk(GiveAskRatio, _Json):
    gives: int
    asks: int

    def as_json(self) -> dict:
        return {"gives": self.gives, "asks": self.asks, "ratio": self.ratio, "ratio_text": self.ratio_text}


@dataclass
class SuggestedAction(_Json):
    kind: str
    reason: str
    message: str
    entry_id: int | None = None
    event_id: int | None = None


@dataclass
class ColdPerson(_Json):
    connection_id: int
    name: str
    tier: str
    cadence_days: int
    overdue_days: float
    last_contact_at: datetime | None
    suggestion: SuggestedAction | None
    planned: str | None  # "share content on 2026-11-27" when a touch is already planned


@dataclass
class NewConnection(_Json):
    connection_id: int
    name: str
    company: str
    connected_on: date
    suggestion: SuggestedAction | None
    planned: str | None


@dataclass
class RisingKeyword(_Json):
    keyword: str
    count: int
    baseline: float
    lift: float
    series: list[int]


@dataclass
class EntryPick(_Json):
    entry_id: int
    title: str
    link: str | None
    published_at: datetime | None
    keywords: list[str]  # the rising keywords it mentions
    has_idea: bool  # a post already comes from it


@dataclass
class TopicRising(_Json):
    topic: str
    keywords: list[RisingKeyword]
    entries: list[EntryPick]


@dataclass
class FeedProblem(_Json):
    feed_id: int
    title: str
    url: str
    topic: str | None
    status: str | None
    error: str | None
    failure_count: int
    enabled: bool
    disabled_reason: str | None


@dataclass
class WeekKept(_Json):
    week: str
    posts_planned: int
    posts_published: int
    touches_planned: int
    touches_done: int

    @property
    def kept(self) -> bool:
        if not (self.posts_planned or self.touches_planned):
            return False
        posts_ok = not self.posts_planned or self.posts_published >= KEPT_THRESHOLD * self.posts_planned
        touches_ok = not self.touches_planned or self.touches_done >= KEPT_THRESHOLD * self.touches_planned
        return posts_ok and touches_ok

    def counts(self) -> dict:
        return {"posts_planned": self.posts_planned, "posts_published": self.posts_published,
                "touches_planned": self.touches_planned, "touches_done": self.touches_done}

    def as_json(self) -> dict:
        return {"week": self.week, **self.counts(), "kept": self.kept}


@dataclass
class Streak(_Json):
    weeks: int
    this_week: WeekKept
    definition: str

    def as_json(self) -> dict:
        return {"weeks": self.weeks, "this_week": self.this_week.as_json(), "definition": self.definition}


@dataclass
class WeekPoint(_Json):
    week: str
    touches_done: int
    touches_planned: int
    gives: int
    asks: int


@dataclass
class MixPoint(_Json):
    pillar: str
    target: float
    week: float  # share of the reviewed week's published posts
    recent: float  # share of the published posts of the last MIX_WEEKS weeks


@dataclass
class Charts(_Json):
    weeks: list[WeekPoint]  # oldest first, the reviewed week last
    pillar_mix: list[MixPoint]


@dataclass
class SavedReview(_Json):
    completed_at: datetime | None
    decisions: dict


@dataclass
class LastWeek(_Json):
    """The review's first step: the week's own posts and touchpoints, give:ask, the charts, the
    streak and the saved review. A small part of the cost of the whole (posts and touchpoints of
    one week, a few grouped counts), so the review screen draws it before ``complete_review`` has
    gathered the rest (people going cold and what is rising read every person and a month of
    keywords)."""

    week: str
    monday: date
    sunday: date
    timezone: str
    now: datetime
    posts: PostsReview
    touchpoints: TouchesReview
    give_ask_week: GiveAsk
    give_ask_90_days: GiveAsk
    streak: Streak
    charts: Charts
    saved: SavedReview | None = None

    @property
    def missed_items(self) -> list[ReviewItem]:
        return [i for i in self.posts.items + self.touchpoints.items if i.missed]

    @property
    def next_monday(self) -> date:
        return self.monday + timedelta(days=7)


@dataclass(kw_only=True)
class WeekReview(LastWeek):
    """The whole review: ``LastWeek`` and the rest (see ``complete_review``)."""

    going_cold: list[ColdPerson]
    going_cold_total: int
    new_connections: list[NewConnection]
    rising: list[TopicRising]
    failing_feeds: list[FeedProblem]
    suggestions: list[str]


KEPT_DEFINITION = (
    f"a week is kept when something was planned in it and at least {KEPT_THRESHOLD:.0%} of its scheduled posts "
    f"were published and at least {KEPT_THRESHOLD:.0%} of its planned touchpoints were done (skipped counts as not done)"
)


# --- helpers ---------------------------------------------------------------------------------------


def _strategy(session: Session) -> tuple[ZoneInfo, dict[str, float]]:
    """The zone and the target pillar mix, without creating a strategy (a review only reads)."""
    from planner.services.strategy import parse_pillar_mix

    zone = user_timezone(session)
    raw = session.exec(select(Strategy.pillar_mix).order_by(Strategy.id).limit(1)).first()
    raw = raw or Strategy().pillar_mix
    try:
        mix = parse_pillar_mix(raw, where="stored strategy pillar_mix")
    except PlannerError:
        mix = parse_pillar_mix(Strategy().pillar_mix)
    return zone, mix


def _check_monday(week_monday: date) -> None:
    if week_monday.weekday() != 0:
        raise PlannerError(f"a review needs the Monday of a week, got {week_monday} ({week_monday:%A})")


def _outcome(status: str, at: datetime, now: datetime, done: str) -> str:
    if status == done:
        return done
    if status in (PostStatus.SKIPPED.value, TouchStatus.SKIPPED.value):
        return "skipped"
    return "missed" if at < now else "upcoming"


def _label(value: str) -> str:
    return label(value)


# --- the parts ----------------------------------------------------------------------------------------


def _posts(session: Session, start: datetime, end: datetime, now: datetime, mix: dict[str, float]) -> PostsReview:
    rows = session.exec(
        select(Post.id, Post.scheduled_at, Post.title, Post.body, Post.pillar, Post.status, Post.version)
        .where(Post.scheduled_at >= start, Post.scheduled_at < end, Post.status.in_(_PLACED))
    ).all()
    items = []
    for pid, at, title, body, pillar, status, version in rows:
        at = utc_value(at)
        shown = title or first_line(body) or f"({_label(pillar)} post)"
        items.append(ReviewItem("post", pid, at, shown, pillar, None, None, status,
                                _outcome(status, at, now, PostStatus.PUBLISHED.value), version))
    items.sort(key=lambda i: (i.at, i.id))
    published = sum(1 for i in items if i.outcome == "published")
    pillars = []
    names = list(mix) + sorted({i.pillar for i in items} - set(mix))
    for pillar in names:
        mine = [i for i in items if i.pillar == pillar]
        pub = sum(1 for i in mine if i.outcome == "published")
        pillars.append(PillarRow(
            pillar, round(mix.get(pillar, 0.0), 4), len(mine), pub, sum(1 for i in mine if i.outcome == "skipped"),
            sum(1 for i in mine if i.outcome == "missed"), round(pub / published, 4) if published else 0.0,
        ))
    return PostsReview(
        planned=len(items), published=published, skipped=sum(1 for i in items if i.outcome == "skipped"),
        missed=sum(1 for i in items if i.outcome == "missed"), upcoming=sum(1 for i in items if i.outcome == "upcoming"),
        pillars=pillars, items=items,
    )


def _touches(session: Session, start: datetime, end: datetime, now: datetime) -> TouchesReview:
    rows = session.exec(
        select(Touchpoint.id, Touchpoint.due_at, Touchpoint.kind, Touchpoint.status, Touchpoint.version,
               Connection.first_name, Connection.last_name)
        .join(Connection, Connection.id == Touchpoint.connection_id)
        .where(Touchpoint.due_at >= start, Touchpoint.due_at < end)
    ).all()
    items = []
    for tid, at, kind, status, version, first, last in rows:
        at = utc_value(at)
        name = f"{first} {last}".strip() or "someone"
        items.append(ReviewItem("touchpoint", tid, at, f"{_label(kind).capitalize()} · {name}", None, name, kind, status,
                                _outcome(status, at, now, TouchStatus.DONE.value), version))
    items.sort(key=lambda i: (i.at, i.id))
    count = lambda outcome: sum(1 for i in items if i.outcome == outcome)
    return TouchesReview(planned=len(items), done=count("done"), skipped=count("skipped"), overdue=count("missed"),
                         upcoming=count("upcoming"), items=items)


def _give_ask(session: Session, start: datetime, end: datetime) -> GiveAsk:
    rows = session.exec(
        select(Touchpoint.kind, func.count())
        .where(Touchpoint.status == TouchStatus.DONE.value, Touchpoint.done_at >= start, Touchpoint.done_at < end)
        .group_by(Touchpoint.kind)
    ).all()
    asks = sum(n for kind, n in rows if kind in ASK_KINDS)
    return GiveAsk(gives=sum(n for _k, n in rows) - asks, asks=asks)


def _planned_touches(session: Session, ids: list[int], zone: ZoneInfo) -> dict[int, str]:
    """person id → "share content on Thu 26 Nov" for their earliest planned touchpoint."""
    if not ids:
        return {}
    out: dict[int, str] = {}
    rows = session.exec(
        select(Touchpoint.connection_id, Touchpoint.kind, Touchpoint.due_at)
        .where(Touchpoint.connection_id.in_(sorted(set(ids))), Touchpoint.status == TouchStatus.PLANNED.value)
        .order_by(Touchpoint.connection_id, Touchpoint.due_at, Touchpoint.id)
    ).all()
    for cid, kind, due in rows:
        if cid not in out:
            due = utc_value(due)
            out[cid] = f"{_label(kind)}" + (f" on {due.astimezone(zone):%a %d %b}" if due else "")
    return out


def _suggested(session: Session, ids: list[int], now: datetime) -> dict[int, SuggestedAction]:
    from planner.services.network import suggest_actions

    return {
        cid: SuggestedAction(s.kind, s.reason, s.message, s.entry_id, s.event_id)
        for cid, s in suggest_actions(session, ids, now).items()
    }


def _going_cold(session: Session, now: datetime, zone: ZoneInfo) -> tuple[list[ColdPerson], int]:
    from planner.services.cadence import going_cold

    cold = going_cold(session, now)
    top = cold[:COLD_LIMIT]
    ids = [d.connection_id for d in top]
    suggestions = _suggested(session, ids, now)
    planned = _planned_touches(session, ids, zone)
    people = [
        ColdPerson(d.connection_id, d.name, d.tier, d.cadence_days, round(d.overdue_days, 2), d.last_contact_at,
                   suggestions.get(d.connection_id), planned.get(d.connection_id))
        for d in top
    ]
    return people, len(cold)


def _new_connections(session: Session, monday: date, now: datetime, zone: ZoneInfo) -> list[NewConnection]:
    sunday = monday + timedelta(days=6)
    people = session.exec(
        select(Connection.id, Connection.first_name, Connection.last_name, Connection.company, Connection.connected_on)
        .where(Connection.connected_on >= monday, Connection.connected_on <= sunday, Connection.archived == False)
        .order_by(Connection.connected_on, Connection.id)
    ).all()
    ids = [p[0] for p in people]
    if not ids:
        return []
    gave = set(session.exec(
        select(Touchpoint.connection_id).where(
            Touchpoint.connection_id.in_(ids), Touchpoint.status == TouchStatus.DONE.value,
            Touchpoint.kind.in_(sorted(k.value for k in VALUE_FIRST_KINDS)),
        ).distinct()
    ).all())
    waiting = [p for p in people if p[0] not in gave]
    suggestions = _suggested(session, [p[0] for p in waiting], now)
    planned = _planned_touches(session, [p[0] for p in waiting], zone)
    return [
        NewConnection(cid, f"{first} {last}".strip(), company or "", connected_on, suggestions.get(cid), planned.get(cid))
        for cid, first, last, company, connected_on in waiting
    ]


def _rising(session: Session, now: datetime) -> list[TopicRising]:
    """What is rising now (``keywords.rising_now``, the list Discover and the CLI show), by topic:
    a topic lists the rising keywords its entries of the last 7 days mention, and those entries."""
    from planner.services.keywords import TREND_DAYS, TREND_PER_ENTRY, rising_now
    from planner.services.trends import keyword_key

    trends = rising_now(session, now)
    if not trends:
        return []
    keys = {keyword_key(t.keyword): t for t in trends}
    order = {t.keyword: n for n, t in enumerate(trends)}
    rows = session.exec(
        select(Topic.id, Topic.name, Entry.id, Entry.title, Entry.link, Entry.published_at, Entry.is_dismissed,
               Keyword.phrase, Keyword.merge_key)
        .join(Feed, Feed.topic_id == Topic.id)
        .join(Entry, Entry.feed_id == Feed.id)
        .join(EntryKeyword, EntryKeyword.entry_id == Entry.id)
        .join(Keyword, Keyword.id == EntryKeyword.keyword_id)
        .where(Entry.published_at > now - timedelta(days=TREND_DAYS), Entry.published_at <= now,
               EntryKeyword.rank <= TREND_PER_ENTRY,
               or_(Keyword.merge_key.in_(sorted(keys)), Keyword.merge_key.is_(None)))  # the rising ones only
    ).all()
    topics: dict[int, dict] = {}
    for topic_id, name, eid, title, link, published, dismissed, phrase, merge_key in rows:
        trend = keys.get(merge_key or keyword_key(phrase))
        if trend is None:
            continue
        topic = topics.setdefault(topic_id, {"name": name, "keywords": set(), "entries": {}})
        topic["keywords"].add(trend.keyword)
        if not dismissed:
            e = topic["entries"].setdefault(eid, {"title": title, "link": link, "published": utc_value(published),
                                                  "keywords": set()})
            e["keywords"].add(trend.keyword)
    found = [eid for t in topics.values() for eid in t["entries"]]
    ideas = set(session.exec(select(Post.source_entry_id).where(Post.source_entry_id.in_(sorted(set(found))))).all()) \
        if found else set()
    out = []
    for _topic_id, topic in sorted(topics.items(), key=lambda kv: (kv[1]["name"], kv[0])):
        ranked = sorted(topic["entries"].items(),
                        key=lambda kv: (-len(kv[1]["keywords"]), -kv[1]["published"].timestamp(), kv[0]))
        entries = [
            EntryPick(eid, e["title"] or "(untitled entry)", e["link"], e["published"],
                      sorted(e["keywords"], key=order.__getitem__), eid in ideas)
            for eid, e in ranked[:ENTRIES_PER_TOPIC]
        ]
        words = sorted(topic["keywords"], key=order.__getitem__)[:RISING_PER_TOPIC]
        out.append(TopicRising(topic["name"], [
            RisingKeyword(t.keyword, t.count, t.baseline, t.lift, list(t.series)) for t in (keys[keyword_key(w)] for w in words)
        ], entries))
    return out


def _failing_feeds(session: Session) -> list[FeedProblem]:
    from planner.services.feeds import list_feeds

    problems = [
        FeedProblem(f.id, f.title or f.url, f.url, f.topic, f.last_status, f.last_error, f.failure_count, f.enabled,
                    f.disabled_reason)
        for f in list_feeds(session)
        if f.last_status == "error" or f.failure_count > 0 or not f.enabled
    ]
    problems.sort(key=lambda p: (-p.failure_count, p.title.lower(), p.feed_id))
    return problems


def _week_edges(first: date, weeks: int, zone: ZoneInfo) -> list[datetime]:
    """UTC instants where the local weeks from the Monday `first` start, then where the last one
    ends: `weeks` + 1 edges. Each is that Monday's local midnight, so a week across a DST change is
    167 or 169 hours long, exactly as ``week_bounds`` (which the week's own lists use) has it."""
    return [week_bounds(first + timedelta(weeks=i), zone)[0] for i in range(weeks + 1)]


def _weekly(session: Session, column, edges: list[datetime], where: tuple, flag) -> dict[int, tuple[int, int]]:
    """week index → (rows, rows where `flag` holds) for rows whose `column` lies between the first
    and the last edge: one grouped query, the week picked by comparing with the edges in SQL (no
    row comes back to Python). The grouping runs over a subquery so PostgreSQL groups by the
    label rather than by a CASE repeated with fresh bound parameters."""
    week = case(*[(column < edge, i) for i, edge in enumerate(edges[1:])], else_=-1)
    inner = (
        select(week.label("week"), case((flag, 1), else_=0).label("hit"))
        .where(column >= edges[0], column < edges[-1], *where)
        .subquery()
    )
    rows = session.exec(select(inner.c.week, func.count(), func.sum(inner.c.hit)).group_by(inner.c.week)).all()
    return {int(w): (int(n), int(hit or 0)) for w, n, hit in rows if w is not None and w >= 0}


def _week_counts(session: Session, first: date, weeks: int, zone: ZoneInfo) -> list[WeekKept]:
    """Posts and touchpoints planned / happened for `weeks` weeks from the Monday `first`: two
    grouped queries, whatever the number of rows."""
    edges = _week_edges(first, weeks, zone)
    posts = _weekly(session, Post.scheduled_at, edges, (Post.status.in_(_PLACED),),
                    Post.status == PostStatus.PUBLISHED.value)
    touches = _weekly(session, Touchpoint.due_at, edges, (), Touchpoint.status == TouchStatus.DONE.value)
    out = []
    for i in range(weeks):
        p, t = posts.get(i, (0, 0)), touches.get(i, (0, 0))
        out.append(WeekKept(iso_week(first + timedelta(weeks=i)), p[0], p[1], t[0], t[1]))
    return out


def _saved_counts(session: Session, weeks: list[str]) -> dict[str, dict]:
    """week → the counts saved with its completed review (see the module docstring)."""
    out = {}
    for week, decisions in session.exec(
        select(Review.week, Review.decisions).where(Review.week.in_(weeks), Review.completed_at.is_not(None))
    ):
        try:
            kept = json.loads(decisions or "{}").get("kept")
        except (ValueError, AttributeError):
            continue
        keys = ("posts_planned", "posts_published", "touches_planned", "touches_done")
        if isinstance(kept, dict) and all(isinstance(kept.get(k), int) for k in keys):
            out[week] = {k: kept[k] for k in keys}
    return out


def _streak(session: Session, monday: date, zone: ZoneInfo, recent: list[WeekKept]) -> Streak:
    """`recent`: the counts of the weeks ending with `monday` (the chart's). Older weeks are counted
    only while the run of kept weeks goes on, a block of CHART_WEEKS at a time, so a broken streak
    costs nothing more and a long one at most STREAK_MAX_WEEKS weeks of rows."""
    live = recent[-1]  # the reviewed week as it stands (what a review saves)
    names = [iso_week(monday - timedelta(weeks=i)) for i in range(1, STREAK_MAX_WEEKS)]
    saved = _saved_counts(session, names)
    history = list(reversed(recent[-STREAK_MAX_WEEKS:]))  # newest first
    weeks = 0
    while True:
        for i in range(weeks, len(history)):
            w = history[i]
            judged = WeekKept(w.week, **saved[w.week]) if i and w.week in saved else w
            if not judged.kept:
                return Streak(weeks, live, KEPT_DEFINITION)
            weeks += 1
        if weeks >= STREAK_MAX_WEEKS:
            return Streak(STREAK_MAX_WEEKS, live, KEPT_DEFINITION)
        block = min(CHART_WEEKS, STREAK_MAX_WEEKS - weeks)
        history += reversed(_week_counts(session, monday - timedelta(weeks=weeks + block - 1), block, zone))


def _charts(session: Session, monday: date, zone: ZoneInfo, posts: PostsReview) -> tuple[Charts, list[WeekKept]]:
    """The chart series, and the week counts they were drawn from (the streak starts from them)."""
    first = monday - timedelta(weeks=CHART_WEEKS - 1)
    counts = _week_counts(session, first, CHART_WEEKS, zone)
    edges = _week_edges(first, CHART_WEEKS, zone)
    done = _weekly(session, Touchpoint.done_at, edges, (Touchpoint.status == TouchStatus.DONE.value,),
                   Touchpoint.kind.in_(sorted(k.value for k in ASK_KINDS)))
    points = []
    for i, w in enumerate(counts):
        n, asks = done.get(i, (0, 0))
        points.append(WeekPoint(w.week, n, w.touches_planned, n - asks, asks))
    recent_start, _ = week_bounds(monday - timedelta(weeks=MIX_WEEKS - 1), zone)
    recent = dict(session.exec(
        select(Post.pillar, func.count())
        .where(Post.status == PostStatus.PUBLISHED.value, Post.scheduled_at >= recent_start, Post.scheduled_at < edges[-1])
        .group_by(Post.pillar)
    ).all())
    total = sum(recent.values())
    mix_points = [
        MixPoint(row.pillar, row.target, row.share, round(recent.get(row.pillar, 0) / total, 4) if total else 0.0)
        for row in posts.pillars
    ]
    return Charts(points, mix_points), counts


def _suggestions(review: WeekReview, backlog: dict[str, int], capacity: int | None) -> list[str]:
    out: list[str] = []
    missed = review.missed_items
    if missed:
        out.append(f"Decide on the {len(missed)} missed item{'s' if len(missed) != 1 else ''} of {review.week}: "
                   "carry each forward or drop it.")
    if review.posts.published:
        for row in review.posts.pillars:
            if row.target > 0 and row.share < row.target - MIX_GAP:
                ready = backlog.get(row.pillar, 0)
                out.append(
                    f"Give {_label(row.pillar)} more room: {row.share:.0%} of last week's published posts against a "
                    f"{row.target:.0%} target" + (f" ({ready} in the backlog)." if ready else " (no idea or draft yet: add one).")
                )
    elif review.posts.planned:
        out.append(f"Nothing was published in {review.week} out of {review.posts.planned} scheduled: plan fewer, "
                   "shorter posts and publish them.")
    else:
        out.append("No posts were scheduled: run the auto-plan for next week.")
    t = review.touchpoints
    if t.planned and t.done < KEPT_THRESHOLD * t.planned:
        extra = f" (capacity is {capacity} a day)" if capacity else ""
        out.append(f"Only {t.done} of {count(t.planned, 'touchpoint')} {'was' if t.done == 1 else 'were'} done: "
                   f"plan fewer, or block time for them{extra}.")
    if review.going_cold:
        names = ", ".join(
            f"{p.name} ({_label(p.suggestion.kind) if p.suggestion else 'check in'})" for p in review.going_cold[:3]
        )
        out.append(f"Reach out to the most overdue first: {names}.")
    if review.new_connections:
        names = ", ".join(p.name for p in review.new_connections[:3])
        more = len(review.new_connections) - 3
        out.append(f"Start with value for new connections: {names}" + (f" and {more} more" if more > 0 else "")
                   + " (no value-first touch yet).")
    ga = review.give_ask_90_days
    if ga.asks and ga.gives < GIVE_ASK_FLOOR * ga.asks:
        out.append(f"Give before you ask: {ga.ratio_text} gives to asks over 90 days is below {GIVE_ASK_FLOOR:g}:1 — "
                   "plan only value-first touches next week.")
    best = None
    for topic in review.rising:
        for k in topic.keywords[:1]:
            if best is None or (k.lift, k.count) > (best[1].lift, best[1].count):
                best = (topic.topic, k)
    if best:
        out.append(f"Write about “{best[1].keyword}”: rising in {best[0]} ({best[1].count} mentions, ×{best[1].lift:g}).")
    if review.failing_feeds:
        names = ", ".join(f.title for f in review.failing_feeds[:3])
        out.append(f"Fix or remove {len(review.failing_feeds)} failing feed{'s' if len(review.failing_feeds) != 1 else ''}: "
                   f"{names}.")
    if review.streak.this_week.kept:
        out.append(f"Keep it going: the plan was kept {review.streak.weeks} week{'s' if review.streak.weeks != 1 else ''} "
                   "in a row.")
    return out


# --- the entry point ---------------------------------------------------------------------------------


def review_week(session: Session, week_monday: date, now: datetime) -> WeekReview:
    """Everything the weekly review shows for the week starting on `week_monday` (see the module
    docstring for the definitions)."""
    return complete_review(session, last_week(session, week_monday, now))


def last_week(session: Session, week_monday: date, now: datetime) -> LastWeek:
    """The first step of the review of the week starting on `week_monday` (see ``LastWeek``)."""
    _check_monday(week_monday)
    if now.tzinfo is None:
        raise PlannerError("review_week needs an aware 'now'")
    zone, mix = _strategy(session)
    start, end = week_bounds(week_monday, zone)
    posts = _posts(session, start, end, now, mix)
    charts, counts = _charts(session, week_monday, zone, posts)
    return LastWeek(
        week=iso_week(week_monday), monday=week_monday, sunday=week_monday + timedelta(days=6), timezone=zone.key,
        now=now, posts=posts, touchpoints=_touches(session, start, end, now),
        give_ask_week=_give_ask(session, start, end),
        give_ask_90_days=_give_ask(session, end - timedelta(days=LEDGER_DAYS), end),
        streak=_streak(session, week_monday, zone, counts),
        charts=charts,
        saved=_saved(session, iso_week(week_monday)),
    )


def built_from(review: WeekReview, last: LastWeek) -> bool:
    """Whether `review` is `last` completed (its first step holds exactly `last`'s values): a
    review completed from an older first step must not be shown beside a newer one."""
    return all(getattr(review, f.name) == getattr(last, f.name) for f in fields(LastWeek))


def complete_review(session: Session, last: LastWeek) -> WeekReview:
    """`last` and the rest of the review: people going cold and new ones as of `last.now`, what
    rose in the week, failing feeds, and the suggestions drawn from all of it."""
    zone, now = ZoneInfo(last.timezone), last.now
    cold, cold_total = _going_cold(session, now, zone)
    review = WeekReview(
        **{f.name: getattr(last, f.name) for f in fields(LastWeek)},
        going_cold=cold, going_cold_total=cold_total,
        new_connections=_new_connections(session, last.monday, now, zone),
        rising=_rising(session, now),
        failing_feeds=_failing_feeds(session),
        suggestions=[],
    )
    backlog = dict(session.exec(
        select(Post.pillar, func.count()).where(Post.status.in_((PostStatus.IDEA.value, PostStatus.DRAFT.value)))
        .group_by(Post.pillar)
    ).all())
    capacity = session.exec(select(Strategy.daily_touch_capacity).order_by(Strategy.id).limit(1)).first()
    review.suggestions = _suggestions(review, backlog, capacity)
    return review


def _saved(session: Session, week: str) -> SavedReview | None:
    row = session.exec(select(Review).where(Review.week == week)).first()
    if row is None:
        return None
    try:
        decisions = json.loads(row.decisions or "{}")
    except ValueError:
        decisions = {}
    return SavedReview(utc_value(row.completed_at), decisions if isinstance(decisions, dict) else {})


def review_for(session: Session, week: str | None, now: datetime) -> WeekReview:
    """`week` like "2026-W47", or None for the last full week in the strategy's zone."""
    if week:
        monday = parse_iso_week(week)
    else:
        monday = last_full_week(now, user_timezone(session))
    return review_week(session, monday, now)


# --- actions ------------------------------------------------------------------------------------------


def _missed_row(session: Session, kind: str, item_id: int, now: datetime, expected_version: int | None):
    from planner.store.versioning import load_for_edit

    model = {"post": Post, "touchpoint": Touchpoint}.get(kind)
    if model is None:
        raise PlannerError(f"unknown item kind {kind!r} (expected post or touchpoint)")
    row = load_for_edit(session, model, item_id, expected_version)
    open_status = PostStatus.SCHEDULED.value if kind == "post" else TouchStatus.PLANNED.value
    if row.status != open_status:
        raise PlannerError(f"{kind} {item_id} is {row.status}: only a missed (still {open_status}) item can be changed here")
    return row


def mark_happened(session: Session, kind: str, item_id: int, now: datetime, expected_version: int | None = None) -> str:
    """A missed item did happen, at its planned time: the post becomes published, the touchpoint
    done (dated when it was due, so the week and the cadence see it where it happened)."""
    from planner.store.versioning import bump

    row = _missed_row(session, kind, item_id, now, expected_version)
    if kind == "post":
        row.status = PostStatus.PUBLISHED.value
        row.published_at = min(utc_value(row.scheduled_at) or now, now)
        label = row.title or f"post {item_id}"
        verdict = "published"
    else:
        row.status = TouchStatus.DONE.value
        row.done_at = min(utc_value(row.due_at) or now, now)
        label = f"{_label(row.kind)} touchpoint"
        verdict = "done"
    bump(row, now)
    session.add(row)
    session.flush()
    return f"{label}: {verdict}"


def carry_forward(session: Session, kind: str, item_id: int, to: datetime, now: datetime | None = None,
                  expected_version: int | None = None) -> str:
    """Move a missed post or touchpoint to `to` (placed by hand: planning leaves it there)."""
    from planner.models import utcnow
    from planner.services.planning import move_item

    now = now or utcnow()
    if to.tzinfo is None:
        raise PlannerError("the new time needs a time zone")
    row = _missed_row(session, kind, item_id, now, expected_version)
    message = move_item(session, kind, item_id, to, now, expected_version=row.version)
    return f"{message} to {to:%Y-%m-%d %H:%M} UTC"


def drop_item(session: Session, kind: str, item_id: int, now: datetime | None = None,
              expected_version: int | None = None) -> str:
    """A missed item will not happen: mark it skipped (kept in the history, off the plan)."""
    from planner.models import utcnow
    from planner.store.versioning import bump

    now = now or utcnow()
    row = _missed_row(session, kind, item_id, now, expected_version)
    row.status = PostStatus.SKIPPED.value if kind == "post" else TouchStatus.SKIPPED.value
    bump(row, now)
    session.add(row)
    session.flush()
    label = (row.title or f"post {item_id}") if kind == "post" else f"{_label(row.kind)} touchpoint"
    return f"{label}: dropped"


def carry_target(item_at: datetime, now: datetime, zone: ZoneInfo) -> datetime:
    """Where a missed item goes by default: the same weekday and local time a week later; when
    that has passed already, the next weekday (Mon–Fri) at that time that is still ahead of `now`."""
    # wall-clock arithmetic: 09:00 stays 09:00 across a DST change
    wall = item_at.astimezone(zone).replace(tzinfo=None) + timedelta(weeks=1)
    while wall.replace(tzinfo=zone) <= now or (wall.date() > item_at.astimezone(zone).date() + timedelta(weeks=1)
                                                  and wall.weekday() >= 5):
        wall += timedelta(days=1)
    return wall.replace(tzinfo=zone).astimezone(UTC)


def save_review(session: Session, week: str, decisions: dict, now: datetime) -> SavedReview:
    """Record the review of `week` as done, with the decisions made (JSON, sorted keys). Saving
    again replaces the decisions and the completion time."""
    parse_iso_week(week)  # names the bad value
    week = week.upper()
    if not isinstance(decisions, dict):
        raise PlannerError(f"review decisions must be a mapping, got {type(decisions).__name__}")
    try:
        text = json.dumps(decisions, sort_keys=True, ensure_ascii=False, default=_plain)
    except (TypeError, ValueError) as exc:
        raise PlannerError(f"review decisions for {week} cannot be saved as JSON: {exc}") from None
    row = session.exec(select(Review).where(Review.week == week)).first()
    if row is None:
        row = Review(week=week, created_at=now)
    row.completed_at = now
    row.decisions = text
    session.add(row)
    session.flush()
    return SavedReview(utc_value(row.completed_at), json.loads(text))


__all__ = [
    "KEPT_DEFINITION",
    "LastWeek",
    "WeekReview",
    "built_from",
    "carry_forward",
    "carry_target",
    "complete_review",
    "drop_item",
    "last_full_week",
    "last_week",
    "mark_happened",
    "review_due",
    "review_for",
    "review_week",
    "save_review",
]
