"""The offline demo world: examples/ loaded through the real importers.

Dates in ``examples/demo.toml`` are day offsets from the day the demo is built, and the feed files
are copied beside the database with their dates moved forward by the time passed since they were
written, so the demo always looks like this week.
"""

from __future__ import annotations

import json
import re
import shutil
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from planner.errors import PlannerError
from planner.models import (
    CommunityGroup,
    Connection,
    ConnectionTag,
    Entry,
    Event,
    Post,
    Slot,
    Strategy,
    Tag,
    Touchpoint,
)
from planner.text import count

EXAMPLES_DIR = Path(__file__).resolve().parent.parent / "examples"
# the day the example feed files were written: their dates are shifted by (today - this)
FEEDS_WRITTEN_ON = date(2026, 11, 25)
WEEKDAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}


@dataclass
class DemoReport:
    counts: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        from planner.text import count, label

        built = ", ".join(count(n, label(k)) for k, n in self.counts.items())
        return [f"demo world built: {built}", *self.notes]


def _when(today: date, offset: int, hhmm: str, tz: ZoneInfo) -> datetime:
    h, m = (int(x) for x in hhmm.split(":"))
    return datetime.combine(today + timedelta(days=int(offset)), time(h, m), tz).astimezone(UTC)


_RFC822 = re.compile(r"(<(pubDate|lastBuildDate|dc:date)>)([^<]+)(</\2>)")
_RFC3339 = re.compile(r"(<(updated|published)>)([^<]+)(</\2>)")


def shift_feed_dates(text: str, days: int) -> str:
    """Move every entry date in an RSS/Atom document forward by ``days``."""
    if days <= 0:
        return text
    delta = timedelta(days=days)

    def rfc822(m: re.Match) -> str:
        try:
            return m.group(1) + format_datetime(parsedate_to_datetime(m.group(3).strip()) + delta) + m.group(4)
        except (TypeError, ValueError):
            return m.group(0)

    def rfc3339(m: re.Match) -> str:
        raw = m.group(3).strip()
        try:
            shifted = datetime.fromisoformat(raw.replace("Z", "+00:00")) + delta
        except ValueError:
            return m.group(0)
        return m.group(1) + shifted.isoformat().replace("+00:00", "Z") + m.group(4)

    return _RFC3339.sub(rfc3339, _RFC822.sub(rfc822, text))


def build_demo(
    settings, store, examples: Path = EXAMPLES_DIR, now: datetime | None = None, refresh_feeds: bool = True
) -> DemoReport:
    from planner.adapters.linkedin import read_connections
    from planner.services import feeds as feed_service
    from planner.services.people import import_connections
    from planner.services.stats import table_counts

    manifest_path = examples / "demo.toml"
    if not manifest_path.exists():
        raise PlannerError(f"the demo world is missing: {manifest_path} not found")
    world = tomllib.loads(manifest_path.read_text(encoding="utf-8"))
    if any(store.call(table_counts).values()):
        raise PlannerError(
            f"{settings.db_url} already holds data; the demo needs an empty database (omit --db for a temporary one)"
        )
    now = now or datetime.now(UTC)
    tz = ZoneInfo(world.get("profile", {}).get("timezone", settings.timezone))
    today = now.astimezone(tz).date()
    report = DemoReport()

    # people, through the real LinkedIn importer
    parsed = read_connections(examples / "Connections.csv")
    imported = store.call(import_connections, parsed.records, now=now)
    report.notes += [f"Connections.csv: {p}" for p in parsed.problems]

    # feeds: copied beside the database with fresh dates, then refreshed by the real fetcher
    feed_dir = _feed_folder(settings, store)
    shift = (today - FEEDS_WRITTEN_ON).days
    with store.transaction() as session:
        for topic in world.get("topics", []):
            feed_service.ensure_topic(session, topic["name"], topic.get("description", ""), topic.get("keywords", []))
            for rel in topic.get("feeds", []):
                src = examples / rel
                dest = feed_dir / Path(rel).name
                dest.write_text(shift_feed_dates(src.read_text(encoding="utf-8"), shift), encoding="utf-8")
                feed_service.add_feed(session, str(dest), topic=topic["name"])
    if refresh_feeds:
        summary = feed_service.refresh(store, now=now)
        if summary.errors:
            report.notes += summary.problems

    with store.transaction() as session:
        _load_world(session, world, tz, today, now)

    # what the published posts did: a LinkedIn analytics workbook, read by the real importer
    from planner.adapters.linkedin_analytics import read_analytics
    from planner.services.analytics import import_analytics

    workbook = write_analytics_workbook(world, today, feed_dir.parent / "demo-linkedin-analytics.xlsx")
    analytics = store.call(import_analytics, read_analytics(workbook), now=now)
    report.notes += [f"{workbook.name}: {p}" for p in analytics.skipped + analytics.unmatched]
    report.counts = {
        k: v
        for k, v in store.call(table_counts).items()
        if v and k not in ("connection_tag", "entrykeyword", "keyword")
    }
    report.notes.insert(0, f"{count(imported.added, 'person')} imported from Connections.csv")
    return report


