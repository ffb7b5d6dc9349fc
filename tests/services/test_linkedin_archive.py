"""`import linkedin-archive`: every file, each on its own, idempotent; matching by URL then name;
messages the owner sent become gives or asks by the pitch check; replies move last contact."""

from __future__ import annotations

import json
import zipfile
from datetime import UTC, datetime

import archive_fixture as fx
import pytest
from helpers import FIXED_NOW, run_planner
from sqlmodel import select

from planner.errors import PlannerError
from planner.models import Connection, LinkedInRecord, Touchpoint
from planner.services.linkedin_archive import import_archive


def _people(session):
    return {c.full_name: c for c in session.exec(select(Connection)).all()}


def _touches(session, person):
    return session.exec(
        select(Touchpoint).where(Touchpoint.connection_id == person.id).order_by(Touchpoint.done_at)
    ).all()


def test_archive_import_reports_every_file_and_matches_people(store, tmp_path):
    report = import_archive(store, fx.write_zip(tmp_path / "Basic_LinkedInDataExport.zip"), now=FIXED_NOW)
    assert (report.owner, report.owner_url) == ("Jordan Lee", fx.OWNER_URL)
    files = {f.file: f for f in report.files}
    assert list(files) == [
        "Profile.csv",
        "Connections.csv",
        "Invitations.csv",
        "messages.csv",
        "Endorsement_Given_Info.csv",
        "Recommendations_Given.csv",
        "Shares.csv",
    ]
    assert (files["Connections.csv"].read, files["Connections.csv"].imported) == (6, 6)
    m = files["messages.csv"]
    assert (m.read, m.matched, m.imported, m.unchanged) == (9, 6, 6, 0)
    assert any("line 12:" in s and "Max Sales is not a connection" in s for s in m.skipped), m.skipped
    assert any("a draft" in s for s in m.skipped) and any("unrecognised date" in s for s in m.skipped)
    e = files["Endorsement_Given_Info.csv"]
    assert (e.imported, len(e.skipped)) == (1, 1) and "Max Sales is not a connection" in e.skipped[0]
    assert files["Recommendations_Given.csv"].imported == 1
    assert files["Invitations.csv"].imported == 3
    with store.session() as session:
        people = _people(session)
        assert "Max Sales" not in people and len(session.exec(select(Connection)).all()) == 6, (
            "a message from a non-connection adds nobody"
        )
        priya, tom, ana, sam = (people[n] for n in ("Priya Shah", "Tom Ng", "Ana Lopez", "Sam Reed"))
        # by URL: Priya's pitch (an ask, with its reasons) and the group introduction
        kinds = [(t.kind, t.done_at) for t in _touches(session, priya)]
        assert kinds == [
            ("pitch", datetime(2026, 8, 2, 10, tzinfo=UTC)),
            ("introduce", datetime(2026, 8, 10, 12, tzinfo=UTC)),
        ]
        pitch = _touches(session, priya)[0]
        assert "reads as a pitch" in pitch.note and "demo" in pitch.note and pitch.message == fx.PITCH
        # the introduction in a group thread counts for everyone in it
        assert [t.kind for t in _touches(session, tom)] == ["share_content", "recommend", "introduce"]
        # by name: Ana's connection row has no URL, her messages do
        assert [t.kind for t in _touches(session, ana)] == ["share_content"]
        received = session.exec(
            select(LinkedInRecord).where(
                LinkedInRecord.kind == "message_received", LinkedInRecord.connection_id == ana.id
            )
        ).one()
        assert received.text == "Thank you!\n\nThis is [bold]great[/]"  # sanitized, kept literal
        priya_reply = session.exec(
            select(LinkedInRecord).where(
                LinkedInRecord.kind == "message_received", LinkedInRecord.connection_id == priya.id
            )
        ).one()
        assert "\x1b" not in priya_reply.text and priya_reply.text.startswith("Not for us")
        assert [t.kind for t in _touches(session, sam)] == ["recommend"]
        # two people named Alex Kim: a name alone matches neither; the owner is nobody
        assert not session.exec(
            select(LinkedInRecord).where(LinkedInRecord.url == fx.OWNER_URL, LinkedInRecord.kind != "owner")
        ).all()


