"""The review's view over weeks: which weeks were kept, the streak, and the charts' series."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import case, func
from sqlmodel import Session, col, select

from planner.models import (
    ASK_KINDS,
    Post,
    PostStatus,
    Review,
    Touchpoint,
    TouchStatus,
)
from planner.services.review.facts import (
    _PLACED,
)
from planner.services.review.model import (
    CHART_WEEKS,
    KEPT_DEFINITION,
    MIX_WEEKS,
    STREAK_MAX_WEEKS,
    Charts,
    MixPoint,
    PostsReview,
    Streak,
    WeekKept,
    WeekPoint,
)
from planner.services.timeutil import (
    iso_week,
    week_bounds,
)


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
    posts = _weekly(
        session,
        col(Post.scheduled_at),
        edges,
        (col(Post.status).in_(_PLACED),),
        col(Post.status) == PostStatus.PUBLISHED.value,
    )
    touches = _weekly(session, col(Touchpoint.due_at), edges, (), col(Touchpoint.status) == TouchStatus.DONE.value)
    out = []
    for i in range(weeks):
        p, t = posts.get(i, (0, 0)), touches.get(i, (0, 0))
        out.append(WeekKept(iso_week(first + timedelta(weeks=i)), p[0], p[1], t[0], t[1]))
    return out


def _saved_counts(session: Session, weeks: list[str]) -> dict[str, dict]:
    """week → the counts saved with its completed review (see the module docstring)."""
    out = {}
    for week, decisions in session.exec(
        select(col(Review.week), col(Review.decisions)).where(
            col(Review.week).in_(weeks), col(Review.completed_at).is_not(None)
        )
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
    done = _weekly(
        session,
        col(Touchpoint.done_at),
        edges,
        (col(Touchpoint.status) == TouchStatus.DONE.value,),
        col(Touchpoint.kind).in_(sorted(k.value for k in ASK_KINDS)),
    )
    points = []
    for i, w in enumerate(counts):
        n, asks = done.get(i, (0, 0))
        points.append(WeekPoint(w.week, n, w.touches_planned, n - asks, asks))
    recent_start, _ = week_bounds(monday - timedelta(weeks=MIX_WEEKS - 1), zone)
    recent = dict(
        session.exec(
            select(col(Post.pillar), func.count())
            .where(
                col(Post.status) == PostStatus.PUBLISHED.value,
                col(Post.scheduled_at) >= recent_start,
                col(Post.scheduled_at) < edges[-1],
            )
            .group_by(col(Post.pillar))
        ).all()
    )
    total = sum(recent.values())
    mix_points = [
        MixPoint(row.pillar, row.target, row.share, round(recent.get(row.pillar, 0) / total, 4) if total else 0.0)
        for row in posts.pillars
    ]
    return Charts(points, mix_points), counts
