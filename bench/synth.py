"""A synthetic world for benchmarks and scale tests: bulk inserts into a migrated database.

    python bench/synth.py /tmp/big.db --people 10000 --entries 50000 --posts 2000 --touchpoints 20000

Deterministic for a given seed. Rows go in with Core bulk inserts, so 100,000 entries take seconds.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402

from planner.models import (  # noqa: E402
    Connection,
    ConnectionTag,
    Entry,
    Feed,
    Pillar,
    Post,
    Slot,
    Strategy,
    Tag,
    Topic,
    TouchKind,
    Touchpoint,
)
from planner.store import open_store  # noqa: E402

NOW = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
WORDS = (
    "observability incident response slo error budget platform engineering kubernetes cost on-call "
    "postmortem developer experience golden path internal developer portal tracing opentelemetry "
    "latency reliability chaos engineering capacity planning community meetup conference talk "
    "llm triage automation runbook alerting dashboards ownership migration terraform security"
).split()
FIRST = "Priya Sam Dana José Zoë Søren Chris Grace Raj Laura Megan Hannah Ahmed Julia Kwame Ana Ben Oliver".split()
LAST = "Shah Rivera Lee Núñez Novák O'Neill Morgan Rossi Hassan Martin Silva Okafor Kim Chen Patel Müller".split()
COMPANIES = ["Northwind Logistics", "Brightwave Health", "Kestrel Cloud", "Acme, Inc.", "Globex", "Initech"]


def _sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def build_world(url: str, people=10_000, feeds=200, entries=50_000, posts=2_000, touchpoints=20_000, seed=7) -> dict:
    rng = random.Random(seed)
    store = open_store(url)
    t0 = time.perf_counter()
    with store.engine.begin() as conn:
        conn.execute(
            sa.insert(Strategy),
            [
                {
                    "timezone": "Europe/London",
                    "updated_at": NOW,
                    "version": 1,
                    "name": "default",
                    "working_days": "mon,tue,wed,thu,fri",
                    "daily_touch_capacity": 5,
                    "pillar_mix": Strategy().pillar_mix,
                    "pitch_min_gives": 3,
                    "pitch_min_days": 30,
                    "tier_cadences": Strategy().tier_cadences,
                }
            ],
        )
        conn.execute(
            sa.insert(Slot),
            [
                {
                    "strategy_id": 1,
                    "weekday": d,
                    "local_time": "08:30",
                    "pillar": list(Pillar)[d % 4].value,
                    "channel": "profile",
                }
                for d in range(5)
            ],
        )
        conn.execute(
            sa.insert(Topic),
            [{"name": f"Topic {i}", "description": "", "keywords": "", "created_at": NOW} for i in range(1, 11)],
        )
        conn.execute(
            sa.insert(Feed),
            [
                {
                    "url": f"https://feeds{i % 50}.example/{i}.xml",
                    "title": f"Feed {i}",
                    "topic_id": 1 + i % 10,
                    "failure_count": 0,
                    "enabled": True,
                    "created_at": NOW,
                }
                for i in range(1, feeds + 1)
            ],
        )
        batch = []
        for i in range(1, entries + 1):
            published = NOW - timedelta(minutes=rng.randrange(0, 60 * 24 * 60))
            batch.append(
                {
                    "feed_id": 1 + i % feeds,
                    "guid": f"id:{i}",
                    "link": f"https://blog.example/{i}",
                    "title": _sentence(rng, 8).capitalize(),
                    "summary": _sentence(rng, 60),
                    "published_at": published,
                    "fetched_at": published,
                    "content_hash": f"h{i}",
                    "is_read": rng.random() < 0.5,
                    "is_starred": False,
                    "is_dismissed": False,
                }
            )
            if len(batch) == 5000:
                conn.execute(sa.insert(Entry), batch)
                batch = []
        if batch:
            conn.execute(sa.insert(Entry), batch)
        conn.execute(sa.insert(Tag), [{"name": w} for w in sorted(set(WORDS))[:20]])
        conn.execute(
            sa.insert(Connection),
            [
                {
                    "first_name": rng.choice(FIRST),
                    "last_name": f"{rng.choice(LAST)}{i}",
                    "company": rng.choice(COMPANIES),
                    "position": f"{rng.choice(['SRE', 'Platform', 'DevRel', 'CTO'])} {rng.choice(['Lead', 'Engineer', 'Manager'])}",
                    "headline": "",
                    "profile_url": f"https://www.linkedin.com/in/person-{i}",
                    "connected_on": date(2019, 1, 1) + timedelta(days=rng.randrange(0, 2880)),
                    "tier": rng.choice(["inner", "active", "warm", "warm", "dormant"]),
                    "notes": _sentence(rng, 10),
                    "archived": False,
                    "source": "synthetic",
                    "created_at": NOW,
                    "updated_at": NOW,
                    "version": 1,
                }
                for i in range(1, people + 1)
            ],
        )
        conn.execute(
            sa.insert(ConnectionTag),
            [{"connection_id": i, "tag_id": t} for i in range(1, people + 1) for t in {1 + i % 20, 1 + (i * 7) % 20}],
        )
        statuses = ["idea", "draft", "scheduled", "published", "skipped"]
        post_rows = []
        for i in range(1, posts + 1):
            status = statuses[i % 5]
            when = (
                NOW + timedelta(hours=rng.randrange(-24 * 60, 24 * 30))
                if status in ("scheduled", "published", "skipped")
                else None
            )
            post_rows.append(
                {
                    "pillar": list(Pillar)[i % 4].value,
                    "title": _sentence(rng, 6),
                    "body": _sentence(rng, 80),
                    "status": status,
                    "scheduled_at": when,
                    "published_at": when if status == "published" else None,
                    "channel": "profile",
                    "hashtags": "",
                    "evergreen": i % 17 == 0,
                    "cooldown_days": 90,
                    "priority": rng.randrange(0, 3),
                    "manual": False,
                    "created_at": NOW,
                    "updated_at": NOW,
                    "version": 1,
                }
            )
        conn.execute(sa.insert(Post), post_rows)
        kinds = [k.value for k in TouchKind]
        touch_rows = []
        for _i in range(1, touchpoints + 1):
            done = rng.random() < 0.8
            when = NOW - timedelta(days=rng.randrange(0, 400)) if done else NOW + timedelta(days=rng.randrange(-10, 20))
            touch_rows.append(
                {
                    "connection_id": 1 + rng.randrange(people),
                    "kind": rng.choice(kinds[:8]) if rng.random() < 0.9 else rng.choice(kinds),
                    "status": "done" if done else "planned",
                    "due_at": when,
                    "done_at": when if done else None,
                    "note": _sentence(rng, 6),
                    "message": "",
                    "source": "synthetic",
                    "manual": True,
                    "created_at": NOW,
                    "updated_at": NOW,
                    "version": 1,
                }
            )
        conn.execute(sa.insert(Touchpoint), touch_rows)
    if store.is_sqlite:
        with store.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
    store.dispose()
    return {
        "seconds": round(time.perf_counter() - t0, 2),
        "people": people,
        "feeds": feeds,
        "entries": entries,
        "posts": posts,
        "touchpoints": touchpoints,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("path", help="SQLite file (must not exist) or a database URL")
    ap.add_argument("--people", type=int, default=10_000)
    ap.add_argument("--feeds", type=int, default=200)
    ap.add_argument("--entries", type=int, default=50_000)
    ap.add_argument("--posts", type=int, default=2_000)
    ap.add_argument("--touchpoints", type=int, default=20_000)
    args = ap.parse_args()
    url = args.path if "://" in args.path else f"sqlite:///{Path(args.path).resolve()}"
    print(build_world(url, args.people, args.feeds, args.entries, args.posts, args.touchpoints))


if __name__ == "__main__":
    main()
