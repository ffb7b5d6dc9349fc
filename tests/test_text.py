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
