"""`planner export vdir DIR`: one .ics per item, read by the real khal at the right local times."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from datetime import timedelta

import pytest
import terminal_world
from typer.testing import CliRunner

from planner.cli import app

KHAL = shutil.which("khal")
runner = CliRunner()

OTHER_EVENT = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//someone//else//EN\r\nBEGIN:VEVENT\r\nUID:dentist-1@example.com\r\n"
    "DTSTAMP:20261101T000000Z\r\nDTSTART:20261124T140000Z\r\nDTEND:20261124T150000Z\r\nSUMMARY:Dentist\r\n"
    "END:VEVENT\r\nEND:VCALENDAR\r\n"
)


def _export(settings, folder, *args: str, code: int = 0):
    result = runner.invoke(app, ["export", "vdir", str(folder), *args, "--db", settings.db_url])
    assert result.exit_code == code, result.output
    return result


def _khal(tmp_path, folder) -> list[str]:
    """`khal list` over the vdir with a throwaway config, in New York time: "start|end|title" lines."""
    config = tmp_path / "khal.conf"
    config.write_text(
        f"[calendars]\n[[planner]]\npath = {folder}\n"
        "[locale]\ntimeformat = %H:%M\ndateformat = %Y-%m-%d\nlongdateformat = %Y-%m-%d\n"
        "datetimeformat = %Y-%m-%d %H:%M\nlongdatetimeformat = %Y-%m-%d %H:%M\n"
        "local_timezone = America/New_York\ndefault_timezone = America/New_York\n"
        f"[sqlite]\npath = {tmp_path / 'khal.db'}\n",
        encoding="utf-8",
    )
    env = {**os.environ, "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "xdg"), "TZ": "UTC"}
    done = subprocess.run(
        [KHAL, "-c", str(config), "list", "--format", "{start}|{end}|{title}", "2026-10-26", "40d"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0 and "error" not in done.stderr.lower(), done.stdout + done.stderr
    return [line for line in done.stdout.splitlines() if re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d\|", line)]


@pytest.mark.skipif(KHAL is None, reason="khal is not on PATH (apt-get install khal)")
def test_khal_lists_the_exported_vdir_at_local_times_and_follows_a_re_export(store, settings, tmp_path):
    from planner.models import Post, Touchpoint

    ids = terminal_world.build(store)
    folder = tmp_path / "calendar"  # khal's calendar folder; made because only it is missing
    out = _export(settings, folder).stdout
    assert "4 written, 0 unchanged, 0 removed" in out
    names = sorted(p.name for p in folder.iterdir())
    assert names == sorted(
        [
            f"post-{ids['post']}@planner.ics",
            f"post-{ids['summer']}@planner.ics",
            f"touchpoint-{ids['share']}@planner.ics",
            f"touchpoint-{ids['check']}@planner.ics",
        ]
    )
    assert _khal(tmp_path, folder) == [
        "2026-10-28 09:00|2026-10-28 09:30|Post (thought leadership): Error budgets, one year on",  # EDT, UTC-4
        "2026-11-23 10:00|2026-11-23 10:15|Check in: Chris Morgan",  # EST, UTC-5
        "2026-11-25 08:00|2026-11-25 08:15|Share content: Priya Shah",
        "2026-11-25 10:00|2026-11-25 10:30|Post (thought leadership): Your SLO dashboard isn't for you",
    ]

    (folder / "dentist-1@example.com.ics").write_text(OTHER_EVENT, encoding="utf-8", newline="")
    (folder / "displayname").write_text("Planner", encoding="utf-8")
    kept = folder / f"touchpoint-{ids['share']}@planner.ics"
    before = kept.stat()
    with store.transaction() as session:  # the post moves to 11:00 and Chris's check-in is deleted
        post = session.get(Post, ids["post"])
        post.scheduled_at += timedelta(hours=1)
        post.updated_at += timedelta(days=1)
        session.add(post)
        session.delete(session.get(Touchpoint, ids["check"]))
    again = _export(settings, folder).stdout
    assert "1 written, 2 unchanged, 1 removed" in again
    assert (kept.stat().st_ino, kept.stat().st_mtime_ns) == (before.st_ino, before.st_mtime_ns)  # left as it was
    assert (folder / "dentist-1@example.com.ics").read_text(encoding="utf-8") == OTHER_EVENT.replace("\r\n", "\n")
    assert (folder / "displayname").read_text(encoding="utf-8") == "Planner"
    assert not [p for p in folder.iterdir() if p.name.startswith(".")]  # no temporary file left behind
    assert _khal(tmp_path, folder) == [
        "2026-10-28 09:00|2026-10-28 09:30|Post (thought leadership): Error budgets, one year on",
        "2026-11-24 09:00|2026-11-24 10:00|Dentist",
        "2026-11-25 08:00|2026-11-25 08:15|Share content: Priya Shah",
        "2026-11-25 11:00|2026-11-25 11:30|Post (thought leadership): Your SLO dashboard isn't for you",
    ]


def test_the_files_are_each_one_calendar_with_one_event_and_its_zone(store, settings, tmp_path):
    from icalendar import Calendar

    ids = terminal_world.build(store)
    _export(settings, tmp_path / "cal", "--alarm", "0")
    cal = Calendar.from_ical((tmp_path / "cal" / f"post-{ids['post']}@planner.ics").read_bytes())
    events, zones = cal.walk("VEVENT"), cal.walk("VTIMEZONE")
    assert len(events) == 1 and str(events[0]["UID"]) == f"post-{ids['post']}@planner"
    assert [str(z["TZID"]) for z in zones] == ["America/New_York"] and not cal.walk("VALARM")


def test_a_missing_parent_folder_or_a_file_is_an_error(store, settings, tmp_path):
    terminal_world.build(store)
    missing = _export(settings, tmp_path / "nowhere" / "cal", code=1)
    assert (
        missing.stderr.strip()
        == f"planner: cannot write {tmp_path / 'nowhere' / 'cal'}: the folder {tmp_path / 'nowhere'} does not exist"
    )
    (tmp_path / "file").write_text("x")
    assert "is a file, not a folder" in _export(settings, tmp_path / "file", code=1).stderr
    assert not (tmp_path / "nowhere").exists()
