"""plan_week: turn the strategy, the backlog and who is due into a week a person can follow.

Rules, in the order they apply:

Posts
* The week's slots are the strategy's slots on that ISO week's dates, in the strategy's zone (a
  09:00 slot is 09:00 local on both sides of a DST change). Slots already past are left alone.
* A pillar's quota for the week is its number of slots minus the posts of that pillar already
  scheduled or published in the week (wherever the user put them). Only that many of its empty
  slots are filled, earliest first: a post the user moved to another day still counts, so a rerun
  never refills the slot it came from. Nothing already scheduled is ever moved or changed.
* A slot takes, in this order: the best idea/draft of its pillar (priority, drafts before ideas,
  topic balance within the week, freshness, id); a proposal made from the world — for
  content_share the freshest unused entry (starred and unread first), for group_engagement a
  group whose cadence has run out, for virtual_event an upcoming event with no post yet; a
  published evergreen post of the pillar whose cooldown has passed (the longest-rested first);
  and else the best idea/draft of the pillar furthest below its target share of the mix.
  A slot nothing fits stays open and the plan says why.

Touchpoints
* People due by the end of the week (cadence.people_due), most overdue relative to their cadence
  first, who have no planned touchpoint yet, get one on the working days of the week from today
  on, earliest day first, within the daily capacity (touchpoints already planned or done that day
  count). Each carries its suggested action (suggestions.suggest_actions). An ask the pitch guard
  (ledger.check_ask) rejects is never scheduled: the person is listed under held_asks with the
  guard's reasons and uses no capacity.

Deterministic (every ordering ends on an id), idempotent (a rerun finds the quotas met and the
people planned, so it adds nothing) and `dry_run` computes the same plan and rolls it back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from planner.errors import PlannerError
from planner.models import (
    ASK_KINDS,
    CommunityGroup,
    Entry,
    Event,
    Pillar,
    Post,
    PostStatus,
    TouchKind,
    Touchpoint,
    TouchStatus,
    pk,
    pk_col,
)
from planner.services.slots import PLACED, aware, free_times
from planner.services.strategy import WEEKDAY_NAMES, SlotView, StrategyView, show_strategy
from planner.services.timeutil import iso_week, local_at, week_bounds
from planner.text import count, label

if TYPE_CHECKING:
    from planner.services.ledger import GuardResult
    from planner.services.suggestions import Suggestion

PROPOSAL_MAX_AGE = timedelta(days=21)  # entries older than this are not proposed for sharing
EVENT_LOOKAHEAD = timedelta(days=21)  # events this far after a slot may be promoted in it
MIX_WINDOW = timedelta(weeks=4)  # the pillar mix is measured over this window before the week
_BACKLOG = (PostStatus.IDEA.value, PostStatus.DRAFT.value)


@dataclass(frozen=True)
class PlannedPost:
    post_id: int | None  # None in a dry run for a post that would be created
    at: datetime
    slot_pillar: str
    pillar: str
    title: str
    source: str  # draft / idea / proposed / evergreen / mix
    reason: str


@dataclass(frozen=True)
class PlannedTouch:
    touchpoint_id: int | None
    connection_id: int
    name: str
    kind: str
    at: datetime
    overdue_days: float
    reason: str
    message: str


@dataclass(frozen=True)
class HeldAsk:
    connection_id: int
    name: str
    kind: str
    reasons: list[str]


@dataclass(frozen=True)
class OpenSlot:
    at: datetime
    pillar: str
    why: str


@dataclass
class WeekPlan:
    week: str
    monday: date
    timezone: str
    dry_run: bool
    posts: list[PlannedPost] = field(default_factory=list)
    touchpoints: list[PlannedTouch] = field(default_factory=list)
    held_asks: list[HeldAsk] = field(default_factory=list)
    open_slots: list[OpenSlot] = field(default_factory=list)
    kept_posts: int = 0  # already in the week before planning
    kept_touchpoints: int = 0

    @property
    def added(self) -> int:
        return len(self.posts) + len(self.touchpoints)

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    def summary(self) -> str:
        verb = "would add" if self.dry_run else "added"
        return (
            f"{self.week}: {verb} {count(len(self.posts), 'post')} and {count(len(self.touchpoints), 'touchpoint')} "
            f"(kept {count(self.kept_posts, 'post')} and {count(self.kept_touchpoints, 'touchpoint')} already planned)"
            + (f"; {count(len(self.held_asks), 'ask')} held back by the pitch guard" if self.held_asks else "")
            + (f"; {count(len(self.open_slots), 'slot')} left open" if self.open_slots else "")
        )


@dataclass
class _Candidate:
    post: Post
    fresh: float  # a timestamp: larger is fresher

    def key(self, topic_use: dict[int | None, int]) -> tuple[int, int, int, float, int | None]:
        p = self.post
        balance = topic_use.get(p.topic_id, 0) if p.topic_id is not None else 0
        return (-p.priority, 0 if p.status == PostStatus.DRAFT.value else 1, balance, -self.fresh, p.id)


# --- posts ----------------------------------------------------------------------------------

_Pick = tuple[Post, str, str]  # the post for a slot, where it came from (its source) and why


class _PostPlanner:
    def __init__(self, session: Session, strategy: StrategyView, monday: date, now: datetime, plan: WeekPlan):
        self.session, self.strategy, self.monday, self.now, self.plan = session, strategy, monday, now, plan
        self.zone = strategy.zone
        self.start, self.end = week_bounds(monday, self.zone)

    def run(self) -> None:
        session = self.session
        week_posts = session.exec(
            select(Post).where(
                col(Post.scheduled_at) >= self.start, col(Post.scheduled_at) < self.end, col(Post.status).in_(PLACED)
            )
        ).all()
        self.plan.kept_posts = len(week_posts)
        occupied = {aware(p.scheduled_at) for p in week_posts}
        placed_per_pillar: dict[str, int] = {}
        self.topic_use: dict[int | None, int] = {}
        for p in week_posts:
            placed_per_pillar[p.pillar] = placed_per_pillar.get(p.pillar, 0) + 1
            if p.topic_id is not None:
                self.topic_use[p.topic_id] = self.topic_use.get(p.topic_id, 0) + 1

        slots = []
        for s in self.strategy.slots:
            at = local_at(self.monday + timedelta(days=s.weekday), s.local_time, self.zone)
            slots.append((at, s))
        slots.sort(key=lambda x: (x[0], x[1].id))
        quota: dict[str, int] = {}
        for _, s in slots:
            quota[s.pillar] = quota.get(s.pillar, 0) + 1
        for pillar, n in placed_per_pillar.items():
            quota[pillar] = quota.get(pillar, 0) - n

        # slot learning (strategy.slot_learning, with imported analytics): a pillar with fewer
        # posts to place than empty slots takes its better-performing slots first, and the best
        # slots are filled first (they get the pick of the backlog)
        scores = {}
        if self.strategy.slot_learning:
            from planner.services.analytics import slot_scores

            scores = slot_scores(session, self.now)

        def rank(item: tuple[datetime, SlotView]) -> tuple[float, datetime, int]:
            at, s = item
            score = scores.get((s.weekday, s.local_time))
            return (-(score.ratio if score else 1.0), at, s.id)

        to_fill = []
        for at, s in sorted(slots, key=rank) if scores else slots:
            if at in occupied or quota.get(s.pillar, 0) <= 0:
                continue
            if at <= self.now:
                continue  # past: not worth filling, and it still counts against nothing
            quota[s.pillar] -= 1
            to_fill.append((at, s))
        if not to_fill:
            return

        self._load_backlog()
        self._load_mix(week_posts)
        for at, s in to_fill:
            picked = self._fill(at, s.pillar, s.channel)
            if picked is None:
                self.plan.open_slots.append(OpenSlot(at, s.pillar, self._why_open(s.pillar)))
                continue
            post, source, reason = picked
            score = scores.get((s.weekday, s.local_time))
            if score is not None:
                reason = f"{reason}; {score.reason}"
            post.status = PostStatus.SCHEDULED.value
            post.scheduled_at = at
            post.manual = False
            post.updated_at = self.now
            post.version += 1
            session.add(post)
            session.flush()
            occupied.add(at)
            if post.topic_id is not None:
                self.topic_use[post.topic_id] = self.topic_use.get(post.topic_id, 0) + 1
            self.mix_counts[post.pillar] = self.mix_counts.get(post.pillar, 0) + 1
            self.plan.posts.append(
                PlannedPost(post.id, at, s.pillar, post.pillar, post.title or "(untitled)", source, reason)
            )
        if scores:
            self.plan.posts.sort(key=lambda p: (p.at, p.post_id or 0))  # filled best-first, listed by time

    # candidates ---------------------------------------------------------------------------------

    def _load_backlog(self) -> None:
        rows = self.session.exec(
            select(Post, Entry.published_at)
            .outerjoin(Entry, col(Entry.id) == col(Post.source_entry_id))
            .where(col(Post.status).in_(_BACKLOG))
        ).all()
        self.backlog: dict[str, list[_Candidate]] = {}
        for post, entry_published in rows:
            fresh = aware(entry_published) or aware(post.created_at) or self.now
            self.backlog.setdefault(post.pillar, []).append(_Candidate(post, fresh.timestamp()))

    def _load_mix(self, week_posts: Sequence[Post]) -> None:
        since = self.start - MIX_WINDOW
        rows = self.session.exec(
            select(Post.pillar, func.count())
            .where(col(Post.scheduled_at) >= since, col(Post.scheduled_at) < self.start, col(Post.status).in_(PLACED))
            .group_by(Post.pillar)
        ).all()
        self.mix_counts = {pillar: n for pillar, n in rows}
        for p in week_posts:
            self.mix_counts[p.pillar] = self.mix_counts.get(p.pillar, 0) + 1

    def _best(self, pillar: str) -> _Candidate | None:
        candidates = self.backlog.get(pillar)
        if not candidates:
            return None
        best = min(candidates, key=lambda c: c.key(self.topic_use))
        candidates.remove(best)
        return best

    def _fill(self, at: datetime, pillar: str, channel: str) -> _Pick | None:
        best = self._best(pillar)
        if best is not None:
            p = best.post
            why = f"{p.status} of the slot's pillar" + (f", priority {p.priority}" if p.priority else "")
            return p, p.status, why
        proposed = self._propose(at, pillar, channel)
        if proposed is not None:
            return proposed
        recycled = self._recycle(at, pillar)
        if recycled is not None:
            return recycled
        return self._from_mix(pillar)

    def _propose(self, at: datetime, pillar: str, channel: str) -> _Pick | None:
        if pillar == Pillar.CONTENT_SHARE.value:
            return self._propose_share(at)
        if pillar == Pillar.GROUP_ENGAGEMENT.value:
            return self._propose_group(at)
        if pillar == Pillar.VIRTUAL_EVENT.value:
            return self._propose_event(at)
        return None

    def _propose_share(self, at: datetime) -> _Pick | None:
        from planner.services.entries import idea_from_entry

        used = select(Post.source_entry_id).where(col(Post.source_entry_id).is_not(None))
        entry = self.session.exec(
            select(Entry)
            .where(
                col(Entry.is_dismissed) == False,
                col(Entry.published_at) >= self.now - PROPOSAL_MAX_AGE,
                col(Entry.id).not_in(used),
            )
            .order_by(
                col(Entry.is_starred).desc(),
                col(Entry.is_read),
                col(Entry.published_at).desc(),
                col(Entry.id).desc(),
            )
            .limit(1)
        ).first()
        if entry is None:
            return None
        assert entry.published_at is not None  # the query compared it with now
        post = idea_from_entry(self.session, pk(entry), now=self.now)
        age = (self.now - aware(entry.published_at)).days
        return post, "proposed", f"fresh entry ({age} days old){', starred' if entry.is_starred else ''}: add your take"

    def _propose_group(self, at: datetime) -> _Pick | None:
        linked = select(Post.group_id).where(
            col(Post.group_id).is_not(None), col(Post.status).in_(_BACKLOG + (PostStatus.SCHEDULED.value,))
        )
        groups = self.session.exec(
            select(CommunityGroup)
            .where(col(CommunityGroup.id).not_in(linked))
            .order_by(col(CommunityGroup.name), col(CommunityGroup.id))
        ).all()
        due = [
            g
            for g in groups
            if g.last_engaged_at is None or aware(g.last_engaged_at) + timedelta(days=g.cadence_days) <= at
        ]
        if not due:
            return None
        due.sort(key=lambda g: (g.last_engaged_at is not None, aware(g.last_engaged_at) or at, g.name, g.id))
        g = due[0]
        post = Post(
            pillar=Pillar.GROUP_ENGAGEMENT.value,
            title=f"Contribute in {g.name}",
            body="",
            status=PostStatus.IDEA.value,
            channel=f"group:{g.name}",
            group_id=g.id,
            created_at=self.now,
            updated_at=self.now,
        )
        self.session.add(post)
        self.session.flush()
        last = "never engaged" if g.last_engaged_at is None else f"last engaged {aware(g.last_engaged_at):%Y-%m-%d}"
        return post, "proposed", f"group due ({last}, every {g.cadence_days} days)"

    def _propose_event(self, at: datetime) -> _Pick | None:
        linked = select(Post.event_id).where(col(Post.event_id).is_not(None))
        event = self.session.exec(
            select(Event)
            .where(
                col(Event.starts_at) > at, col(Event.starts_at) <= at + EVENT_LOOKAHEAD, col(Event.id).not_in(linked)
            )
            .order_by(col(Event.starts_at), col(Event.id))
            .limit(1)
        ).first()
        if event is None:
            return None
        verb = "Join me at" if event.role == "hosting" else "I'll be at"
        local = aware(event.starts_at).astimezone(self.zone)
        post = Post(
            pillar=Pillar.VIRTUAL_EVENT.value,
            title=f"{verb} {event.title}",
            body="",
            status=PostStatus.IDEA.value,
            channel="profile",
            event_id=event.id,
            topic_id=event.topic_id,
            created_at=self.now,
            updated_at=self.now,
        )
        self.session.add(post)
        self.session.flush()
        return post, "proposed", f"{event.role} {event.title} on {local:%a %d %b %H:%M}"

    def _recycle(self, at: datetime, pillar: str) -> _Pick | None:
        rows = self.session.exec(
            select(Post)
            .where(
                col(Post.pillar) == pillar,
                col(Post.evergreen) == True,
                col(Post.status) == PostStatus.PUBLISHED.value,
            )
            .order_by(col(Post.published_at), col(Post.id))
        ).all()
        for post in rows:
            published = aware(post.published_at)
            if published is not None and published + timedelta(days=post.cooldown_days) <= at:
                return (
                    post,
                    "evergreen",
                    f"evergreen, last published {published:%Y-%m-%d} (cooldown {post.cooldown_days} days)",
                )
        return None

    def _from_mix(self, slot_pillar: str) -> _Pick | None:
        mix = self.strategy.pillar_mix
        total = sum(self.mix_counts.values())
        ranked = []
        for pillar in (p.value for p in Pillar):
            if pillar == slot_pillar or not self.backlog.get(pillar):
                continue
            share = self.mix_counts.get(pillar, 0) / total if total else 0.0
            ranked.append((-(mix.get(pillar, 0.0) - share), list(Pillar._value2member_map_).index(pillar), pillar))
        if not ranked:
            return None
        ranked.sort()
        pillar = ranked[0][2]
        if mix.get(pillar, 0.0) <= 0:
            return None  # never fill with a pillar the user wants none of
        best = self._best(pillar)
        assert best is not None  # only pillars with a backlog were ranked
        return (
            best.post,
            "mix",
            f"no {label(slot_pillar)} in the backlog; {label(pillar)} is furthest below its target share",
        )

    def _why_open(self, pillar: str) -> str:
        hint = {
            Pillar.CONTENT_SHARE.value: "no idea, draft or fresh entry to share",
            Pillar.GROUP_ENGAGEMENT.value: "no idea or draft, and no group is due",
            Pillar.VIRTUAL_EVENT.value: "no idea or draft, and no upcoming event",
        }.get(pillar, "no idea or draft")
        return f"{hint}: add one with `planner posts add`"


# --- touchpoints -------------------------------------------------------------------------------


def _suggest(session: Session, ids: list[int], now: datetime) -> dict[int, Suggestion]:
    try:
        from planner.services.suggestions import suggest_actions
    except ImportError:  # the network service has not landed: every due person gets a check-in
        return {}
    return suggest_actions(session, ids, now)


def _guard(session: Session, connection_id: int, kind: str, now: datetime) -> GuardResult:
    from planner.services.ledger import check_ask

    return check_ask(session, connection_id, kind, now)


def _plan_touchpoints(session: Session, strategy: StrategyView, monday: date, now: datetime, plan: WeekPlan) -> None:
    from planner.services.cadence import people_due

    zone = strategy.zone
    start, end = week_bounds(monday, zone)
    today = now.astimezone(zone).date()
    week = session.exec(
        select(Touchpoint.due_at).where(
            col(Touchpoint.due_at) >= start,
            col(Touchpoint.due_at) < end,
            col(Touchpoint.status) != TouchStatus.SKIPPED.value,
        )
    ).all()
    plan.kept_touchpoints = len(week)
    used_per_day: dict[date, int] = {}
    taken: set[datetime] = set()
    for due_at in week:
        assert due_at is not None  # the query compared it with start
        due_at = aware(due_at)
        taken.add(due_at)
        day = due_at.astimezone(zone).date()
        used_per_day[day] = used_per_day.get(day, 0) + 1

    # (day, free places) for working days from today on
    days: list[tuple[date, list[datetime]]] = []
    for offset in range(7):
        day = monday + timedelta(days=offset)
        if day.weekday() not in strategy.working_days or day < today:
            continue
        room = strategy.daily_touch_capacity - used_per_day.get(day, 0)
        if room <= 0:
            continue
        times = free_times(day, zone, now, taken, room)
        if times:
            days.append((day, times))
    capacity = sum(len(t) for _, t in days)
    if capacity <= 0:
        return

    planned_people = set(
        session.exec(
            select(Touchpoint.connection_id).where(col(Touchpoint.status) == TouchStatus.PLANNED.value).distinct()
        ).all()
    )
    reference = max(now, end)
    due = [d for d in people_due(session, reference) if d.connection_id not in planned_people]
    places = [at for _, times in days for at in times]
    placed = 0
    cursor = 0
    batch = max(8, capacity * 2)
    while placed < len(places) and cursor < len(due):
        chunk = due[cursor : cursor + batch]
        cursor += len(chunk)
        suggestions = _suggest(session, [d.connection_id for d in chunk], now)
        for info in chunk:
            if placed >= len(places):
                break
            s = suggestions.get(info.connection_id)
            kind = s.kind if s is not None else TouchKind.CHECK_IN.value
            if kind in ASK_KINDS:
                guard = _guard(session, info.connection_id, kind, now)
                if not guard.allowed:
                    plan.held_asks.append(HeldAsk(info.connection_id, info.name, kind, list(guard.reasons)))
                    continue
            at = places[placed]
            placed += 1
            overdue = (now - info.next_due_at).total_seconds() / 86400
            reason = (
                s.reason
                if s is not None
                else (
                    f"{'overdue' if overdue >= 0 else 'due'} for a {info.tier} contact (every {info.cadence_days} days)"
                )
            )
            message = s.message if s is not None else ""
            touch = Touchpoint(
                connection_id=info.connection_id,
                kind=kind,
                status=TouchStatus.PLANNED.value,
                due_at=at,
                note=reason,
                message=message,
                entry_id=getattr(s, "entry_id", None),
                event_id=getattr(s, "event_id", None),
                source="plan",
                manual=False,
                created_at=now,
                updated_at=now,
            )
            session.add(touch)
            plan.touchpoints.append(
                PlannedTouch(None, info.connection_id, info.name, kind, at, round(overdue, 2), reason, message)
            )
        batch = max(8, (len(places) - placed) * 2)
    session.flush()
    # ids are known after the flush; keep the plan in placement order
    rows = session.exec(
        select(pk_col(Touchpoint.id), Touchpoint.connection_id).where(
            col(Touchpoint.source) == "plan",
            col(Touchpoint.status) == TouchStatus.PLANNED.value,
            col(Touchpoint.due_at) >= start,
            col(Touchpoint.due_at) < end,
        )
    ).all()
    ids = {cid: tid for tid, cid in rows}
    plan.touchpoints = [
        PlannedTouch(
            ids.get(t.connection_id), t.connection_id, t.name, t.kind, t.at, t.overdue_days, t.reason, t.message
        )
        for t in plan.touchpoints
    ]


# --- the entry point -------------------------------------------------------------------------


def plan_week(session: Session, week_monday: date, now: datetime, *, dry_run: bool = False) -> WeekPlan:
    """Fill the week starting on `week_monday` (see the module docstring for the rules)."""
    if week_monday.weekday() != 0:
        raise PlannerError(
            f"plan_week needs the Monday of a week, got {week_monday} ({WEEKDAY_NAMES[week_monday.weekday()]})"
        )
    if now.tzinfo is None:
        raise PlannerError("plan_week needs an aware 'now'")
    strategy = show_strategy(session, now)
    plan = WeekPlan(week=iso_week(week_monday), monday=week_monday, timezone=strategy.timezone, dry_run=dry_run)
    savepoint = session.begin_nested()
    try:
        _PostPlanner(session, strategy, week_monday, now, plan).run()
        _plan_touchpoints(session, strategy, week_monday, now, plan)
    except BaseException:
        savepoint.rollback()
        raise
    if dry_run:
        savepoint.rollback()
        created = {p.post_id for p in plan.posts if p.source == "proposed"}
        plan.posts = [
            PlannedPost(
                None if p.post_id in created else p.post_id, p.at, p.slot_pillar, p.pillar, p.title, p.source, p.reason
            )
            for p in plan.posts
        ]
        plan.touchpoints = [
            PlannedTouch(None, t.connection_id, t.name, t.kind, t.at, t.overdue_days, t.reason, t.message)
            for t in plan.touchpoints
        ]
    else:
        savepoint.commit()
    return plan
