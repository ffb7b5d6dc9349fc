"""The review as Markdown and JSON, compared with goldens in golden_review/.

Regenerate after an intended change with PLANNER_REGEN_GOLDEN=1 (then read the diff in git)."""

from __future__ import annotations

import difflib
import json
import os
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from helpers import FIXED_NOW

from planner.models import (
    Connection,
    Entry,
    EntryKeyword,
    Feed,
    Keyword,
    Post,
    Strategy,
    Topic,
    Touchpoint,
)
from planner.services.review import review_week, save_review
from planner.services.review.report import to_json, to_markdown

GOLDEN = Path(__file__).parent / "golden_review"
W47 = date(2026, 11, 16)


def at(month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def build(session) -> None:
    session.add(Strategy(timezone="Europe/London"))
    people = [
        Connection(
            first_name="[bold]Mallory[/]",
            last_name="# Heading",
            tier="inner",
            connected_on=date(2025, 1, 1),
            company="Evil *Corp*",
        ),
        Connection(
            first_name="Zoë",
            last_name="\x1b[31mRed\x1b[0m",
            tier="warm",
            connected_on=date(2026, 11, 17),
            company="Ünïcode & Co",
        ),
        Connection(first_name="Ola", last_name="Nordmann", tier="active", connected_on=date(2024, 5, 1)),
        Connection(first_name="Cold", last_name="[i]Case[/i]", tier="inner", connected_on=date(2026, 10, 1)),
    ]
    session.add_all(people)
    session.flush()
    mallory, _zoe, ola, _cold = (p.id for p in people)
    session.add_all(
        [
            Touchpoint(
                connection_id=mallory, kind="share_content", status="done", due_at=at(11, 16), done_at=at(11, 16)
            ),
            Touchpoint(connection_id=ola, kind="pitch", status="done", due_at=at(11, 17), done_at=at(11, 17)),
            Touchpoint(connection_id=ola, kind="check_in", status="planned", due_at=at(11, 19)),
            Touchpoint(connection_id=mallory, kind="thank", status="done", due_at=at(9, 20), done_at=at(9, 20)),
        ]
    )
    session.add_all(
        [
            Post(
                pillar="thought_leadership",
                status="published",
                scheduled_at=at(11, 17, 8, 30),
                published_at=at(11, 17, 8, 30),
                title="`code` and [link](http://x) | pipes",
            ),
            Post(pillar="content_share", status="scheduled", scheduled_at=at(11, 20, 11), title="- looks like a list"),
            Post(pillar="group_engagement", status="idea", title="backlog"),
        ]
    )
    topic = Topic(name="Ops <script>")
    session.add(topic)
    session.flush()
    feed = Feed(
        url="https://feed.example/rss",
        title="Feed [/]",
        topic_id=topic.id,
        last_status="error",
        last_error="HTTP 503 *twice*",
        failure_count=2,
    )
    session.add(feed)
    session.flush()
    keyword = Keyword(phrase="toil budget")
    session.add(keyword)
    session.flush()
    for day in (19, 20, 21):  # rising now (the review's "rising" is the last 7 days before its now)
        e = Entry(
            feed_id=feed.id,
            guid=f"g{day}",
            title=f"Toil budget #{day}",
            link=f"https://feed.example/{day}",
            published_at=at(11, day, 7),
            content_hash=f"h{day}",
        )
        session.add(e)
        session.flush()
        session.add(EntryKeyword(entry_id=e.id, keyword_id=keyword.id, score=0.8, rank=1))
    session.flush()


def _compare(name: str, actual: str) -> None:
    path = GOLDEN / name
    if os.environ.get("PLANNER_REGEN_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    if not path.exists():
        pytest.fail(f"golden {path} is missing: run with PLANNER_REGEN_GOLDEN=1 to write it")
    expected = path.read_text(encoding="utf-8")
    if actual != expected:
        diff = "".join(
            difflib.unified_diff(expected.splitlines(True), actual.splitlines(True), f"golden/{name}", "actual")
        )
        pytest.fail(f"{name} differs from its golden (PLANNER_REGEN_GOLDEN=1 rewrites it):\n{diff}")


@pytest.fixture
def review(store):
    store.call(build)
    store.call(save_review, "2026-W47", {"carried": [["post", 2]], "note": "busy *week*"}, FIXED_NOW)
    return store.call(review_week, W47, FIXED_NOW)


def test_markdown_golden(review):
    _compare("review-2026-W47.md", to_markdown(review))


def test_json_golden(review):
    text = to_json(review)
    _compare("review-2026-W47.json", text)
    data = json.loads(text)
    assert list(data) == sorted(data)
    assert data["week"] == "2026-W47" and data["give_ask_week"]["ratio_text"] == "1:1"


def test_untrusted_text_cannot_become_markdown(review):
    md = to_markdown(review)
    assert "\x1b" not in md
    assert "\\[bold\\]Mallory\\[/\\] \\# Heading" in md
    assert "\\`code\\` and \\[link\\](http://x) \\| pipes" in md
    assert "\\- looks like a list" in md
    assert "Ops \\<script\\>" in md
    assert "**Cold \\[i\\]Case\\[/i\\]** (inner, every 14 days) · never contacted → check in" in md
    assert not any(line.startswith("# ") for line in md.splitlines()[1:])


def test_reports_are_deterministic(store, review):
    again = store.call(review_week, W47, FIXED_NOW)
    assert to_markdown(again) == to_markdown(review)
    assert to_json(again) == to_json(review)
