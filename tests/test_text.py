from enum import Enum

from planner.text import count, label, plural


class Pillar(Enum):
    THOUGHT = "thought_leadership"


def test_label_reads_enums_and_keys():
    assert label(Pillar.THOUGHT) == "thought leadership"
    assert label("daily_touch_capacity") == "daily touch capacity"
    assert label(None) == ""


def test_plurals():
    assert count(1, "person") == "1 person"
    assert count(0, "person") == "0 people"
    assert count(3, "idea") == "3 ideas"
    assert count(2, "entry") == "2 entries"
    assert count(2, "touch") == "2 touches"
    assert plural(1, "idea") == "idea"


def test_one_cleaning_rule_strips_what_is_dangerous_and_keeps_emoji_sequences():
    from planner.text import clean_text, strip_controls

    hostile = "a\x1b[31mred\x1b[0m \x9b31mcsi8 \u202eevil\u202c \x07bell\r\nnext"
    assert strip_controls(hostile) == "ared csi8 evil bell\nnext"
    assert strip_controls("👩\u200d💻  two  spaces\tkept") == "👩\u200d💻  two  spaces\tkept"
    assert clean_text("  x  \n\n\n\ny ", single_line=False) == "x\n\ny"
    assert clean_text("word " * 10, max_len=12) == "word word…"


def test_exports_and_ingest_share_the_one_rule():
    from planner import text
    from planner.adapters import sanitize
    from planner.adapters.export import common

    assert sanitize.clean_text is text.clean_text
    assert common.strip_controls is text.strip_controls


def test_headings_for_form_labels_and_compound_nouns():
    from planner.text import heading

    assert heading("daily_touch_capacity") == "Daily touch capacity"
    assert heading("cadence.inner") == "Cadence · inner"
    assert count(1, "value-first touch") == "1 value-first touch"
    assert count(0, "value-first touch") == "0 value-first touches"


def test_count_ticks_are_whole_numbers():
    from planner.tui.widgets.review_charts import count_ticks

    assert count_ticks(2) == [0, 1, 2]
    assert count_ticks(0) == [0, 1]
    assert count_ticks(9) == [0, 3, 6, 9]
    assert all(isinstance(t, int) for t in count_ticks(1234)) and count_ticks(1234)[-1] >= 1234
    assert len(count_ticks(1234)) <= 5


def test_the_word_rules_live_once():
    from planner.adapters import phrases
    from planner.services import hashtags, suggestions, trends
    from planner.words import STOP_WORDS, keyword_key, stem, stemmed_text, words

    assert phrases.STOP_WORDS is hashtags.STOP_WORDS is STOP_WORDS
    assert trends.keyword_key is keyword_key
    assert suggestions.words is words
    assert keyword_key("AI ops") == keyword_key("AIOps") == keyword_key("ai-ops") == "aiop"
    assert stem("networks") == "network"
    assert stemmed_text("Neural Networks, C++") == " neural network c++ "
    assert words("The runbooks of incident teams") == {"runbook", "incident", "team"}
    assert words("senior staff", ignore=frozenset({"senior"})) == {"staff"}


def test_one_json_form():
    import json
    from dataclasses import dataclass
    from datetime import UTC, date, datetime, timedelta, timezone
    from decimal import Decimal
    from pathlib import Path

    from planner.jsonout import dumps, plain

    @dataclass
    class Row:
        at: datetime
        day: date
        kind: Pillar
        path: Path
        amount: Decimal
        pairs: list[tuple[date, int]]
        share: float = 1 / 3

    at = datetime(2026, 12, 2, 9, 30, tzinfo=timezone(timedelta(hours=1)))
    row = Row(at, date(2026, 12, 2), Pillar.THOUGHT, Path("/tmp/x.ics"), Decimal("0.10"), [(date(2026, 1, 1), 3)])
    assert plain(row) == {
        "at": "2026-12-02T09:30:00+01:00",
        "day": "2026-12-02",
        "kind": "thought_leadership",
        "path": "/tmp/x.ics",
        "amount": "0.10",
        "pairs": [["2026-01-01", 3]],
        "share": 1 / 3,
    }
    assert plain(row, digits=4, utc=True)["at"] == datetime(2026, 12, 2, 8, 30, tzinfo=UTC).isoformat()
    assert plain(row, digits=4)["share"] == 0.3333

    class Own(Row):
        def as_json(self) -> dict:  # a value's own form wins, and is not rounded
            return {"share": self.share}

    assert plain([Own(*[getattr(row, f) for f in ("at", "day", "kind", "path", "amount", "pairs")])], digits=2) == [
        {"share": 1 / 3}
    ]
    assert dumps({"é": [1, 2]}) == '{"é":[1,2]}'
    assert json.loads(dumps(row, indent=2))["kind"] == "thought_leadership"
