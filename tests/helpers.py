"""Helpers shared by the tests (tests/ is on pytest's pythonpath)."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = ROOT.parent / "shared" / "data"
EXAMPLES = ROOT / "examples"
FIXED_NOW = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
HEAVY_MODULES = ("torch", "transformers", "sentence_transformers", "keybert", "sklearn")


def shared_data(*parts: str) -> Path:
    """A path in ../shared/data, or a skip naming what is missing."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared test data not found at {path} (the ../shared folder beside the project)")
    return path


def run_planner(*args: str, env: dict | None = None, input: str | None = None, timeout: int = 300):
    """Run the real CLI as a subprocess (python -m planner)."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "planner", *args],
        capture_output=True,
        text=True,
        env=full_env,
        input=input,
        timeout=timeout,
        cwd=ROOT,
    )


def add_feed(session, name: str):
    """A topic and one feed in it, named ``name`` (no HTTP: for tests that write entries directly)."""
    from planner.models import Feed, Topic

    topic = Topic(name=name)
    session.add(topic)
    session.flush()
    feed = Feed(url=f"http://127.0.0.1/{name.lower()}.xml", title=name, topic_id=topic.id)
    session.add(feed)
    session.flush()
    return feed


def populate_world(session, now: datetime = FIXED_NOW) -> dict[str, int]:
    """A small world with at least one row in every table, hostile text included."""
    from planner import models as m

    topic = m.Topic(name="Site Reliability", description="SLOs & on-call", keywords="slo,incident response")
    session.add(topic)
    session.flush()
    feed = m.Feed(
        url="https://example.com/feed.xml",
        title="[bold]Feed[/]",
        topic_id=topic.id,
        etag='"abc"',
        last_fetched_at=now,
        failure_count=1,
        last_error="HTTP 500",
    )
    session.add(feed)
    session.flush()
    entry = m.Entry(
        feed_id=feed.id,
        guid="id:1",
        link="https://example.com/a",
        title="Émoji 🚀 [/] title",
        summary="Line one\nLine two",
        published_at=now - timedelta(days=1),
        content_hash="h1",
        embedding=bytes(range(256)),
    )
    session.add(entry)
    session.flush()
    kw = m.Keyword(phrase="incident response")
    session.add(kw)
    session.flush()
    session.add(m.EntryKeyword(entry_id=entry.id, keyword_id=kw.id, score=0.61234, rank=1))
    tag = m.Tag(name="sre", cadence_days=21)
    session.add(tag)
    person = m.Connection(
        first_name="Priya",
        last_name="Shah",
        company="Acme, Inc.",
        position="SRE Lead",
        profile_url="https://www.linkedin.com/in/priya",
        connected_on=date(2024, 10, 9),
        tier="inner",
    )
    session.add(person)
    session.flush()
    session.add(m.ConnectionTag(connection_id=person.id, tag_id=tag.id))
    group = m.CommunityGroup(name="SRE Guild", platform="LinkedIn group")
    session.add(group)
    event = m.Event(title="Platform Day", starts_at=now + timedelta(days=9), role="attending", topic_id=topic.id)
    session.add(event)
    session.flush()
    post = m.Post(
        pillar="content_share",
        title="Share: a",
        body="Body\twith tab",
        status="scheduled",
        scheduled_at=now + timedelta(hours=2),
        source_entry_id=entry.id,
        group_id=group.id,
        event_id=event.id,
    )
    session.add(post)
    session.flush()
    session.add(
        m.Touchpoint(
            connection_id=person.id,
            kind="share_content",
            status="done",
            due_at=now - timedelta(days=3),
            done_at=now - timedelta(days=3),
            entry_id=entry.id,
            post_id=post.id,
            event_id=event.id,
        )
    )
    strategy = m.Strategy(timezone="Europe/London")
    session.add(strategy)
    session.flush()
    session.add(m.Slot(strategy_id=strategy.id, weekday=1, local_time="08:30", pillar="thought_leadership"))
    session.add(m.Review(week="2026-W47", completed_at=now, decisions='{"carried": [1]}'))
    session.add(m.Notification(kind="post", item_id=post.id, due_at=post.scheduled_at, notified_at=now))
    session.add(m.NotifyRun(last_run_at=now))
    session.flush()
    session.add(
        m.LinkedInRecord(
            key="msg:1",
            kind="message_received",
            at=now - timedelta(days=2),
            connection_id=person.id,
            conversation_id="2-abc==",
            url="https://www.linkedin.com/in/priya",
            name="Priya Shah",
            text="Thanks!\n[bold]not markup[/] \u2014 ok",
            pitch=None,
            reasons="",
        )
    )
    session.add(m.AnalyticsDay(day=date(2026, 11, 20), impressions=1200, engagements=31, new_followers=4))
    session.add(
        m.PostResult(
            url="https://www.linkedin.com/feed/update/urn:li:activity:7000000000000000001",
            activity_id="7000000000000000001",
            published_on=date(2026, 11, 20),
            impressions=900,
            engagements=20,
            post_id=post.id,
        )
    )
    session.flush()
    return {"people": 1}


WORDS = (
    "observability incident response error budget platform engineering kubernetes cost on-call postmortem "
    "developer experience tracing latency reliability chaos engineering capacity planning migration terraform "
    "security alerting dashboards ownership runbook automation"
).split()


def word_entries(url: str, entries: int, seed: int) -> None:
    """One feed of `entries` entries of random field words, for keyword extraction to work on."""
    import random

    import sqlalchemy as sa

    from planner.models import Entry, Feed
    from planner.store import open_store

    store = open_store(url)
    rng = random.Random(seed)
    with store.transaction() as session:
        feed = Feed(url="https://words.example/feed.xml", title="Words")
        session.add(feed)
        session.flush()
        session.execute(
            sa.insert(Entry),
            [
                {
                    "feed_id": feed.id,
                    "guid": f"id:{i}",
                    "link": f"https://words.example/{i}",
                    "title": " ".join(rng.choice(WORDS) for _ in range(7)).capitalize(),
                    "summary": ". ".join(" ".join(rng.choice(WORDS) for _ in range(12)) for _ in range(4)),
                    "published_at": FIXED_NOW - timedelta(minutes=i),
                    "fetched_at": FIXED_NOW,
                    "content_hash": f"h{i}",
                    "is_read": False,
                    "is_starred": False,
                    "is_dismissed": False,
                }
                for i in range(entries)
            ],
        )
    store.dispose()


async def settle(app, pilot, rounds: int = 4) -> None:
    """Let the app's workers finish and the messages they post be handled, ``rounds`` times (a
    handler may start the next worker: a page, then its person's detail, then the trends)."""
    for _ in range(rounds):
        await pilot.pause()
        await app.workers.wait_for_complete()
    await pilot.pause()


class MessageLog(list):
    """``app.run_test(message_hook=log)``: every message the app dispatched, in order; ``arrived``
    waits until one of a kind (a screen's ``PageLoaded``, say) has been handled."""

    def __call__(self, message) -> None:
        self.append(message)

    def of(self, kind) -> list:
        return [m for m in self if isinstance(m, kind)]

    async def arrived(self, app, pilot, kind, count: int = 1, rounds: int = 50):
        """The ``count``-th message of ``kind`` since the log began, once its handler has run."""
        for _ in range(rounds):
            if len(self.of(kind)) >= count:
                await pilot.pause()  # the hook runs as it is dispatched: now its handler has too
                return self.of(kind)[count - 1]
            await pilot.pause()
            await app.workers.wait_for_complete()
        raise AssertionError(f"no {kind.__name__} (#{count}) arrived; saw {[type(m).__name__ for m in self][-20:]}")
