from __future__ import annotations

import json
from pathlib import Path

from helpers import EXAMPLES, ROOT, run_planner
from typer.testing import CliRunner

from planner.cli import app

runner = CliRunner()


def invoke(settings, *args):
    return runner.invoke(app, ["--db", settings.db_url, *args], catch_exceptions=False)


def test_help_and_version():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0 and "people" in result.output and "demo" in result.output
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.startswith("planner ")
    for group in ("db", "people", "import", "feeds", "topics", "entries", "export"):
        sub = runner.invoke(app, [group, "--help"])
        assert sub.exit_code == 0, (group, sub.output)


def test_import_then_list_people_as_json(settings):
    result = invoke(settings, "import", "linkedin", str(EXAMPLES / "Connections.csv"))
    assert result.exit_code == 0, result.output
    assert "added" in result.output
    people = json.loads(invoke(settings, "people", "list", "--json").output)
    assert len(people) >= 40
    assert set(people[0]) >= {"id", "first_name", "last_name", "company", "position", "profile_url", "connected_on"}
    again = invoke(settings, "import", "linkedin", str(EXAMPLES / "Connections.csv"), "--json")
    report = json.loads(again.output)
    assert report["added"] == 0 and report["unchanged"] == len(people)


def test_stats_counts_rows(settings):
    invoke(settings, "import", "linkedin", str(EXAMPLES / "Connections.csv"))
    counts = json.loads(invoke(settings, "stats", "--json").output)
    assert counts["connection"] >= 40 and counts["post"] == 0


def test_backup_restore_round_trip_via_cli(settings, tmp_path):
    invoke(settings, "import", "linkedin", str(EXAMPLES / "Connections.csv"))
    backup = tmp_path / "b.json"
    assert invoke(settings, "backup", str(backup)).exit_code == 0
    other = f"sqlite:///{tmp_path / 'other.db'}"
    restored = runner.invoke(app, ["--db", other, "restore", str(backup)])
    assert restored.exit_code == 0, restored.output
    refused = runner.invoke(app, ["--db", other, "restore", str(backup)])
    assert refused.exit_code == 1 and "--replace" in refused.output
    a = json.loads(invoke(settings, "people", "list", "--json").output)
    b = json.loads(runner.invoke(app, ["--db", other, "people", "list", "--json"]).output)
    assert a == b


def test_user_errors_are_one_line_without_traceback(settings, tmp_path):
    db = settings.db_url
    result = run_planner("--db", db, "import", "linkedin", str(tmp_path / "missing.csv"))
    assert result.returncode == 1
    assert result.stderr.strip() == f"planner: no such file: {tmp_path / 'missing.csv'}"
    assert "Traceback" not in result.stderr
    bad = run_planner("--db", "nosuchdriver://x", "stats")
    assert bad.returncode == 1 and "Traceback" not in bad.stderr and bad.stderr.startswith("planner:")
    debug = run_planner("--debug", "--db", db, "import", "linkedin", str(tmp_path / "missing.csv"))
    assert debug.returncode == 1 and "Traceback" in debug.stderr


def test_db_path_and_upgrade(settings, monkeypatch):
    from sqlalchemy.engine import make_url

    url = make_url(settings.db_url)
    monkeypatch.setenv("PLANNER_DB", settings.db_url)
    result = runner.invoke(app, ["db", "path"])
    # a SQLite file's path; a server's URL without its password
    assert result.output.strip() == (
        url.database if url.get_backend_name() == "sqlite" else url.render_as_string(hide_password=True)
    )
    result = runner.invoke(app, ["db", "upgrade"])
    from planner.store.db import HEAD_REVISION

    assert result.exit_code == 0 and f"empty → {HEAD_REVISION}" in result.output
    assert runner.invoke(app, ["db", "upgrade"]).output.startswith("schema is current")


def test_demo_no_tui_builds_the_world(settings):
    from sqlalchemy.engine import make_url

    url = make_url(settings.db_url)
    result = run_planner("--db", settings.db_url, "demo", "--no-tui")
    assert result.returncode == 0, result.stderr
    shown = url.database if url.get_backend_name() == "sqlite" else url.render_as_string(hide_password=True)
    assert "demo world built" in result.stdout and f"demo database: {shown}\n" in result.stdout
    assert not url.password or url.password not in result.stdout
    stats = json.loads(run_planner("--db", settings.db_url, "stats", "--json").stdout)
    assert stats["connection"] >= 40 and stats["entry"] >= 60 and stats["post"] >= 10 and stats["touchpoint"] >= 20
    # the demo's feed files: beside a SQLite file, in the data folder for a server; never where it ran
    feeds = (Path(url.database).parent if url.get_backend_name() == "sqlite" else settings.data_dir) / "demo-feeds"
    assert len(list(feeds.iterdir())) == 6 and not (ROOT / "demo-feeds").exists()
    again = run_planner("--db", settings.db_url, "demo", "--no-tui")
    assert again.returncode == 1 and "already holds data" in again.stderr


def test_python_dash_m_entry_point():
    result = run_planner("--version")
    assert result.returncode == 0 and result.stdout.startswith("planner ")


def test_human_tables_of_big_lists_show_the_first_rows_and_say_how_many_more(settings, monkeypatch):
    """people/posts list print at most HUMAN_ROWS rows in a table unless --limit is given (Rich lays
    out every row: 10,000 people took 9 s); --json always gives every row."""
    from planner.cli import people as people_cli
    from planner.cli import plan as plan_cli

    monkeypatch.setattr(people_cli, "HUMAN_ROWS", 5)
    monkeypatch.setattr(plan_cli, "HUMAN_ROWS", 2)
    invoke(settings, "import", "linkedin", str(EXAMPLES / "Connections.csv"))
    total = len(json.loads(invoke(settings, "people", "list", "--json").output))
    assert total > 5
    shown = invoke(settings, "people", "list").output
    assert f"5 of {total} shown; --limit {total} for all of them, --json for scripts" in shown
    limited = invoke(settings, "people", "list", "--limit", "7").output
    assert f"7 of {total} shown\n" in limited and "--limit" not in limited.splitlines()[-1]
    for title in ("one", "two", "three"):
        invoke(settings, "posts", "add", title)
    assert "2 of 3 shown" in invoke(settings, "posts", "list").output
    assert len(json.loads(invoke(settings, "posts", "list", "--json").output)) == 3
    assert "shown" not in invoke(settings, "posts", "list", "--limit", "3").output
