"""`planner notify` for cron: each item that became due since the last run goes to [notify] command once."""

from __future__ import annotations

import json
import stat
from datetime import timedelta

import pytest
import terminal_world
from helpers import FIXED_NOW
from typer.testing import CliRunner

from planner.cli import app

runner = CliRunner()
AT_0900 = terminal_world.TOUCH_TODAY + timedelta(hours=1)  # 09:00 New York: Priya's share came due at 08:00
AT_1030 = terminal_world.POST_TODAY + timedelta(minutes=30)  # the post came due at 10:00


@pytest.fixture
def notify(store, settings, tmp_path, monkeypatch):
    ids = terminal_world.build(store)
    config = tmp_path / "config.toml"
    clock = {"now": FIXED_NOW}
    monkeypatch.setattr("planner.cli.notify._now", lambda: clock["now"])

    def run(at, *args: str, code: int = 0):
        clock["now"] = at
        result = runner.invoke(app, ["notify", *args, "--db", settings.db_url, "--config", str(config)])
        assert result.exit_code == code, result.output
        return result

    run.ids, run.config, run.store = ids, config, store
    return run


def _script(tmp_path, body: str):
    """A notify command: a real shell script that appends what it got to a file."""
    script = tmp_path / "notify.sh"
    script.write_text("#!/bin/sh\n" + body, encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script


def test_without_a_command_it_prints_each_new_item_once(notify):
    assert notify(FIXED_NOW).stdout == ""  # 04:30 in New York: nothing has come due today yet
    first = notify(AT_0900).stdout
    # the person and the action, what to send; not Chris's check-in overdue since Monday (before the first run)
    assert first == (
        "Priya Shah: share content (due Wed 25 Nov 08:00) — "
        "Saw this on AI incident triage, thought of your postmortem question\n"
    )
    assert notify(AT_0900).stdout == ""  # the second run notifies nothing
    assert notify(AT_0900 + timedelta(minutes=5)).stdout == ""
    later = notify(AT_1030, "--json").stdout
    (post,) = json.loads(later)
    assert post["kind"] == "post" and post["title"] == "Your SLO dashboard isn't for you"
    assert post["when"] == "2026-11-25T10:00:00-05:00" and post["section_key"] == "1"
    assert notify(AT_1030).stdout == ""


def test_the_command_gets_the_item_on_stdin_and_in_planner_variables(notify, tmp_path):
    log = tmp_path / "got.log"
    script = _script(
        tmp_path,
        f'cat >> "{log}"\necho "ENV|$PLANNER_PERSON|$PLANNER_ACTION|$PLANNER_WHEN|$PLANNER_SECTION|'
        f'$PLANNER_SECTION_KEY|$PLANNER_SEND|$PLANNER_TITLE" >> "{log}"\n',
    )
    notify.config.write_text(f'[notify]\ncommand = "{script}"\n', encoding="utf-8")
    assert notify(AT_0900).stdout == ""
    payload, env = log.read_text(encoding="utf-8").splitlines()
    item = json.loads(payload)
    assert item["person"] == "Priya Shah" and item["action"] == "share content" and item["id"] == notify.ids["share"]
    assert item["message"].startswith("Priya Shah: share content")
    assert env == (
        "ENV|Priya Shah|share content|2026-11-25T08:00:00-05:00|today|1|"
        "Saw this on AI incident triage, thought of your postmortem question|Share content · Priya Shah"
    )
    notify(AT_0900)
    assert len(log.read_text(encoding="utf-8").splitlines()) == 2  # the second run ran nothing


def test_a_list_command_runs_without_a_shell(notify, tmp_path):
    log = tmp_path / "argv.log"
    script = _script(tmp_path, f'echo "$1 $PLANNER_KIND" >> "{log}"\n')
    notify.config.write_text(f'[notify]\ncommand = ["{script}", "a $HOME b"]\n', encoding="utf-8")
    notify(AT_1030)
    assert log.read_text(encoding="utf-8").splitlines() == ["a $HOME b touchpoint", "a $HOME b post"]


def test_a_failed_command_is_reported_and_retried_next_run(notify, tmp_path):
    flag = tmp_path / "fail"
    flag.write_text("x")
    log = tmp_path / "got.log"
    script = _script(tmp_path, f'if [ -e "{flag}" ]; then echo "no display" >&2; exit 3; fi\ncat >> "{log}"\n')
    notify.config.write_text(f'[notify]\ncommand = "{script}"\n', encoding="utf-8")
    failed = notify(AT_0900, code=1)
    assert failed.stderr.startswith("planner: notify command failed for Priya Shah: share content")
    assert failed.stderr.rstrip().endswith("exit status 3: no display")
    flag.unlink()
    notify(AT_0900)
    assert json.loads(log.read_text(encoding="utf-8"))["person"] == "Priya Shah"
    notify(AT_0900)
    assert len(log.read_text(encoding="utf-8").splitlines()) == 1


def test_an_item_moved_into_the_past_or_to_a_new_time_is_notified_there(notify):
    from planner.models import Touchpoint

    notify(AT_0900)
    with notify.store.transaction() as session:  # Chris's check-in (overdue before the first run) moved to 08:30
        check = session.get(Touchpoint, notify.ids["check"])
        check.due_at = terminal_world.TOUCH_TODAY + timedelta(minutes=30)
        check.updated_at = AT_0900 + timedelta(minutes=1)
        session.add(check)
    assert notify(AT_0900 + timedelta(minutes=2)).stdout.startswith("Chris Morgan: check in (due Wed 25 Nov 08:30)")
    assert notify(AT_0900 + timedelta(minutes=3)).stdout == ""
    with notify.store.transaction() as session:  # an edit of an item notified at its time: not again
        share = session.get(Touchpoint, notify.ids["share"])
        share.note, share.updated_at = "edited", AT_0900 + timedelta(minutes=4)
        session.add(share)
    assert notify(AT_0900 + timedelta(minutes=5)).stdout == ""


def test_a_bad_notify_table_is_one_line(notify):
    notify.config.write_text("[notify]\ncommand = 3\n", encoding="utf-8")
    bad = notify(AT_0900, code=1)
    assert "[notify] command must be a string" in bad.stderr and "Traceback" not in bad.output


def test_two_runs_at_the_same_instant_hand_each_item_out_once(notify):
    """The first run has claimed but not committed when the second reads: on PostgreSQL the
    second's claims meet the first's in the unique index and it reads again."""
    import threading
    import time
    from zoneinfo import ZoneInfo

    from planner.services import notify as notify_service

    store, tz = notify.store, ZoneInfo("America/New_York")
    second: list = []
    with store.transaction() as session:
        first = notify_service.claim(session, AT_1030, tz)
        other = threading.Thread(target=lambda: second.append(notify_service.claim_new(store, AT_1030, tz)))
        other.start()
        time.sleep(0.5)  # let it read and reach the first's uncommitted claims (or the write lock)
    other.join(timeout=30)
    assert first and second == [[]]
