"""Benchmark: plan_week on a synthetic world of 10,000 people and 500 ideas. Goal: ≤ 1 s.

The world is written with bulk inserts into a temporary SQLite file (migrated schema), then
plan_week runs on next week: a cold run (fills slots, schedules touchpoints), a rerun (must add
nothing) and a dry run. Prints the figures; no assertions on time.

    .venv/bin/python bench/plan.py [--people 10000] [--ideas 500] [--runs 3]
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

NOW = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
MONDAY = date(2026, 11, 30)
TIERS = ("inner", "active", "warm", "dormant")
PILLARS = ("thought_leadership", "content_share", "group_engagement", "virtual_event")


def build_world(url: str, people: int, ideas: int, seed: int = 7) -> float:
    from sqlalchemy import insert

    from planner.models import Connection, Post, Slot, Strategy, Topic, Touchpoint
    from planner.store import open_store

    rng = random.Random(seed)
    store = open_store(url)
    started = time.perf_counter()
    with store.transaction() as s:
        s.execute(insert(Strategy), [{"timezone": "Europe/Berlin", "daily_touch_capacity": 5, "updated_at": NOW}])
        strategy_id = s.exec(Strategy.__table__.select()).first().id
        s.execute(
            insert(Slot),
            [
                {"strategy_id": strategy_id, "weekday": d, "local_time": t, "pillar": p, "channel": "profile"}
                for d, t, p in [
                    (0, "09:00", "thought_leadership"),
                    (1, "12:00", "content_share"),
                    (2, "09:00", "group_engagement"),
                    (3, "12:00", "content_share"),
                    (4, "09:00", "thought_leadership"),
                    (5, "10:00", "virtual_event"),
                ]
            ],
        )
        s.execute(insert(Topic), [{"name": f"topic {n}", "keywords": f"k{n}", "created_at": NOW} for n in range(20)])
        s.execute(
            insert(Connection),
            [
                {
                    "first_name": f"First{n}",
                    "last_name": f"Last{n}",
                    "tier": rng.choice(TIERS),
                    "company": f"Co {n % 700}",
                    "position": "Engineer",
                    "headline": "",
                    "notes": "",
                    "archived": False,
                    "source": "bench",
                    "profile_url": f"https://www.linkedin.com/in/p{n}",
                    "connected_on": (NOW - timedelta(days=rng.randint(1, 2000))).date(),
                    "created_at": NOW,
                    "updated_at": NOW,
                    "version": 1,
                }
                for n in range(1, people + 1)
            ],
        )
        s.execute(
            insert(Post),
            [
                {
                    "pillar": rng.choice(PILLARS),
                    "title": f"Idea {n}",
                    "body": f"Body {n}",
                    "status": rng.choice(("idea", "draft")),
                    "channel": "profile",
                    "hashtags": "",
                    "evergreen": n % 25 == 0,
                    "cooldown_days": 90,
                    "priority": rng.randint(0, 3),
                    "manual": False,
                    "topic_id": rng.randint(1, 20),
                    "created_at": NOW - timedelta(days=rng.randint(0, 200)),
                    "updated_at": NOW,
                    "version": 1,
                }
                for n in range(ideas)
            ],
        )
        # a history: about a third of the people were touched in the last year
        s.execute(
            insert(Touchpoint),
            [
                {
                    "connection_id": rng.randint(1, people),
                    "kind": "check_in",
                    "status": "done",
                    "due_at": NOW - timedelta(days=d),
                    "done_at": NOW - timedelta(days=d),
                    "note": "",
                    "message": "",
                    "source": "bench",
                    "manual": True,
                    "created_at": NOW,
                    "updated_at": NOW,
                    "version": 1,
                }
                for d in (rng.randint(1, 365) for _ in range(people // 3))
            ],
        )
    store.dispose()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--ideas", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3, help="fresh worlds to time the cold plan on")
    args = parser.parse_args()

    from planner.services.planning import plan_week
    from planner.store import open_store

    cold, rerun, dry, build = [], [], [], []
    last = None
    for run in range(args.runs):
        folder = Path(tempfile.mkdtemp(prefix="planner-bench-plan-"))
        url = f"sqlite:///{folder / 'bench.db'}"
        build.append(build_world(url, args.people, args.ideas, seed=run + 7))
        store = open_store(url)
        t0 = time.perf_counter()
        dry_plan = store.call(plan_week, MONDAY, NOW, dry_run=True)
        dry.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        last = store.call(plan_week, MONDAY, NOW)
        cold.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        again = store.call(plan_week, MONDAY, NOW)
        rerun.append(time.perf_counter() - t0)
        assert again.added == 0, "a rerun must add nothing"
        assert dry_plan.added == last.added
        store.dispose()

    def fmt(xs):
        return f"median {statistics.median(xs) * 1000:7.1f} ms  (min {min(xs) * 1000:.1f}, max {max(xs) * 1000:.1f})"

    print(
        f"world: {args.people:,} people, {args.ideas} ideas/drafts, {args.people // 3:,} past touches; {args.runs} fresh worlds"
    )
    print(f"build (bulk insert)   {fmt(build)}")
    print(f"plan_week (cold)      {fmt(cold)}   goal ≤ 1000 ms: {'OK' if statistics.median(cold) <= 1 else 'MISSED'}")
    print(f"plan_week (dry run)   {fmt(dry)}")
    print(f"plan_week (rerun)     {fmt(rerun)}   adds nothing")
    print(
        f"last plan: {len(last.posts)} posts, {len(last.touchpoints)} touchpoints, "
        f"{len(last.held_asks)} asks held, {len(last.open_slots)} open slots"
    )


if __name__ == "__main__":
    main()
