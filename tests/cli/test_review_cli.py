"""`planner review` on the demo world: Markdown by default, JSON for scripts, -o FILE, bad input."""

from __future__ import annotations

import json

import pytest
from helpers import FIXED_NOW, run_planner
from typer.testing import CliRunner

from planner.cli import app

runner = CliRunner()


@pytest.fixture
def invoke(demo_settings, monkeypatch):
    monkeypatch.setattr("planner.cli.review._now", lambda: FIXED_NOW)

    def run(*args: str, code: int = 0):
        result = runner.invoke(app, ["--db", demo_settings.db_url, "review", *args])
        assert result.exit_code == code, result.output
        return result

    return run


def test_default_is_the_last_full_week_as_markdown(invoke):
    out = invoke().stdout
    assert out.startswith("# Weekly review 2026-W47\n")
    assert "Mon 16 Nov – Sun 22 Nov 2026 · Europe/London" in out
    # the demo's W47: one group post published, six touchpoints (4 done, 1 skipped, Chris's share missed)
    assert "1 of 1 scheduled posts published · 0 skipped · 0 missed" in out
    assert "4 done · 1 skipped · 1 overdue of 6 planned" in out
    assert "Share content · Chris Morgan · **missed**" in out
    assert "## Next week" in out


def test_json_for_a_given_week(invoke):
    data = json.loads(invoke("--week", "2026-W48", "--format", "json").stdout)
    assert data["week"] == "2026-W48" and data["monday"] == "2026-11-23"
    assert list(data) == sorted(data)
    # W48 is under way on the fixed Wednesday: its scheduled posts are still ahead
    assert data["posts"]["upcoming"] >= 1
    assert {"weeks", "pillar_mix"} <= set(data["charts"]) and len(data["charts"]["weeks"]) == 12


def test_output_file(invoke, tmp_path):
    target = tmp_path / "notes" / "review.md"
    target.parent.mkdir()  # a missing folder is an error (tests/cli/test_cli_manners.py), not made
    result = invoke("-o", str(target))
    assert f"wrote the 2026-W47 review to {target}" in result.stdout
    assert target.read_text(encoding="utf-8").startswith("# Weekly review 2026-W47")


def test_bad_input_is_one_line(invoke):
    result = invoke("--week", "a week ago-ish", code=1)
    assert "planner: --week: 'a week ago-ish' is not a week I can read; try e.g. 2026-W49, " in result.output
    result = invoke("--format", "pdf", code=1)
    assert "planner: --format 'pdf': expected md or json" in result.output


def test_real_subprocess_json(demo_settings, tmp_path):
    done = run_planner(
        "--db",
        demo_settings.db_url,
        "review",
        "--week",
        "2026-W47",
        "--format",
        "json",
        env={"PLANNER_CONFIG": str(tmp_path / "c.toml")},
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["week"] == "2026-W47"
    assert data["touchpoints"]["planned"] == 6 and data["posts"]["published"] == 1