ACTIVITY_URL = "https://www.linkedin.com/feed/update/urn:li:activity:{}/"


def write_analytics_workbook(world: dict, today: date, path: Path) -> Path:
    """An .xlsx laid out as LinkedIn's creator analytics export (see adapters/linkedin_analytics):
    each published post's `results` in TOP POSTS, and the days around them in ENGAGEMENT and
    FOLLOWERS, spread over the two days after a post as a feed does. Dates are m/d/yyyy text."""
    from openpyxl import Workbook

    def us(d: date) -> str:
        return f"{d.month}/{d.day}/{d.year}"

    start = today - timedelta(days=35)
    days = {start + timedelta(days=i): [60, 2, 1] for i in range((today - start).days)}  # impressions, eng, follows
    top = []
    for n, p in enumerate(world.get("posts", []), start=1):
        if p.get("status") != "published" or "results" not in p:
            continue
        on = today + timedelta(days=int(p["day"]))
        imp, eng = int(p["results"]["impressions"]), int(p["results"]["engagements"])
        for lag, share in ((0, 0.5), (1, 0.3), (2, 0.2)):
            if (day := on + timedelta(days=lag)) in days:
                days[day][0] += round(imp * share)
                days[day][1] += round(eng * share)
                days[day][2] += round(eng * share / 8)
        top.append((ACTIVITY_URL.format(7_400_000_000_000_000_000 + n), us(on), imp, eng))
    book = Workbook()
    sheet = book.active
    sheet.title = "DISCOVERY"
    sheet.append(["Overall Performance", f"{us(start)} - {us(today - timedelta(days=1))}"])
    sheet.append(["Impressions", f"{sum(v[0] for v in days.values()):,}"])
    sheet.append(["Members reached", sum(v[0] for v in days.values()) * 2 // 3])
    sheet = book.create_sheet("ENGAGEMENT")
    sheet.append(["Date", "Impressions", "Engagements"])
    for day, (imp, eng, _f) in sorted(days.items()):
        sheet.append([us(day), imp, eng])
    sheet = book.create_sheet("TOP POSTS")
    sheet.append(["Maximum of 50 posts can be displayed"])
    sheet.append([])
    sheet.append(["Post URL", "Post publish date", "Engagements", None, "Post URL", "Post publish date", "Impressions"])
    by_eng, by_imp = sorted(top, key=lambda t: -t[3]), sorted(top, key=lambda t: -t[2])
    for (u1, d1, _i, e), (u2, d2, i, _e) in zip(by_eng, by_imp, strict=True):
        sheet.append([u1, d1, e, None, u2, d2, i])
    sheet = book.create_sheet("FOLLOWERS")
    sheet.append(
        [f"Total followers on {us(today - timedelta(days=1))}:", int(world.get("profile", {}).get("followers", 0))]
    )
    sheet.append([])
    sheet.append(["Date", "New followers"])
    for day, (_i, _e, follows) in sorted(days.items()):
        sheet.append([us(day), follows])
    book.create_sheet("DEMOGRAPHICS").append(["Top Demographics", "Value", "Percentage"])
    book.save(path)
    return path


def _feed_folder(settings, store) -> Path:
    """Beside a SQLite demo database; for a server database, in the data folder (never the
    current directory: a demo run from a checkout once left its feeds in the repository)."""
    base = store.sqlite_path.parent if store.sqlite_path else settings.data_dir
    folder = base / "demo-feeds"
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    return folder


def _load_world(session: Session, world: dict, tz: ZoneInfo, today: date, now: datetime) -> None:
    """demo.toml's strategy, communities, events, tags and people's details, posts and
    touchpoints, in that order (each later kind refers to the earlier ones by name)."""
    _load_strategy(session, world.get("strategy", {}), tz)
    groups = _load_groups(session, world.get("groups", []))
    from planner.models import Topic

    topics = {t.name: t for t in session.exec(select(Topic))}
    events = _load_events(session, world.get("events", []), topics, tz, today)
    people = {c.profile_url: c for c in session.exec(select(Connection))}
    _load_people(session, world, people)
    entries_by_link = {e.link: e for e in session.exec(select(Entry)) if e.link}
    for p in world.get("posts", []):
        session.add(_post(p, tz, today, now, entries_by_link, topics, groups, events))
    for t in world.get("touchpoints", []):
        session.add(_touchpoint(t, tz, today, now, entries_by_link, people))
    session.flush()


def _load_strategy(session: Session, s: dict, tz: ZoneInfo) -> None:
    strategy = Strategy(
        timezone=str(tz.key),
        working_days=",".join(s.get("working_days", ["mon", "tue", "wed", "thu", "fri"])),
        daily_touch_capacity=int(s.get("daily_touch_capacity", 3)),
        pillar_mix=json.dumps(s.get("pillar_mix", {}), sort_keys=True)
        if s.get("pillar_mix")
        else Strategy().pillar_mix,
        pitch_min_gives=int(s.get("pitch_min_gives", 3)),
        pitch_min_days=int(s.get("pitch_min_days", 30)),
    )
    session.add(strategy)
    session.flush()
    for slot in s.get("slots", []):
        session.add(
            Slot(
                strategy_id=strategy.id,
                weekday=WEEKDAYS[slot["weekday"][:3].lower()],
                local_time=slot["time"],
                pillar=slot["pillar"],
                channel=slot.get("channel", "profile"),
            )
        )


def _load_groups(session: Session, rows: list[dict]) -> dict[str, CommunityGroup]:
    groups = {}
    for g in rows:
        group = CommunityGroup(
            name=g["name"],
            url=g.get("url"),
            platform=g.get("platform", ""),
            cadence_days=int(g.get("cadence_days", 7)),
            notes=g.get("notes", ""),
        )
        session.add(group)
        groups[g["name"]] = group
    return groups


def _load_events(session: Session, rows: list[dict], topics: dict, tz: ZoneInfo, today: date) -> dict[str, Event]:
    events = {}
    for e in rows:
        start = _when(today, e["day"], e.get("time", "16:00"), tz)
        event = Event(
            title=e["title"],
            starts_at=start,
            ends_at=start + timedelta(minutes=int(e.get("duration_minutes", 60))),
            url=e.get("url"),
            role=e.get("role", "attending"),
            topic_id=topics[e["topic"]].id if e.get("topic") in topics else None,
            notes=e.get("notes", ""),
        )
        session.add(event)
        events[e["title"]] = event
    session.flush()
    return events


def _load_people(session: Session, world: dict, people: dict[str, Connection]) -> None:
    """Tags, and each listed person's tier, notes, cadence and tags (the people themselves came
    from Connections.csv)."""
    tags = {}
    for t in world.get("tags", []):
        tag = Tag(name=t["name"], cadence_days=t.get("cadence_days"))
        session.add(tag)
        tags[t["name"]] = tag
    session.flush()
    for p in world.get("people", []):
        person = people.get(p["url"].rstrip("/"))
        if person is None:
            raise PlannerError(f"demo.toml: no connection with URL {p['url']}")
        person.tier = p.get("tier", person.tier)
        person.notes = p.get("notes", "")
        person.cadence_days = p.get("cadence_days")
        session.add(person)
        for name in p.get("tags", []):
            if name not in tags:
                tags[name] = Tag(name=name)
                session.add(tags[name])
                session.flush()
            session.add(ConnectionTag(connection_id=person.id, tag_id=tags[name].id))


def _post(p: dict, tz: ZoneInfo, today: date, now: datetime, entries_by_link, topics, groups, events) -> Post:
    status = p.get("status", "idea")
    when = _when(today, p["day"], p.get("time", "09:00"), tz) if "day" in p else None
    channel = p.get("channel", "profile")
    entry = entries_by_link.get(p.get("source_link", "")) if p.get("source_link") else None
    place = channel.partition(":")[2]
    return Post(
        pillar=p["pillar"],
        title=p.get("title", ""),
        body=p.get("body", "").strip(),
        status=status,
        scheduled_at=when if status in ("scheduled", "published", "skipped") else None,
        published_at=when if status == "published" else None,
        channel=channel,
        hashtags=" ".join(h.lstrip("#") for h in p.get("hashtags", [])),
        evergreen=bool(p.get("evergreen", False)),
        cooldown_days=int(p.get("cooldown_days", 90)),
        source_entry_id=entry.id if entry else None,
        topic_id=topics[p["topic"]].id if p.get("topic") in topics else None,
        group_id=groups[place].id if channel.startswith("group:") and place in groups else None,
        event_id=events[place].id if channel.startswith("event:") and place in events else None,
        manual=status in ("scheduled", "published"),
        created_at=now,
        updated_at=now,
    )


def _touchpoint(t: dict, tz: ZoneInfo, today: date, now: datetime, entries_by_link, people) -> Touchpoint:
    person = people.get(t["person"].rstrip("/"))
    if person is None:
        raise PlannerError(f"demo.toml: touchpoint for unknown person {t['person']}")
    when = _when(today, t.get("day", 0), t.get("time", "10:00"), tz)
    status = t.get("status", "planned")
    entry = entries_by_link.get(t.get("link", "")) if t.get("link") else None
    return Touchpoint(
        connection_id=person.id,
        kind=t["kind"],
        status=status,
        due_at=when,
        done_at=when if status == "done" else None,
        note=t.get("note", ""),
        message=t.get("message", ""),
        entry_id=entry.id if entry else None,
        source="manual",
        manual=True,
        created_at=now,
        updated_at=now,
    )
