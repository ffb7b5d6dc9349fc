"""`planner today`: the agenda as text, JSON and one status line, read without the ORM on SQLite."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import terminal_world
from helpers import FIXED_NOW, ROOT
from typer.testing import CliRunner

from planner.cli import app

runner = CliRunner()


@pytest.fixture
def today(store, settings, monkeypatch):
    ids = terminal_world.build(store)
    monkeypatch.setattr("planner.cli.today._now", lambda: FIXED_NOW)

    def run(*args: str) -> str:
        result = runner.invoke(app, ["--db", settings.db_url, "today", *args], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.stdout

    run.ids = ids
    return run


def test_the_line_says_what_is_due_the_post_and_the_review(today):
    line = today("--line")
    assert line == "3 due (1 overdue) · post 10:00 · review due\n"
    assert len(line.rstrip("\n")) <= 80


def test_the_line_stays_within_80_characters_however_much_is_due():
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    from planner.cli.today import status_line
    from planner.services.today import AgendaItem, TodayAgenda

    items = [AgendaItem("touchpoint", i, FIXED_NOW - timedelta(days=1), "x", "", True, 1) for i in range(3)]
    agenda = TodayAgenda(items=items, more=10**15, overdue=10**15 + 3, review_due="Weekly review for 2026-W47 is due")
    line = status_line(agenda, FIXED_NOW, ZoneInfo("UTC"), limit=30)
    assert len(line) == 30 and line.endswith("…")
    assert len(status_line(agenda, FIXED_NOW, ZoneInfo("UTC"))) <= 80


def test_text_names_the_post_the_people_and_what_to_send(today):
    text = today()
    assert text.startswith("Today, Wed 25 Nov 2026 (America/New_York): 3 items due, 1 overdue")
    assert "Post of the day\n  10:00  Your SLO dashboard isn't for you" in text
    assert (
        "  08:00  Share content · Priya Shah\n      she asked about bot-written timelines\n"
        "      send: Saw this on AI incident triage, thought of your postmortem question\n"
    ) in text
    assert "  overdue · Mon 23 Nov  Check in · Chris Morgan" in text
    assert "Weekly review for 2026-W47 is due" in text


def test_json_for_scripts(today):
    data = json.loads(today("--json"))
    assert data["line"] == "3 due (1 overdue) · post 10:00 · review due"
    assert [(i["kind"], i["due_at"]) for i in data["items"]] == [
        ("touchpoint", "2026-11-23T10:00:00-05:00"),
        ("touchpoint", "2026-11-25T08:00:00-05:00"),
        ("post", "2026-11-25T10:00:00-05:00"),
    ]
    assert data["items"][2]["uid"] == f"post-{today.ids['post']}@planner"
    assert data["review_due"] == "Weekly review for 2026-W47 is due" and data["timezone"] == "America/New_York"


@pytest.mark.sqlite_only
def test_the_line_reads_a_current_sqlite_file_without_the_orm(store, settings):
    """What a tmux status bar runs every few seconds: no SQLAlchemy, SQLModel or table classes."""
    terminal_world.build(store)
    store.dispose()
    code = (
        "import sys; from planner.cli import main; sys.argv = ['planner', 'today', '--line', '--db', sys.argv[1]]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print([m for m in ('sqlalchemy', 'sqlmodel', 'planner.models', 'textual') if m in sys.modules])"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, settings.db_url], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert done.returncode == 0, done.stderr
    line, loaded = done.stdout.splitlines()
    assert " due" in line and loaded == "[]"
