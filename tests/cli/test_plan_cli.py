"""The plan CLI end to end on a real SQLite file: strategy, posts, plan week, groups/events, and the
calendar exports (ICS parsed strictly and imported into calcurse).

Commands run in-process through Typer's runner (a subprocess per command cost most of this
file's time); `test_one_real_subprocess` keeps the console script itself covered."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from helpers import run_planner
from ical.calendar_stream import IcsCalendarStream

CALCURSE = shutil.which("calcurse")


@dataclass
class Done:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def cli(settings, tmp_path):
    from typer.testing import CliRunner

    from planner.cli import app

    env = {"PLANNER_CONFIG": str(tmp_path / "config.toml")}
    runner = CliRunner()

    def run(*args: str, ok: bool = True):
        result = runner.invoke(app, ["--db", settings.db_url, *args], env=env)
        done = Done(result.exit_code, result.stdout, result.stderr)
        if ok:
            assert done.returncode == 0, done.stderr + done.stdout
        return done

    return run


def test_one_real_subprocess(settings, tmp_path):
    done = run_planner(
        "--db", settings.db_url, "strategy", "show", "--json", env={"PLANNER_CONFIG": str(tmp_path / "c.toml")}
    )
    assert done.returncode == 0, done.stderr
    assert "timezone" in json.loads(done.stdout)


def _next_week():
    today = datetime.now(UTC).date()
    monday = today + timedelta(days=7 - today.weekday())
    year, week, _ = monday.isocalendar()
    return monday, f"{year}-W{week:02d}"


def test_strategy_show_set_and_errors(cli):
    cli("strategy", "set", "timezone", "Europe/Berlin")
    out = cli("strategy", "set", "pillar_mix", "thought_leadership=0.5,content_share=0.5").stdout
    assert "pillar_mix = thought_leadership=0.5,content_share=0.5" in out
    cli("strategy", "set", "slots.add", "sat 10:00 virtual_event")
    data = json.loads(cli("strategy", "show", "--json").stdout)
    assert data["timezone"] == "Europe/Berlin" and any(s["day"] == "sat" for s in data["slots"])
    bad = cli("strategy", "set", "pillar_mix", "thought_leadership=0.9", ok=False)
    assert bad.returncode == 1 and bad.stderr.strip() == "planner: pillar_mix: shares must sum to 1, they sum to 0.9"
    assert "Traceback" not in bad.stderr


def test_posts_pipeline_from_the_cli(cli, tmp_path):
    cli("strategy", "set", "timezone", "Europe/Berlin")
    body = tmp_path / "body.txt"
    body.write_text("Line one\n[bold]not markup[/]", encoding="utf-8")
    assert (
        "added post 1 (idea)"
        in cli("posts", "add", "First idea", "--body-file", str(body), "--hashtags", "#sre devops").stdout
    )
    cli("posts", "edit", "1", "--title", "Better title", "--status", "draft")
    out = cli("posts", "schedule", "1", "2026-12-01 09:00").stdout
    assert "Tue 2026-12-01 09:00" in out
    rows = json.loads(cli("posts", "list", "--json").stdout)
    assert rows[0]["status"] == "scheduled" and rows[0]["manual"] is True
    assert rows[0]["scheduled_at"] == "2026-12-01T08:00:00+00:00" and rows[0]["body"] == "Line one\n[bold]not markup[/]"
    cli("posts", "publish", "1", "--url", "https://example.com/p/1")
    assert json.loads(cli("posts", "list", "--status", "published", "--json").stdout)[0]["id"] == 1
    bad = cli("posts", "schedule", "1", "2026-12-02 09:00", ok=False)
    assert bad.returncode == 1 and "post 1 is published: it cannot be scheduled" in bad.stderr
    assert cli("posts", "edit", "99", "--title", "x", ok=False).stderr.strip() == "planner: no post with id 99"
    assert (
        "is not a time I can read; try e.g. 2026-12-01 09:00, tomorrow 9am"
        in cli("posts", "schedule", "1", "soon", ok=False).stderr
    )


def test_plan_week_dry_run_then_idempotent(cli):
    _, week = _next_week()
    cli("strategy", "set", "timezone", "UTC")
    for n in range(5):
        cli("posts", "add", f"Idea {n}", "--pillar", "thought_leadership")
    cli("posts", "add", "Share idea", "--pillar", "content_share")
    dry = json.loads(cli("plan", "week", "--week", week, "--dry-run", "--json").stdout)
    assert dry["dry_run"] is True and dry["posts"] and all(p["post_id"] is not None for p in dry["posts"])
    assert json.loads(cli("posts", "list", "--status", "scheduled", "--json").stdout) == []
    real = json.loads(cli("plan", "week", "--week", week, "--json").stdout)
    assert [(p["at"], p["title"]) for p in real["posts"]] == [(p["at"], p["title"]) for p in dry["posts"]]
    again = json.loads(cli("plan", "week", "--week", week, "--json").stdout)
    assert again["posts"] == [] and again["touchpoints"] == []
    assert "added 0 posts and 0 touchpoints" in cli("plan", "week", "--week", week).stdout
    assert "--week: 'next' is not a week I can read" in cli("plan", "week", "--week", "next", ok=False).stderr


def test_groups_and_events(cli):
    cli("groups", "add", "SRE Guild", "--url", "https://example.com/g", "--cadence", "14")
    cli("groups", "engaged", "SRE Guild")
    assert json.loads(cli("groups", "list", "--json").stdout)[0]["cadence_days"] == 14
    cli("events", "add", "Platform Day", "2030-01-10 16:00", "--role", "hosting", "--duration", "90")
    cli("events", "edit", "Platform Day", "--when", "2030-01-11 16:00")
    ev = json.loads(cli("events", "list", "--json").stdout)[0]
    assert ev["role"] == "hosting" and ev["starts_at"].startswith("2030-01-11T16:00")
    assert ev["ends_at"].startswith("2030-01-11T17:30")
    assert "hosting or attending" in cli("events", "add", "X", "2030-01-01 10:00", "--role", "panel", ok=False).stderr
    cli("events", "remove", "Platform Day")
    cli("groups", "remove", "SRE Guild")
    assert json.loads(cli("groups", "list", "--json").stdout) == []


def _world(cli, tz: str):
    """Four posts and a touchpoint next week; returns (monday, week)."""
    monday, week = _next_week()
    cli("strategy", "set", "timezone", tz)
    cli(
        "posts",
        "add",
        "Tuesday post",
        "--body",
        'Hello, "world"; #sre',
        "--at",
        f"{monday + timedelta(days=1)} 09:00",
        "--hashtags",
        "sre",
    )
    cli("posts", "add", "Thursday post", "--body", "Second", "--at", f"{monday + timedelta(days=3)} 12:30")
    cli("posts", "add", "Unscheduled idea")
    return monday, week


def test_export_ics_parses_strictly_and_is_stable(cli, tmp_path):
    monday, _ = _world(cli, "Europe/Berlin")
    out = tmp_path / "plan.ics"
    cli("export", "ics", "--from", str(monday), "--to", str(monday + timedelta(days=6)), "-o", str(out))
    text = out.read_text(encoding="utf-8")
    cal = IcsCalendarStream.calendar_from_ics(text)
    assert sorted(e.uid for e in cal.events) == ["post-1@planner", "post-2@planner"]
    starts = sorted(e.dtstart.astimezone(ZoneInfo("Europe/Berlin")).strftime("%a %H:%M") for e in cal.events)
    assert starts == ["Thu 12:30", "Tue 09:00"]
    assert "TZID=Europe/Berlin" in text and "BEGIN:VALARM" in text
    again = cli("export", "ics", "--from", str(monday), "--to", str(monday + timedelta(days=6))).stdout
    assert again.replace("\r\n", "\n") == text.replace("\r\n", "\n")


def test_export_csv_md_hootsuite(cli, tmp_path):
    monday, _ = _world(cli, "America/New_York")
    span = ["--from", str(monday), "--to", str(monday + timedelta(days=6))]
    rows = list(csv.DictReader(io.StringIO(cli("export", "csv", *span).stdout)))
    assert [r["title"] for r in rows] == [
        "Post (thought leadership): Tuesday post",
        "Post (thought leadership): Thursday post",
    ]
    assert rows[0]["start"].endswith("T09:00:00-05:00")
    md = cli("export", "md", *span).stdout
    assert md.startswith("# Planner agenda") and "**09:00–09:30**" in md
    folder = tmp_path / "hs"
    out = cli("export", "hootsuite", *span, "-o", str(folder)).stdout
    assert "hootsuite-profile-01.csv" in out
    lines = list(csv.reader(io.StringIO((folder / "hootsuite-profile-01.csv").read_text(encoding="utf-8"))))
    assert lines[0][0] == f"{(monday + timedelta(days=1)):%d/%m/%Y} 09:00" and lines[0][1].startswith("Hello")
    assert "--from: 'someday' is not a day I can read" in cli("export", "csv", "--from", "someday", ok=False).stderr


@pytest.mark.skipif(CALCURSE is None, reason="calcurse is not on PATH (apt-get install calcurse)")
def test_exported_ics_imports_into_calcurse_at_local_times(cli, tmp_path):
    monday, _ = _world(cli, "Europe/Berlin")
    ics = tmp_path / "plan.ics"
    cli("export", "ics", "--from", str(monday), "--to", str(monday + timedelta(days=6)), "-o", str(ics))
    data = tmp_path / "calcurse"
    data.mkdir()
    env = {**os.environ, "TZ": "Europe/Berlin", "HOME": str(tmp_path)}
    base = ["calcurse", "-D", str(data), "-C", str(data)]
    done = subprocess.run([*base, "-i", str(ics)], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "0 skipped" in done.stdout, done.stdout + done.stderr
    query = subprocess.run(
        [*base, "-Q", "--from", f"{monday:%m/%d/%Y}", "--days", "7", "--format-apt", "%(start:%a %H:%M)|%m\\n"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    rows = sorted(line for line in query.stdout.splitlines() if "|" in line)
    assert rows == [
        "Thu 12:30|Post (thought leadership): Thursday post",
        "Tue 09:00|Post (thought leadership): Tuesday post",
    ]


def test_markdown_to_standard_output_is_sanitized_at_the_edge(cli, store):
    """Text that never met the ingest sanitizer (a shared PostgreSQL store, a restored backup)
    reaches the terminal through `export md` with no escape, control or reordering character."""
    import sqlalchemy as sa

    from planner.models import Post

    monday, _ = _world(cli, "UTC")
    hostile = "Tue\x1b[31mred\x1b[0m \u202eevil\u202c\x07 post\r\nnext"
    with store.engine.begin() as conn:
        conn.execute(sa.update(Post.__table__).values(title=hostile, body=hostile + " body"))
    span = ["--from", str(monday), "--to", str(monday + timedelta(days=6))]
    for out in (cli("export", "md", *span).stdout, cli("export", "md", *span, "-o", "-").stdout):
        assert "red" in out and "evil" in out
        assert not any(ch in out for ch in "\x1b\x07\r\u202e\u202c"), repr(out)
