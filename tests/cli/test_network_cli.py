"""CLI: people list/show/edit, touch log/plan with the pitch guard, lint exit codes, imports."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from helpers import run_planner
from typer.testing import CliRunner

from planner.cli import app
from planner.models import Connection

runner = CliRunner()


@pytest.fixture
def db(store, settings):
    today = datetime.now(UTC).date()
    with store.transaction() as s:
        s.add(
            Connection(
                first_name="Priya",
                last_name="Shah",
                company="Acme",
                tier="inner",
                profile_url="https://www.linkedin.com/in/priya",
                connected_on=today - timedelta(days=400),
            )
        )
        s.add(
            Connection(first_name="Newton", last_name="Fresh", company="Beta", connected_on=today - timedelta(days=2))
        )
        s.add(Connection(first_name="Sam", last_name="One", company="C1"))
        s.add(Connection(first_name="Sam", last_name="Two", company="C2"))
    return settings.db_url


def invoke(db, *args):
    return runner.invoke(app, ["--db", db, *args])


def test_people_list_due_cold_tag_json(db):
    res = invoke(db, "people", "list", "--due", "--json")
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)
    assert [r["name"] for r in rows] == ["Priya Shah"]
    assert rows[0]["status"] == "cold" and rows[0]["cadence_days"] == 14 and rows[0]["ledger"]["ratio_text"] == "0:0"
    assert [r["name"] for r in json.loads(invoke(db, "people", "list", "--cold", "--json").stdout)] == ["Priya Shah"]
    invoke(db, "people", "edit", "Newton", "--tag", "sre")
    assert [r["name"] for r in json.loads(invoke(db, "people", "list", "--tag", "SRE", "--json").stdout)] == [
        "Newton Fresh"
    ]
    table = invoke(db, "people", "list")
    assert table.exit_code == 0 and "Priya" in table.stdout and "0:0" in table.stdout


def test_people_show_by_url_and_ambiguous_names(db):
    res = invoke(db, "people", "show", "https://www.linkedin.com/in/priya/", "--json")
    data = json.loads(res.stdout)
    assert data["name"] == "Priya Shah" and data["suggestion"]["kind"] == "check_in"
    assert data["pitch_guard"] == {"min_gives": 3, "min_days": 30}
    amb = invoke(db, "people", "show", "Sam")
    assert amb.exit_code == 1 and "matches 2 people" in amb.output and "C1" in amb.output


def test_touch_log_backdated_resets_next_due(db):
    d = (datetime.now(UTC) - timedelta(days=5)).date().isoformat()
    res = invoke(
        db, "touch", "log", "Priya", "--kind", "share-content", "--date", d, "--note", "sent SLO article", "--json"
    )
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["status"] == "done" and out["next_due_at"].startswith(
        (date.fromisoformat(d) + timedelta(days=14)).isoformat()
    )
    show = json.loads(invoke(db, "people", "show", "Priya", "--json").stdout)
    assert show["ledger"]["gives"] == 1 and show["touchpoints"][0]["note"] == "sent SLO article"


def test_touch_ask_refused_without_force(db):
    res = invoke(db, "touch", "plan", "Newton", "--kind", "meeting_request", "--due", "tomorrow")
    assert res.exit_code == 1
    assert "too early" in res.output and "connected 3 days ago" in res.output and "--force" in res.output
    # the guard judges a planned ask as of its due date: far enough out, only the gives are missing
    later = invoke(db, "touch", "plan", "Newton", "--kind", "meeting_request", "--due", "2030-01-01")
    assert later.exit_code == 1 and "days ago" not in later.output and "no value-first touch yet" in later.output
    forced = invoke(
        db,
        "touch",
        "plan",
        "Newton",
        "--kind",
        "meeting_request",
        "--due",
        "2030-01-01",
        "--force",
        "--message",
        "Can we book a demo of our platform?",
    )
    assert forced.exit_code == 0, forced.output
    assert "pitch guard overridden" in forced.stdout and "reads as a pitch" in forced.stdout
    bad = invoke(db, "touch", "log", "Newton", "--kind", "hug")
    assert bad.exit_code == 1 and "unknown touch kind 'hug'" in bad.output
    bad_date = invoke(db, "touch", "plan", "Newton", "--kind", "thank", "--due", "next week")
    assert bad_date.exit_code == 1 and "--due" in bad_date.output


def test_people_edit(db):
    res = invoke(db, "people", "edit", "Priya", "--tier", "warm", "--cadence", "21", "--tag", "sre", "--json")
    data = json.loads(res.stdout)
    assert (data["tier"], data["cadence_days"], data["cadence_source"], data["tags"]) == ("warm", 21, "person", ["sre"])
    res = invoke(db, "people", "edit", "Priya", "--cadence", "tier", "--untag", "sre", "--json")
    data = json.loads(res.stdout)
    assert (data["cadence_days"], data["tags"]) == (60, [])
    assert invoke(db, "people", "edit", "Priya").exit_code == 1
    assert "unknown tier" in invoke(db, "people", "edit", "Priya", "--tier", "vip").output


def test_lint_exit_codes_and_json(tmp_path):
    ok = runner.invoke(app, ["lint", "Congrats on the new role! Well deserved."])
    assert ok.exit_code == 0 and "value-first" in ok.stdout
    bad = runner.invoke(app, ["lint", "--json", "Can I book a demo of our solution? Limited offer this week."])
    assert bad.exit_code == 1
    data = json.loads(bad.stdout)
    assert data["pitch"] is True and data["score"] >= 0.5 and len(data["reasons"]) >= 2
    note = tmp_path / "note.txt"
    note.write_text("Loved your talk. " * 30, encoding="utf-8")
    long = runner.invoke(app, ["lint", "--kind", "connection_note", "--file", str(note)])
    assert long.exit_code == 1 and "/300 characters" in long.stdout and "too long" in long.stdout
    assert runner.invoke(app, ["lint"]).exit_code == 1


def test_lint_semantic_check_catches_what_no_rule_names():
    text = "Greetings! I'd like to offer you a no-obligation review of your Kubernetes clusters by our certified engineers."
    fast = runner.invoke(app, ["lint", "--fast", "--json", text])
    assert fast.exit_code == 0 and json.loads(fast.stdout) == {
        "score": 0.0,
        "pitch": False,
        "reasons": [],
        "semantic": None,
    }
    full = runner.invoke(app, ["lint", "--json", text])
    assert full.exit_code == 1, full.output
    data = json.loads(full.stdout)
    assert data["pitch"] and data["semantic"] >= 0.9
    assert any("reads like a sales message: the semantic check is" in r for r in data["reasons"])
    plain = runner.invoke(
        app, ["lint", "--json", "Here's the recording of the panel you missed: https://example.com/panel"]
    )
    assert plain.exit_code == 0 and json.loads(plain.stdout)["semantic"] < 0.9


def test_import_shares_and_csv(db, tmp_path):
    shares = tmp_path / "Shares.csv"
    shares.write_text(
        "Date,ShareLink,ShareCommentary,SharedUrl,MediaUrl,Visibility\n"
        '2025-01-02 10:00:00,https://www.linkedin.com/feed/update/1,"""Line one""\n""Line two""",,,MEMBER_NETWORK\n',
        encoding="utf-8",
    )
    first = invoke(db, "import", "shares", str(shares))
    assert first.exit_code == 0 and "1 post added" in first.stdout
    assert "0 posts added, 0 updated, 1 unchanged" in invoke(db, "import", "shares", str(shares)).stdout
    book = tmp_path / "book.csv"
    book.write_text("Name,Mail\nAda Lovelace,ada@example.com\n", encoding="utf-8")
    res = invoke(db, "import", "csv", str(book), "--map", "Name=name,Mail=email", "--json")
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["added"] == 1
    assert invoke(db, "import", "csv", str(book), "--map", "Nope=name").exit_code == 1


def test_subprocess_lint_and_people_due(db):
    res = run_planner("lint", "--json", "Our platform cuts costs by 30%. Book a demo today!")
    assert res.returncode == 1, res.stderr
    assert json.loads(res.stdout)["pitch"] is True
    res = run_planner("--db", db, "people", "list", "--due", "--json")
    assert res.returncode == 0, res.stderr
    assert [r["name"] for r in json.loads(res.stdout)] == ["Priya Shah"]


def test_people_list_json_is_one_compact_person_per_line(db):
    res = invoke(db, "people", "list", "--json")
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)
    lines = res.stdout.splitlines()
    assert len(lines) == len(rows) >= 2
    assert [json.loads(line.strip("[], "))["id"] for line in lines] == [r["id"] for r in rows]
    assert set(rows[0]) >= {"id", "name", "tier", "tags", "next_due_at", "status", "ledger"}
    assert set(rows[0]["ledger"]) == {
        "gives",
        "asks",
        "planned",
        "last_give_at",
        "last_ask_at",
        "days_connected",
        "ratio",
        "ratio_text",
    }
