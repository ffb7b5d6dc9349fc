"""The pitch audit: who was pitched before being given anything, first messages, reply rates."""

from __future__ import annotations

import json

import archive_fixture as fx
from helpers import FIXED_NOW, run_planner

from planner.services.audit import pitch_audit
from planner.services.linkedin_archive import import_archive


def test_audit_with_the_real_pitch_model(store, tmp_path, extractor):
    from planner.adapters.pitch_model import SemanticPitchModel

    judge = SemanticPitchModel(extractor).judge
    import_archive(store, fx.write_zip(tmp_path / "archive.zip"), now=FIXED_NOW, judge=judge)
    audit = store.call(pitch_audit)
    rows = [(p.name, p.channel, p.days_after_connecting) for p in audit.early_pitches]
    # Sam: the invitation note pitched; Priya: a demo pitch the day after connecting. Tom and Ana
    # were given something first; the group introduction is not a pitch
    assert rows == [("Sam Reed", "invitation", 0), ("Priya Shah", "message", 1)]
    sam, priya = audit.early_pitches
    assert any("sales line" in r for r in sam.reasons) and sam.text == fx.INVITE_PITCH
    assert any("demo" in r for r in priya.reasons)
    assert any("reads like a sales message" in r for r in priya.reasons), "the semantic model's verdict is a reason too"
    # first messages: Priya's pitch, Tom's and Ana's value-first shares
    assert (audit.first_messages, audit.value_first_first, audit.value_first_share) == (3, 2, 0.667)
    # replies in the same thread afterwards: Ana replied to a value-first first message, Tom did not
    # (his only reply has a bad date and was skipped); Priya answered the pitch
    assert (audit.value_first_replies.sent, audit.value_first_replies.replied, audit.value_first_replies.rate) == (
        2,
        1,
        0.5,
    )
    assert (audit.pitch_replies.sent, audit.pitch_replies.replied, audit.pitch_replies.rate) == (1, 1, 1.0)
    # give:ask over the real history: Tom 3 gives, Ana 1, Priya 1 (the intro), Sam 1 (recommendation); 1 ask
    assert (audit.gives, audit.asks) == (6, 1)


def test_a_pitch_after_a_give_or_after_the_window_is_not_early(store, tmp_path):
    late = fx.MESSAGES.replace("2026-08-02 10:00:00 UTC", "2026-10-02 10:00:00 UTC")  # 62 days after connecting
    files = dict(
        fx.FILES,
        **{"messages.csv": late, "Invitations.csv": fx.INVITATIONS.replace(fx.INVITE_PITCH, "Enjoyed your talk")},
    )
    import_archive(store, fx.write_zip(tmp_path / "a.zip", files), now=FIXED_NOW)
    assert store.call(pitch_audit).early_pitches == []


def test_audit_cli_json(store, settings, tmp_path):
    env = {"PLANNER_DB": settings.db_url}
    assert (
        run_planner("import", "linkedin-archive", str(fx.write_zip(tmp_path / "a.zip")), "--fast", env=env).returncode
        == 0
    )
    out = run_planner("audit", "--json", env=env)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert [(r["name"], r["channel"], r["days_after_connecting"]) for r in data["early_pitches"]] == [
        ("Sam Reed", "invitation", 0),
        ("Priya Shah", "message", 1),
    ]
    assert set(data["early_pitches"][0]) >= {"name", "days_after_connecting", "channel", "reasons", "at"}
    assert data["reply_rates"]["value_first"] == {"sent": 2, "replied": 1, "rate": 0.5}
    text = run_planner("audit", env=env)
    assert text.returncode == 0 and "First messages: 2 of 3 value-first (67%)" in text.stdout
