"""Results from LinkedIn's creator analytics: stored per day and per post, matched to our posts,
summed per pillar and per slot (weekday × hour), and the slots that did better for plan week.

Exports overlap: a day in a newer import replaces the stored one; a post keeps its larger totals
(a post's totals only grow, so the larger one is the later export's).
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlmodel import Session, col, select

from planner.adapters.linkedin_analytics import AnalyticsFile, activity_id, canonical_post_url
from planner.enums import PostStatus
from planner.models import AnalyticsDay, Post, PostResult, pk_col, utcnow
from planner.services.timeutil import user_timezone
from planner.text import count

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass
class AnalyticsReport:
    file: str
    days_added: int = 0
    days_updated: int = 0
    days_unchanged: int = 0
    posts_added: int = 0
    posts_updated: int = 0
    posts_unchanged: int = 0
    matched: list[str] = field(default_factory=list)  # "urn…7123 → post 12 (by URL)"
    unmatched: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    total_followers: int | None = None


def _match_post(
    row: PostResult, by_activity: dict, by_url: dict, by_day: dict, taken: set[int]
) -> tuple[int | None, str]:
    """The post a result belongs to: by its URL, else the one post of its publish day that no
    other result holds (a post measured under one URL is not matched again by date)."""
    if row.activity_id and row.activity_id in by_activity:
        return by_activity[row.activity_id], "by URL"
    if row.url in by_url:
        return by_url[row.url], "by URL"
    if row.published_on is not None:
        same_day = [pid for pid in by_day.get(row.published_on, []) if pid not in taken]
        if len(same_day) == 1:
            return same_day[0], "by publish date"
        if len(same_day) > 1:
            return None, f"{len(same_day)} posts went out on {row.published_on}: no match by date"
        if by_day.get(row.published_on):
            return None, f"the posts of {row.published_on} are measured under another URL: no match by date"
    return None, "no post with this URL or publish date"


def import_analytics(session: Session, parsed: AnalyticsFile, now: datetime | None = None) -> AnalyticsReport:
    now = now or utcnow()
    report = AnalyticsReport(parsed.source, skipped=list(parsed.problems))
    stored = {d.day: d for d in session.exec(select(AnalyticsDay)).all()}
    for day, row in sorted(parsed.days.items()):
        current = stored.get(day)
        if current is None:
            session.add(
                AnalyticsDay(
                    day=day,
                    impressions=row.impressions,
                    engagements=row.engagements,
                    new_followers=row.new_followers,
                    updated_at=now,
                )
            )
            report.days_added += 1
            continue
        new = {
            k: v
            for k, v in (
                ("impressions", row.impressions),
                ("engagements", row.engagements),
                ("new_followers", row.new_followers),
            )
            if v is not None
        }
        if all(getattr(current, k) == v for k, v in new.items()):
            report.days_unchanged += 1
            continue
        for k, v in new.items():
            setattr(current, k, v)
        current.updated_at = now
        session.add(current)
        report.days_updated += 1
    if parsed.total_followers:
        day, total = parsed.total_followers
        current = stored.get(day) or session.exec(select(AnalyticsDay).where(col(AnalyticsDay.day) == day)).first()
        if current is None:
            session.add(AnalyticsDay(day=day, total_followers=total, updated_at=now))
        else:
            current.total_followers = total
            session.add(current)
        report.total_followers = total
    session.flush()
    tz = user_timezone(session)
    published = session.exec(
        select(pk_col(Post.id), col(Post.url), col(Post.published_at)).where(
            col(Post.status) == PostStatus.PUBLISHED.value
        )
    ).all()
    by_activity = {a: pid for pid, url, _at in published if (a := activity_id(url))}
    by_url = {canonical_post_url(url): pid for pid, url, _at in published if url}
    by_day: dict[date, list[int]] = {}
    for pid, _url, at in published:
        if at is not None:
            by_day.setdefault(at.astimezone(tz).date(), []).append(pid)
    results = {r.url: r for r in session.exec(select(PostResult)).all()}
    taken = {r.post_id for r in results.values() if r.post_id}
    for url, post in sorted(parsed.posts.items()):
        result = results.get(url)
        if result is None:
            result = PostResult(
                url=url,
                activity_id=post.activity_id,
                published_on=post.published_on,
                impressions=post.impressions,
                engagements=post.engagements,
                updated_at=now,
            )
            report.posts_added += 1
        else:
            grown = False
            for k in ("impressions", "engagements"):
                v = getattr(post, k)
                if v is not None and (getattr(result, k) is None or v > getattr(result, k)):
                    setattr(result, k, v)
                    grown = True
            result.published_on = result.published_on or post.published_on
            if grown:
                result.updated_at = now
                report.posts_updated += 1
            else:
                report.posts_unchanged += 1
        if result.post_id is None:
            matched, how = _match_post(result, by_activity, by_url, by_day, taken)
            result.post_id = matched
            if matched:
                taken.add(matched)
            (report.matched if matched else report.unmatched).append(
                f"{url}: " + (f"post {matched} ({how})" if matched else how)
            )
        session.add(result)
    session.flush()
    return report


def post_metrics(session: Session, post_ids: list[int]) -> dict[int, tuple[int | None, int | None]]:
    """post id → (impressions, engagements) from the analytics, for the posts that have them."""
    if not post_ids:
        return {}
    rows = session.exec(
        select(col(PostResult.post_id), col(PostResult.impressions), col(PostResult.engagements)).where(
            col(PostResult.post_id).in_(sorted(set(post_ids)))
        )
    ).all()
    return {pid: (imp, eng) for pid, imp, eng in rows if pid is not None}  # all: the query named them


# --- results ------------------------------------------------------------------------------------


@dataclass
class Bucket:
    label: str
    posts: int = 0
    impressions: int = 0
    engagements: int = 0


@dataclass
class Results:
    start: date
    end: date  # exclusive
    posts_measured: int
    impressions: int
    engagements: int
    pillars: list[Bucket]
    slots: list[Bucket]  # "Tue 08:00" buckets (weekday × hour, the strategy's zone)
    best_post: dict | None  # {"id", "title", "impressions", "engagements"}
    followers: list[tuple[date, int]]  # new followers per day
    follower_growth: int
    total_followers: int | None


def results(session: Session, start: date, end: date) -> Results:
    """Impressions and engagements of the posts published in [start, end) (local days), per
    pillar and per slot; the best post; new followers per day."""
    tz = user_timezone(session)
    rows = session.exec(
        select(  # type: ignore[call-overload]  # sqlmodel types select() for up to 4 columns
            col(Post.id),
            col(Post.title),
            col(Post.body),
            col(Post.pillar),
            col(Post.published_at),
            col(PostResult.impressions),
            col(PostResult.engagements),
        )
        .join(PostResult, col(PostResult.post_id) == col(Post.id))
        .where(col(Post.status) == PostStatus.PUBLISHED.value, col(Post.published_at).is_not(None))
    ).all()
    pillars: dict[str, Bucket] = {}
    slots: dict[tuple[int, int, int], Bucket] = {}  # by weekday and local time, as slots are
    best = None
    total_imp = total_eng = measured = 0
    for pid, title, body, pillar, at, imp, eng in rows:
        local = at.astimezone(tz)
        if not (start <= local.date() < end):
            continue
        measured += 1
        imp, eng = imp or 0, eng or 0
        total_imp += imp
        total_eng += eng
        for bucket in (
            pillars.setdefault(pillar, Bucket(pillar)),
            slots.setdefault(
                (local.weekday(), local.hour, local.minute),
                Bucket(f"{WEEKDAYS[local.weekday()]} {local:%H:%M}"),
            ),
        ):
            bucket.posts += 1
            bucket.impressions += imp
            bucket.engagements += eng
        if best is None or (imp, eng) > (best["impressions"], best["engagements"]):
            from planner.services.posts import first_line

            best = {"id": pid, "title": title or first_line(body), "impressions": imp, "engagements": eng}
    days = session.exec(
        select(AnalyticsDay)
        .where(col(AnalyticsDay.day) >= start, col(AnalyticsDay.day) < end)
        .order_by(col(AnalyticsDay.day))
    ).all()
    followers = [(d.day, d.new_followers) for d in days if d.new_followers is not None]
    latest_total = session.exec(
        select(col(AnalyticsDay.total_followers))
        .where(col(AnalyticsDay.total_followers).is_not(None))
        .order_by(col(AnalyticsDay.day).desc())
    ).first()
    return Results(
        start,
        end,
        measured,
        total_imp,
        total_eng,
        sorted(pillars.values(), key=lambda b: (-b.impressions, b.label)),
        [slots[k] for k in sorted(slots)],
        best,
        followers,
        sum(n for _d, n in followers),
        latest_total,
    )


@dataclass(frozen=True)
class SlotScore:
    weekday: int
    local_time: str  # "08:30"
    ratio: float  # the slot's median impressions / the median over all measured posts
    posts: int
    weeks: int

    @property
    def reason(self) -> str:
        return (
            f"{WEEKDAYS[self.weekday]} {self.local_time} had {self.ratio:.1f}× your median impressions "
            f"over {self.weeks} weeks"
        )


def slot_scores(session: Session, now: datetime, weeks: int = 8) -> dict[tuple[int, str], SlotScore]:
    """(weekday, "HH:MM") → how the posts published at that local time did over the last
    ``weeks`` weeks, against the median of every measured post. Empty without analytics."""
    tz = user_timezone(session)
    since = now - timedelta(weeks=weeks)
    rows = session.exec(
        select(col(Post.published_at), col(PostResult.impressions))
        .join(PostResult, col(PostResult.post_id) == col(Post.id))
        .where(col(Post.published_at) >= since, col(PostResult.impressions).is_not(None))
    ).all()
    measured = [(at, imp) for at, imp in rows if at is not None and imp is not None]  # all: the query asked
    if len(measured) < 2:
        return {}
    overall = statistics.median(imp for _at, imp in measured)
    if not overall:
        return {}
    by_slot: dict[tuple[int, str], list[int]] = {}
    for at, imp in measured:
        local = at.astimezone(tz)
        by_slot.setdefault((local.weekday(), f"{local:%H:%M}"), []).append(imp)
    return {
        k: SlotScore(k[0], k[1], round(statistics.median(v) / overall, 2), len(v), weeks) for k, v in by_slot.items()
    }


SPARK = "▁▂▃▄▅▆▇█"


def sparkline(values: list[int]) -> str:
    """A one-line chart of ``values`` (follower growth per day)."""
    if not values:
        return ""
    top = max(values) or 1
    return "".join(SPARK[min(len(SPARK) - 1, round(v / top * (len(SPARK) - 1)))] if v > 0 else SPARK[0] for v in values)


def has_results(r: Results) -> bool:
    return bool(r.posts_measured or r.followers)


def results_markdown(r: Results) -> str:
    """The review's results section (LinkedIn analytics), Markdown."""
    out = [
        "",
        "## Results (LinkedIn analytics)",
        "",
        f"{count(r.posts_measured, 'post')} measured: {r.impressions:,} impressions, {r.engagements:,} engagements.",
    ]
    if r.best_post:
        b = r.best_post
        out.append(
            f"Best post: {b['title']} (post {b['id']}) — {b['impressions']:,} impressions, {b['engagements']:,} engagements."
        )
    if r.pillars:
        out += ["", "| pillar | posts | impressions | engagements |", "|---|---:|---:|---:|"]
        out += [
            f"| {b.label.replace('_', ' ')} | {b.posts} | {b.impressions:,} | {b.engagements:,} |" for b in r.pillars
        ]
    if r.slots:
        out += ["", "| slot | posts | impressions | engagements |", "|---|---:|---:|---:|"]
        out += [f"| {b.label} | {b.posts} | {b.impressions:,} | {b.engagements:,} |" for b in r.slots]
    if r.followers:
        total = f" (total {r.total_followers:,})" if r.total_followers is not None else ""
        out += ["", f"Followers: +{r.follower_growth:,}{total} `{sparkline([n for _d, n in r.followers])}`"]
    return "\n".join(out) + "\n"
