"""Person ↔ entry matching with real MiniLM embeddings (the model is loaded once per process)."""

from __future__ import annotations

import numpy as np
import pytest

from planner.services.matching import EntryVector, Match, match_entries

ENTRIES = {
    "bread": "Sourdough bread baking: starters, hydration and oven temperature.",
    "sre": "How we cut incident response time: observability, tracing and on-call runbooks.",
    "football": "Champions league preview: the group stage favourites and their strikers.",
    "tax": "New VAT rules for small businesses selling online across the EU.",
    "garden": "Growing tomatoes on a balcony: pots, soil and watering schedules.",
}


@pytest.fixture(scope="module")
def world():
    from planner.adapters.keywords import KeywordExtractor

    extractor = KeywordExtractor()
    results = extractor.extract(list(ENTRIES.values()))
    entries = [
        EntryVector(entry_id, result.embedding, [k for k, _ in result.keywords])
        for entry_id, result in zip(ENTRIES, results, strict=True)
    ]
    person = extractor.embed(["SRE lead, interested in observability and incident response"])[0]
    return person, entries


def test_obvious_entry_ranks_first_with_reason(world):
    person, entries = world
    matches = match_entries(person, ["observability", "incident response"], entries, min_score=0)
    assert matches[0].entry_id == "sre"
    assert matches[0].reason == "matches: observability, incident response"
    assert matches[0].score > matches[1].score + 0.2
    assert len(matches) == 5


def test_min_score_filters_unrelated_entries(world):
    person, entries = world
    matches = match_entries(person, [], entries)
    assert [m.entry_id for m in matches] == ["sre"]
    assert matches[0].reason == "similar topic"


def test_bonus_for_shared_terms_and_stable_ties():
    unit = np.array([1.0, 0.0], dtype=np.float32)
    entries = [
        EntryVector(1, unit.tobytes(), ["kubernetes"]),
        EntryVector(2, unit, ["incident responses", "observability platform"]),
        EntryVector(3, unit, []),
    ]
    matches = match_entries(unit, ["observability", "incident response"], entries, top_k=3)
    assert matches == [
        Match(2, 1.2, "matches: observability, incident response"),
        Match(1, 1.0, "similar topic"),
        Match(3, 1.0, "similar topic"),
    ]
    assert match_entries(unit, [], entries, top_k=1) == [Match(1, 1.0, "similar topic")]
