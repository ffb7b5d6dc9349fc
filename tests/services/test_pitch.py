"""The draft lint on a labelled set: precision and recall, and plain helpful messages pass.

tests/services/pitch_messages.jsonl: 150 short messages, half pitches, half value-first.
"dev" rows were used while writing the rules; "holdout" rows were written after the rules were
frozen and measured once. The floors below are the figures measured, so a regression fails.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from planner.services.pitch import CONNECTION_NOTE_LIMIT, pitch_score

MESSAGES = [json.loads(line) for line in (Path(__file__).parent / "pitch_messages.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()]


def _measure(rows):
    tp = sum(1 for r in rows if r["pitch"] and pitch_score(r["text"]).pitch)
    fp = sum(1 for r in rows if not r["pitch"] and pitch_score(r["text"]).pitch)
    fn = sum(1 for r in rows if r["pitch"] and not pitch_score(r["text"]).pitch)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return precision, recall, tp, fp, fn


def test_labelled_set_shape():
    assert len(MESSAGES) >= 80
    pitches = sum(r["pitch"] for r in MESSAGES)
    assert pitches == len(MESSAGES) - pitches  # half and half
    assert len({r["text"] for r in MESSAGES}) == len(MESSAGES)


@pytest.mark.parametrize("split, min_precision, min_recall", [
    ("dev", 0.97, 0.95),  # measured 1.00 / 0.97
    ("holdout", 0.9, 0.3),  # measured 1.00 / 0.30: phrase rules miss pitches worded in new ways
    ("all", 0.97, 0.85),  # measured 1.00 / 0.88
])
def test_precision_and_recall(split, min_precision, min_recall, capsys):
    rows = MESSAGES if split == "all" else [r for r in MESSAGES if r["split"] == split]
    precision, recall, tp, fp, fn = _measure(rows)
    with capsys.disabled():
        print(f"\npitch lint [{split}, n={len(rows)}]: precision {precision:.2f} recall {recall:.2f} (tp {tp}, fp {fp}, fn {fn})")
    assert precision >= min_precision
    assert recall >= min_recall


def test_no_plain_helpful_message_is_flagged():
    plain = [r["text"] for r in MESSAGES if not r["pitch"] and r.get("plain")]
    assert len(plain) >= 40
    flagged = [t for t in plain if pitch_score(t).pitch]
    assert flagged == []


def test_reasons_name_the_phrases():
    result = pitch_score("Thanks for connecting! Can we book a demo of our platform? Pricing starts at $49/user.")
    assert result.pitch and result.score >= 0.9
    joined = " ".join(result.reasons)
    assert "book a demo" in joined and "our platform" in joined and "Pricing" in joined


def test_mild_single_signal_is_not_a_pitch_and_empty_is_zero():
    assert not pitch_score("Happy to jump on a call if it helps you debug the cluster issue.").pitch
    assert pitch_score("") .score == 0.0
    assert pitch_score("   \n ").reasons == []
    assert 0.0 <= pitch_score("Our solution! Book a demo! Limited offer! Sign up now!").score <= 1.0


def test_all_about_the_sender():
    text = "I built my company and we grew our team and I wrote my book and we ship our code."
    result = pitch_score(text)
    assert any("all about the sender" in r for r in result.reasons)


def test_connection_note_limit_is_linkedins():
    assert CONNECTION_NOTE_LIMIT == 300
