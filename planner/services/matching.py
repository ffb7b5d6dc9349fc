"""Which feed entries suit a person: embedding similarity plus shared terms."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from planner.words import stemmed_text

TERM_BONUS = 0.1  # per interest term found in the entry's keywords
MAX_BONUS = 0.3
MIN_SCORE = 0.3  # below this MiniLM cosine, texts are rarely about the same thing


@dataclass(frozen=True)
class EntryVector:
    entry_id: Any
    embedding: Any  # numpy float32 vector, or its bytes as stored
    keywords: Sequence[str]


@dataclass(frozen=True)
class Match:
    entry_id: Any
    score: float
    reason: str  # "matches: observability, incident response" or "similar topic"


def tag_term(tag: str) -> str:
    """A tag as an interest term: "incident-response" and "incident_response" read as words."""
    return tag.replace("-", " ").replace("_", " ")


def _vector(value: Any) -> Any:
    import numpy as np

    vector = (
        np.frombuffer(value, dtype=np.float32)
        if isinstance(value, bytes | bytearray)
        else np.asarray(value, dtype=np.float32).ravel()
    )
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm > 0 else vector


def score_entries(
    people: Sequence[tuple[Any, Sequence[str]]], entries: Sequence[EntryVector]
) -> tuple[Any, Callable[[int, int], list[str]]]:
    """The match score of every (person, entry) pair, as a people x entries array, and a
    function giving the interest terms person i shares with entry j.

    score = cosine(person, entry) + 0.1 per interest term found among the entry's keywords
    (max 0.3); a term matches a keyword that contains it as whole words, plural or singular.
    An entry whose vector has another dimension (another model) scores by its terms only.
    """
    import numpy as np

    if not people or not entries:
        return np.zeros((len(people), len(entries)), dtype=np.float32), lambda i, j: []
    persons = [_vector(vector) for vector, _ in people]
    dim = max(len(v) for v in persons)
    persons_m = np.stack([v if len(v) == dim else np.zeros(dim, np.float32) for v in persons])
    entry_vs = [_vector(e.embedding) for e in entries]
    entries_m = np.stack([v if len(v) == dim else np.zeros(dim, np.float32) for v in entry_vs])
    cosine = persons_m @ entries_m.T

    names = sorted({t.strip() for _, terms in people for t in terms if t.strip()})
    column = {name: u for u, name in enumerate(names)}
    keyword_text = [[stemmed_text(k) for k in e.keywords] for e in entries]
    found = np.zeros((len(names), len(entries)), dtype=np.float32)
    for u, name in enumerate(names):
        stem = stemmed_text(name)
        found[u] = [any(stem in kw for kw in kws) for kws in keyword_text]
    owned = np.zeros((len(people), len(names)), dtype=np.float32)
    for i, (_, terms) in enumerate(people):
        for t in terms:
            if t.strip():
                owned[i, column[t.strip()]] = 1.0
    bonus = np.minimum(MAX_BONUS, TERM_BONUS * (owned @ found)) if names else 0.0

    def shared(i: int, j: int) -> list[str]:
        seen: list[str] = []
        for t in people[i][1]:
            name = t.strip()
            if name and found[column[name], j] and name not in seen:
                seen.append(name)
        return seen

    return cosine + bonus, shared


def match_entries(
    person_embedding: Any,
    person_terms: Sequence[str],
    entries: Sequence[EntryVector],
    top_k: int = 5,
    min_score: float = MIN_SCORE,
) -> list[Match]:
    """Best entries for a person, best first (ties keep input order); see score_entries."""
    scores, shared = score_entries([(person_embedding, person_terms)], entries)
    scored = []
    for index, entry in enumerate(entries):
        score = float(scores[0, index])
        if score < min_score:
            continue
        terms = shared(0, index)
        reason = "matches: " + ", ".join(terms) if terms else "similar topic"
        scored.append((-round(score, 6), index, Match(entry.entry_id, round(score, 4), reason)))
    scored.sort(key=lambda item: item[:2])
    return [match for _, _, match in scored[:top_k]]
