"""Every CLI date option reads time as people say it, in the strategy's zone (one parser: services/when)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from planner.cli import app
from planner.models import Connection, Post, Touchpoint

ZONE = ZoneInfo("Asia/Tokyo")  # far from UTC, so a day read in the wrong zone shows
runner = CliRunner()


@pytest.fixture
def cli(store, settings, tmp_path):
    env = {"PLANNER_CONFIG": str(tmp_path / "config.toml")}

    def run(*args: str, ok: bool = True):
        result = runner.invoke(app, ["--db", settings.db_url, *args], env=env)
        if ok:
            assert result.exit_code == 0, result.stderr + result.stdout
        return result

    run("strategy", "set", "timezone", "Asia/Tokyo")
    with store.transaction() as s:
        s.add(Connection(first_name="Priya", last_name="Shah", company="Acme"))
    run.store = store
    return run


def local_today() -> date:
    return datetime.now(UTC).astimezone(ZONE).date()


def next_weekday(day: date, weekday: int, strictly: bool) -> date:
    ahead = (weekday - day.weekday()) % 7
    return day + timedelta(days=ahead or (7 if strictly else 0))


def test_post_add_schedule_publish_take_natural_times(cli):
    cli("posts", "add", "Tomorrow's note", "--at", "tomorrow 9am")
    cli("posts", "add", "Friday's note", "--status", "draft")
    cli("posts", "schedule", "2", "fri 10:00")
    cli("posts", "add", "Gone out", "--status", "draft")
    cli("posts", "publish", "3", "--at", "2 hours ago")
    with cli.store.transaction() as s:
        first, second, third = (s.get(Post, n) for n in (1, 2, 3))
        at = first.scheduled_at.replace(tzinfo=UTC).astimezone(ZONE)
        assert (at.date(), at.hour, at.minute) == (local_today() + timedelta(days=1), 9, 0)
        at = second.scheduled_at.replace(tzinfo=UTC).astimezone(ZONE)
        assert (at.date(), at.hour) == (next_weekday(local_today(), 4, strictly=False), 10)
        ago = datetime.now(UTC) - third.published_at.replace(tzinfo=UTC)
        assert timedelta(hours=1, minutes=55) < ago < timedelta(hours=2, minutes=5)


def test_touch_plan_due_next_monday_and_log_yesterday(cli):
    cli("touch", "plan", "Priya Shah", "--kind", "check_in", "--due", "next monday")
    cli("touch", "log", "Priya Shah", "--kind", "thank", "--date", "yesterday 17:00")
    with cli.store.transaction() as s:
        planned, logged = s.exec(select(Touchpoint).order_by(Touchpoint.id)).all()
        due = planned.due_at.replace(tzinfo=UTC).astimezone(ZONE)
        assert (due.date(), due.hour) == (next_weekday(local_today(), 0, strictly=True), 9)
        done = logged.done_at.replace(tzinfo=UTC).astimezone(ZONE)
        assert (done.date(), done.hour) == (local_today() - timedelta(days=1), 17)


def test_weeks_and_days(cli, tmp_path):
    monday = local_today() - timedelta(days=local_today().weekday())
    plan = json.loads(cli("plan", "week", "--week", "next week", "--dry-run", "--json").stdout)
    year, week, _ = (monday + timedelta(days=7)).isocalendar()
    assert plan["week"] == f"{year}-W{week:02d}"
    review = json.loads(cli("review", "--week", "last week", "--format", "json").stdout)
    year, week, _ = (monday - timedelta(days=7)).isocalendar()
    assert review["week"] == f"{year}-W{week:02d}"
    cli("posts", "add", "In range", "--at", "+3d")
    cli("posts", "add", "Out of range", "--at", "+20d")
    out = cli("export", "md", "--from", "tomorrow", "--to", "+10d").stdout
    assert "In range" in out and "Out of range" not in out


@pytest.mark.parametrize(
    "args",
    [
        ("posts", "add", "x", "--at", "someday"),
        ("touch", "plan", "Priya Shah", "--kind", "check_in", "--due", "whenever"),
        ("plan", "week", "--week", "W99", "--dry-run"),
        ("export", "md", "--from", "soonish"),
        ("review", "--week", "the other week"),
    ],
)
def test_a_bad_date_is_one_line_naming_the_option_with_a_whole_example(cli, args):
    result = cli(*args, ok=False)
    option = next(a for a in args if a.startswith("--") and a not in ("--kind", "--dry-run"))
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    line = result.stderr.strip()
    assert "\n" not in line and f"{option}: " in line and "e.g. 2026-" in line
