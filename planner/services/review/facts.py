"""The parts of a week's review: its posts and touches, give:ask, people going cold and new, what is
rising, failing feeds, and the suggestions drawn from them."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

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
    Strategy,
    Topic,
    Touchpoint,
    TouchStatus,
)
from planner.services.posts import first_line
from planner.services.review.model import (
    COLD_LIMIT,
    ENTRIES_PER_TOPIC,
    GIVE_ASK_FLOOR,
    KEPT_THRESHOLD,
    MIX_GAP,
    RISING_PER_TOPIC,
    ColdPerson,
    EntryPick,
    FeedProblem,
    GiveAsk,
    NewConnection,
    PillarRow,
    PostsReview,
    ReviewItem,
    RisingKeyword,
    SuggestedAction,
    TopicRising,
    TouchesReview,
    WeekReview,
)
from planner.services.timeutil import (
    user_timezone,
)
from planner.store.reader import utc_value
from planner.text import count, label

_PLACED = (PostStatus.SCHEDULED.value, PostStatus.PUBLISHED.value, PostStatus.SKIPPED.value)


def _strategy(session: Session) -> tuple[ZoneInfo, dict[str, float]]:
    """The zone and the target pillar mix, without creating a strategy (a review only reads)."""
    from planner.services.strategy import parse_pillar_mix

    zone = user_timezone(session)
    raw = session.exec(select(col(Strategy.pillar_mix)).order_by(col(Strategy.id)).limit(1)).first()
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


def _posts(session: Session, start: datetime, end: datetime, now: datetime, mix: dict[str, float]) -> PostsReview:
    rows = session.exec(
        select(  # type: ignore[call-overload]  # sqlmodel types select() for up to 4 columns
            col(Post.id),
            col(Post.scheduled_at),
            col(Post.title),
            col(Post.body),
            col(Post.pillar),
            col(Post.status),
            col(Post.version),
        ).where(col(Post.scheduled_at) >= start, col(Post.scheduled_at) < end, col(Post.status).in_(_PLACED))
    ).all()
    items = []
    for pid, at, title, body, pillar, status, version in rows:
        at = utc_value(at)
        shown = title or first_line(body) or f"({label(pillar)} post)"
        items.append(
            ReviewItem(
                "post",
                pid,
                at,
                shown,
                pillar,
                None,
                None,
                status,
                _outcome(status, at, now, PostStatus.PUBLISHED.value),
                version,
            )
        )
    items.sort(key=lambda i: (i.at, i.id))
    published = sum(1 for i in items if i.outcome == "published")
    pillars = []
    names = list(mix) + sorted({i.pillar for i in items if i.pillar is not None} - set(mix))
    for pillar in names:
        mine = [i for i in items if i.pillar == pillar]
        pub = sum(1 for i in mine if i.outcome == "published")
        pillars.append(
            PillarRow(
                pillar,
                round(mix.get(pillar, 0.0), 4),
                len(mine),
                pub,
                sum(1 for i in mine if i.outcome == "skipped"),
                sum(1 for i in mine if i.outcome == "missed"),
                round(pub / published, 4) if published else 0.0,
            )
        )
    return PostsReview(
        planned=len(items),
        published=published,
        skipped=sum(1 for i in items if i.outcome == "skipped"),
        missed=sum(1 for i in items if i.outcome == "missed"),
        upcoming=sum(1 for i in items if i.outcome == "upcoming"),
        pillars=pillars,
        items=items,
    )


def _touches(session: Session, start: datetime, end: datetime, now: datetime) -> TouchesReview:
    rows = session.exec(
        select(  # type: ignore[call-overload]  # sqlmodel types select() for up to 4 columns
            col(Touchpoint.id),
            col(Touchpoint.due_at),
            col(Touchpoint.kind),
            col(Touchpoint.status),
            col(Touchpoint.version),
            col(Connection.first_name),
            col(Connection.last_name),
        )
        .join(Connection, col(Connection.id) == col(Touchpoint.connection_id))
        .where(col(Touchpoint.due_at) >= start, col(Touchpoint.due_at) < end)
    ).all()
    items = []
    for tid, at, kind, status, version, first, last in rows:
        at = utc_value(at)
        name = f"{first} {last}".strip() or "someone"
        items.append(
            ReviewItem(
                "touchpoint",
                tid,
                at,
                f"{label(kind).capitalize()} · {name}",
                None,
                name,
                kind,
                status,
                _outcome(status, at, now, TouchStatus.DONE.value),
                version,
            )
        )
    items.sort(key=lambda i: (i.at, i.id))

    def count(outcome: str) -> int:
        return sum(1 for i in items if i.outcome == outcome)

    return TouchesReview(
        planned=len(items),
        done=count("done"),
        skipped=count("skipped"),
        overdue=count("missed"),
        upcoming=count("upcoming"),
        items=items,
    )


def _give_ask(session: Session, start: datetime, end: datetime) -> GiveAsk:
    rows = session.exec(
        select(col(Touchpoint.kind), func.count())
        .where(
            col(Touchpoint.status) == TouchStatus.DONE.value,
            col(Touchpoint.done_at) >= start,
            col(Touchpoint.done_at) < end,
        )
        .group_by(col(Touchpoint.kind))
    ).all()
    asks = sum(n for kind, n in rows if kind in ASK_KINDS)
    return GiveAsk(gives=sum(n for _k, n in rows) - asks, asks=asks)


def _planned_touches(session: Session, ids: list[int], zone: ZoneInfo) -> dict[int, str]:
    """person id → "share content on Thu 26 Nov" for their earliest planned touchpoint."""
    if not ids:
        return {}
    out: dict[int, str] = {}
    rows = session.exec(
        select(col(Touchpoint.connection_id), col(Touchpoint.kind), col(Touchpoint.due_at))
        .where(col(Touchpoint.connection_id).in_(sorted(set(ids))), col(Touchpoint.status) == TouchStatus.PLANNED.value)
        .order_by(col(Touchpoint.connection_id), col(Touchpoint.due_at), col(Touchpoint.id))
    ).all()
    for cid, kind, due in rows:
        if cid not in out:
            due = utc_value(due)
            out[cid] = f"{label(kind)}" + (f" on {due.astimezone(zone):%a %d %b}" if due else "")
    return out


def _suggested(session: Session, ids: list[int], now: datetime) -> dict[int, SuggestedAction]:
    from planner.services.suggestions import suggest_actions

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
        ColdPerson(
            d.connection_id,
            d.name,
            d.tier,
            d.cadence_days,
            round(d.overdue_days, 2),
            d.last_contact_at,
            suggestions.get(d.connection_id),
            planned.get(d.connection_id),
        )
        for d in top
    ]
    return people, len(cold)


def _new_connections(session: Session, monday: date, now: datetime, zone: ZoneInfo) -> list[NewConnection]:
    sunday = monday + timedelta(days=6)
    people = session.exec(
        select(  # type: ignore[call-overload]  # sqlmodel types select() for up to 4 columns
            col(Connection.id),
            col(Connection.first_name),
            col(Connection.last_name),
            col(Connection.company),
            col(Connection.connected_on),
        )
        .where(
            col(Connection.connected_on) >= monday,
            col(Connection.connected_on) <= sunday,
            col(Connection.archived) == False,
        )
        .order_by(col(Connection.connected_on), col(Connection.id))
    ).all()
    ids = [p[0] for p in people]
    if not ids:
        return []
    gave = set(
        session.exec(
            select(col(Touchpoint.connection_id))
            .where(
                col(Touchpoint.connection_id).in_(ids),
                col(Touchpoint.status) == TouchStatus.DONE.value,
                col(Touchpoint.kind).in_(sorted(k.value for k in VALUE_FIRST_KINDS)),
            )
            .distinct()
        ).all()
    )
    waiting = [p for p in people if p[0] not in gave]
    suggestions = _suggested(session, [p[0] for p in waiting], now)
    planned = _planned_touches(session, [p[0] for p in waiting], zone)
    return [
        NewConnection(
            cid, f"{first} {last}".strip(), company or "", connected_on, suggestions.get(cid), planned.get(cid)
        )
        for cid, first, last, company, connected_on in waiting
    ]


def _rising(session: Session, now: datetime) -> list[TopicRising]:
    """What is rising now (``keywords.rising_now``, the list Discover and the CLI show), by topic:
    a topic lists the rising keywords its entries of the last 7 days mention, and those entries."""
    from planner.services.keywords import TREND_DAYS, TREND_PER_ENTRY, rising_now
    from planner.words import keyword_key

    trends = rising_now(session, now)
    if not trends:
        return []
    keys = {keyword_key(t.keyword): t for t in trends}
    order = {t.keyword: n for n, t in enumerate(trends)}
    rows = session.exec(
        select(  # type: ignore[call-overload]  # sqlmodel types select() for up to 4 columns
            col(Topic.id),
            col(Topic.name),
            col(Entry.id),
            col(Entry.title),
            col(Entry.link),
            col(Entry.published_at),
            col(Entry.is_dismissed),
            col(Keyword.phrase),
            col(Keyword.merge_key),
        )
        .join(Feed, col(Feed.topic_id) == col(Topic.id))
        .join(Entry, col(Entry.feed_id) == col(Feed.id))
        .join(EntryKeyword, col(EntryKeyword.entry_id) == col(Entry.id))
        .join(Keyword, col(Keyword.id) == col(EntryKeyword.keyword_id))
        .where(
            col(Entry.published_at) > now - timedelta(days=TREND_DAYS),
            col(Entry.published_at) <= now,
            col(EntryKeyword.rank) <= TREND_PER_ENTRY,
            or_(col(Keyword.merge_key).in_(sorted(keys)), col(Keyword.merge_key).is_(None)),
        )  # the rising ones only
    ).all()
    topics: dict[int, dict] = {}
    for topic_id, name, eid, title, link, published, dismissed, phrase, merge_key in rows:
        trend = keys.get(merge_key or keyword_key(phrase))
        if trend is None:
            continue
        topic = topics.setdefault(topic_id, {"name": name, "keywords": set(), "entries": {}})
        topic["keywords"].add(trend.keyword)
        if not dismissed:
            e = topic["entries"].setdefault(
                eid, {"title": title, "link": link, "published": utc_value(published), "keywords": set()}
            )
            e["keywords"].add(trend.keyword)
    found = [eid for t in topics.values() for eid in t["entries"]]
    ideas = (
        set(
            session.exec(
                select(col(Post.source_entry_id)).where(col(Post.source_entry_id).in_(sorted(set(found))))
            ).all()
        )
        if found
        else set()
    )
    out = []
    for _topic_id, topic in sorted(topics.items(), key=lambda kv: (kv[1]["name"], kv[0])):
        ranked = sorted(
            topic["entries"].items(), key=lambda kv: (-len(kv[1]["keywords"]), -kv[1]["published"].timestamp(), kv[0])
        )
        entries = [
            EntryPick(
                eid,
                e["title"] or "(untitled entry)",
                e["link"],
                e["published"],
                sorted(e["keywords"], key=order.__getitem__),
                eid in ideas,
            )
            for eid, e in ranked[:ENTRIES_PER_TOPIC]
        ]
        words = sorted(topic["keywords"], key=order.__getitem__)[:RISING_PER_TOPIC]
        out.append(
            TopicRising(
                topic["name"],
                [
                    RisingKeyword(t.keyword, t.count, t.baseline, t.lift, list(t.series))
                    for t in (keys[keyword_key(w)] for w in words)
                ],
                entries,
            )
        )
    return out


def _failing_feeds(session: Session) -> list[FeedProblem]:
    from planner.services.feeds import list_feeds

    problems = [
        FeedProblem(
            f.id,
            f.title or f.url,
            f.url,
            f.topic,
            f.last_status,
            f.last_error,
            f.failure_count,
            f.enabled,
            f.disabled_reason,
        )
        for f in list_feeds(session)
        if f.last_status == "error" or f.failure_count > 0 or not f.enabled
    ]
    problems.sort(key=lambda p: (-p.failure_count, p.title.lower(), p.feed_id))
    return problems


def _suggestions(review: WeekReview, backlog: dict[str, int], capacity: int | None) -> list[str]:
    out: list[str] = []
    missed = review.missed_items
    if missed:
        out.append(
            f"Decide on the {len(missed)} missed item{'s' if len(missed) != 1 else ''} of {review.week}: "
            "carry each forward or drop it."
        )
    if review.posts.published:
        for row in review.posts.pillars:
            if row.target > 0 and row.share < row.target - MIX_GAP:
                ready = backlog.get(row.pillar, 0)
                out.append(
                    f"Give {label(row.pillar)} more room: {row.share:.0%} of last week's published posts against a "
                    f"{row.target:.0%} target"
                    + (f" ({ready} in the backlog)." if ready else " (no idea or draft yet: add one).")
                )
    elif review.posts.planned:
        out.append(
            f"Nothing was published in {review.week} out of {review.posts.planned} scheduled: plan fewer, "
            "shorter posts and publish them."
        )
    else:
        out.append("No posts were scheduled: run the auto-plan for next week.")
    t = review.touchpoints
    if t.planned and t.done < KEPT_THRESHOLD * t.planned:
        extra = f" (capacity is {capacity} a day)" if capacity else ""
        out.append(
            f"Only {t.done} of {count(t.planned, 'touchpoint')} {'was' if t.done == 1 else 'were'} done: "
            f"plan fewer, or block time for them{extra}."
        )
    if review.going_cold:
        names = ", ".join(
            f"{p.name} ({label(p.suggestion.kind) if p.suggestion else 'check in'})" for p in review.going_cold[:3]
        )
        out.append(f"Reach out to the most overdue first: {names}.")
    if review.new_connections:
        names = ", ".join(p.name for p in review.new_connections[:3])
        more = len(review.new_connections) - 3
        out.append(
            f"Start with value for new connections: {names}"
            + (f" and {more} more" if more > 0 else "")
            + " (no value-first touch yet)."
        )
    ga = review.give_ask_90_days
    if ga.asks and ga.gives < GIVE_ASK_FLOOR * ga.asks:
        out.append(
            f"Give before you ask: {ga.ratio_text} gives to asks over 90 days is below {GIVE_ASK_FLOOR:g}:1 — "
            "plan only value-first touches next week."
        )
    best = None
    for topic in review.rising:
        for k in topic.keywords[:1]:
            if best is None or (k.lift, k.count) > (best[1].lift, best[1].count):
                best = (topic.topic, k)
    if best:
        out.append(
            f"Write about “{best[1].keyword}”: rising in {best[0]} ({best[1].count} mentions, ×{best[1].lift:g})."
        )
    if review.failing_feeds:
        names = ", ".join(f.title for f in review.failing_feeds[:3])
        out.append(
            f"Fix or remove {len(review.failing_feeds)} failing feed{'s' if len(review.failing_feeds) != 1 else ''}: "
            f"{names}."
        )
    if review.streak.this_week.kept:
        out.append(
            f"Keep it going: the plan was kept {review.streak.weeks} week{'s' if review.streak.weeks != 1 else ''} "
            "in a row."
        )
    return out
