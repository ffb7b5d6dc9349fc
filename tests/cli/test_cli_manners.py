"""CLI manners: global options after the subcommand, shell completion, tables when piped, the demo's
temporary folder, and -o into a missing folder."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from helpers import EXAMPLES, run_planner
from typer.testing import CliRunner

from planner.cli import app

runner = CliRunner()


def test_global_options_are_accepted_after_the_subcommand(settings, tmp_path):
    runner.invoke(app, ["--db", settings.db_url, "import", "linkedin", str(EXAMPLES / "Connections.csv")])
    before = runner.invoke(app, ["--db", settings.db_url, "people", "list", "--json"])
    after = runner.invoke(app, ["people", "list", "--json", "--db", settings.db_url, f"--config={tmp_path / 'c.toml'}"])
    assert after.exit_code == 0, after.output
    assert json.loads(after.stdout) == json.loads(before.stdout) and len(json.loads(after.stdout)) >= 40
    path = runner.invoke(app, ["db", "path", "--db", str(tmp_path / "elsewhere.db")])
    assert path.stdout.strip() == str(tmp_path / "elsewhere.db")
    # --debug after the subcommand too: the traceback instead of the one line
    debug = run_planner("import", "linkedin", str(tmp_path / "missing.csv"), "--db", settings.db_url, "--debug")
    assert debug.returncode == 1 and "Traceback" in debug.stderr
    plain = run_planner("import", "linkedin", str(tmp_path / "missing.csv"), "--db", settings.db_url)
    assert plain.stderr.strip() == f"planner: no such file: {tmp_path / 'missing.csv'}"


def test_hoisting_keeps_order_and_values():
    from planner.cli.common import hoist_global_options

    assert hoist_global_options(["people", "list", "--db", "x.db", "--json", "--debug"]) == [
        "--db",
        "x.db",
        "--debug",
        "people",
        "list",
        "--json",
    ]
    assert hoist_global_options(["stats", "--config=c.toml"]) == ["--config=c.toml", "stats"]
    assert hoist_global_options(["lint", "--", "--db", "x"]) == ["lint", "--", "--db", "x"]
    assert hoist_global_options(["stats", "--db"]) == ["stats", "--db"]  # click names the missing value


@pytest.mark.parametrize(
    "shell, marker",
    [
        ("bash", "complete -o default -F _planner_completion planner"),
        ("zsh", "#compdef planner"),
        ("fish", "complete --command planner"),
    ],
)
def test_completion_scripts_for_bash_zsh_and_fish(shell, marker):
    done = run_planner("--show-completion", shell, env={"_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"})
    assert done.returncode == 0, done.stderr
    assert marker in done.stdout and "_PLANNER_COMPLETE" in done.stdout


def test_completion_completes_commands_and_subcommands():
    """What the bash script asks the program for while you type `planner export v<TAB>`."""
    base = {"_PLANNER_COMPLETE": "complete_bash"}
    top = run_planner(env={**base, "COMP_WORDS": "planner to", "COMP_CWORD": "1"})
    assert top.stdout.split() == ["today", "topics", "touch"]
    sub = run_planner(env={**base, "COMP_WORDS": "planner export v", "COMP_CWORD": "2"})
    assert sub.stdout.split() == ["vdir"]


def test_install_completion_writes_the_shell_startup_file(tmp_path):
    env = {"_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1", "HOME": str(tmp_path), "SHELL": "/bin/bash"}
    done = run_planner("--install-completion", "bash", env=env)
    assert done.returncode == 0, done.stderr
    assert "planner" in (tmp_path / ".bashrc").read_text() and list((tmp_path / ".bash_completions").iterdir())


def test_piped_tables_keep_each_record_on_one_line_uncut(settings):
    runner.invoke(app, ["--db", settings.db_url, "import", "linkedin", str(EXAMPLES / "Connections.csv")])
    out = run_planner("people", "list", "--db", settings.db_url).stdout.splitlines()
    people = json.loads(runner.invoke(app, ["--db", settings.db_url, "people", "list", "--json"]).stdout)
    header, rows = out[0], out[1 : 1 + len(people)]
    assert header.split()[:3] == ["id", "name", "company"] and "┃" not in header
    longest = max(people, key=lambda p: len(p["company"] or ""))
    line = next(r for r in rows if r.split()[0] == str(longest["id"]))
    assert longest["company"] in line and f"{longest['first_name']} {longest['last_name']}" in line
    assert len(rows) == len(people)  # one line per person, however wide


def test_the_demo_says_where_its_folder_is_and_removes_it_on_exit(tmp_path, monkeypatch):
    monkeypatch.setenv("PLANNER_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.delenv("PLANNER_DB", raising=False)
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    seen = []
    # the app itself is not the subject here: stand in for it, and look at the folder while it "runs"
    monkeypatch.setattr("planner.cli.run_tui", lambda settings: seen.append(Path(settings.db_url[len("sqlite:///") :])))
    result = runner.invoke(app, ["demo"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    (db,) = seen
    assert result.stdout.startswith(f"demo folder: {db.parent} (removed when the app closes; --keep keeps it)\n")
    assert result.stdout.rstrip().endswith(f"removed the demo folder {db.parent}")
    assert not db.parent.exists()
    kept = runner.invoke(app, ["demo", "--keep"], catch_exceptions=False)
    assert seen[1].is_file() and "(kept (--keep))" in kept.stdout
    no_tui = runner.invoke(app, ["demo", "--no-tui"], catch_exceptions=False)
    folder = Path(no_tui.stdout.splitlines()[0].split(": ", 1)[1].split(" (")[0])
    assert (folder / "demo.db").is_file() and len(seen) == 2


def test_output_into_a_missing_folder_is_an_error(settings, tmp_path):
    missing = tmp_path / "no" / "such"
    for args in (
        ["export", "ics", "-o", str(missing / "plan.ics")],
        ["export", "hootsuite", "-o", str(missing / "hs")],
        ["review", "--week", "2026-W47", "-o", str(missing / "r.md")],
        ["backup", str(missing / "b.json")],
        ["export", "opml", str(missing / "s.opml")],
    ):
        result = runner.invoke(app, ["--db", settings.db_url, *args])
        assert result.exit_code == 1, (args, result.output)
        assert f"the folder {missing} does not exist" in result.stderr, (args, result.stderr)
    assert not (tmp_path / "no").exists()
    os.makedirs(tmp_path / "there")
    ok = runner.invoke(app, ["--db", settings.db_url, "export", "ics", "-o", str(tmp_path / "there" / "plan.ics")])
    assert ok.exit_code == 0 and (tmp_path / "there" / "plan.ics").is_file()