def test_people_show_json_has_last_contact_and_gives_from_the_history(store, settings, tmp_path):
    zipped = fx.write_zip(tmp_path / "archive.zip")
    out = run_planner("import", "linkedin-archive", str(zipped), "--fast", env={"PLANNER_DB": settings.db_url})
    assert out.returncode == 0, out.stderr
    assert "messages.csv: 9 read, 6 imported, 6 matched, 0 already imported, 3 skipped" in out.stdout
    ana = json.loads(run_planner("people", "show", "Ana Lopez", "--json", env={"PLANNER_DB": settings.db_url}).stdout)
    assert ana["last_contact_at"] == "2026-08-05T18:30:00+00:00", "her reply is the last contact"
    assert (ana["ledger"]["gives"], ana["ledger"]["asks"]) == (1, 0)
    tom = json.loads(run_planner("people", "show", "Tom Ng", "--json", env={"PLANNER_DB": settings.db_url}).stdout)
    assert tom["last_contact_at"] == "2026-08-10T12:00:00+00:00"
    assert (tom["ledger"]["gives"], tom["ledger"]["asks"]) == (3, 0)
    priya = json.loads(
        run_planner("people", "show", "Priya Shah", "--json", env={"PLANNER_DB": settings.db_url}).stdout
    )
    assert (priya["ledger"]["gives"], priya["ledger"]["asks"]) == (1, 1)


def test_reimport_adds_nothing_and_a_folder_reads_the_same(store, tmp_path):
    import_archive(store, fx.write_zip(tmp_path / "a.zip"), now=FIXED_NOW)
    with store.session() as session:
        counts = (len(session.exec(select(Touchpoint)).all()), len(session.exec(select(LinkedInRecord)).all()))
    again = import_archive(store, fx.write_folder(tmp_path / "unpacked"), now=FIXED_NOW)
    assert all(f.imported == 0 for f in again.files if f.file not in ("Connections.csv", "Shares.csv"))
    files = {f.file: f for f in again.files}
    assert files["messages.csv"].unchanged == 6 and files["Connections.csv"].imported == 0
    with store.session() as session:
        assert (len(session.exec(select(Touchpoint)).all()), len(session.exec(select(LinkedInRecord)).all())) == counts


def test_bad_input_stores_nothing(store, settings, tmp_path):
    env = {"PLANNER_DB": settings.db_url}
    empty = tmp_path / "photos.zip"
    with zipfile.ZipFile(empty, "w") as z:
        z.writestr("holiday.jpg", b"\xff\xd8")
    out = run_planner("import", "linkedin-archive", str(empty), "--fast", env=env)
    assert out.returncode == 1 and out.stderr.count("\n") == 1
    assert "photos.zip: no LinkedIn files" in out.stderr
    other = dict(fx.FILES, **{"messages.csv": "id,text\n1,hello\n"})
    out = run_planner("import", "linkedin-archive", str(fx.write_zip(tmp_path / "bad.zip", other)), "--fast", env=env)
    assert out.returncode == 1 and out.stderr.count("\n") == 1
    assert "messages.csv line 1: expected a header like CONVERSATION ID" in out.stderr
    with store.session() as session:
        assert not session.exec(select(Connection)).all(), "nothing stored: every file is checked first"
        assert not session.exec(select(LinkedInRecord)).all()
    with pytest.raises(PlannerError, match="not a zip"):
        (tmp_path / "x.zip").write_text("no")
        import_archive(store, tmp_path / "x.zip")


def test_zip_entries_are_read_by_name_only(store, tmp_path):
    path = tmp_path / "evil.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("../../Connections.csv", fx.CONNECTIONS)
        z.writestr("/etc/messages.csv", fx.MESSAGES)
    report = import_archive(store, path, now=FIXED_NOW)
    assert {f.file for f in report.files} >= {"Connections.csv", "messages.csv"}
    assert not (tmp_path.parent.parent / "Connections.csv").exists()
