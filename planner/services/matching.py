"""Which feed entries suit a person: embedding similarity plus shared terms."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

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


def _words(text: str) -> str:
    return " " + " ".join(_stem(re.findall(r"[a-z0-9+#]+", text.lower()))) + " "


_stemmer: Any = None


def _stem(words: list[str]) -> list[str]:
    global _stemmer
    if _stemmer is None:
        import snowballstemmer

        _stemmer = snowballstemmer.stemmer("porter")
    return _stemmer.stemWords(words)


def _vector(value: Any) -> Any:
    import numpy as np

    vector = (
        np.frombuffer(value, dtype=np.float32)
        if isinstance(value, bytes | bytearray)
        else np.asarray(value, dtype=np.float32).ravel()
    )
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm > 0 else vector


def match_entries(
    person_embedding: Any,
    person_terms: Sequence[str],
    entries: Sequence[EntryVector],
    top_k: int = 5,
    min_score: float = MIN_SCORE,
) -> list[Match]:
    """Best entries for a person, best first (ties keep input order).

    score = cosine(person, entry) + 0.1 per interest term among the entry's keywords (max 0.3);
    a term matches a keyword that contains it as whole words, plural or singular.
    """
    person = _vector(person_embedding)
    terms = [(t.strip(), _words(t)) for t in person_terms if t.strip()]
    scored = []
    for index, entry in enumerate(entries):
        vector = _vector(entry.embedding)
        cosine = float(person @ vector) if vector.shape == person.shape else 0.0
        keyword_text = [_words(k) for k in entry.keywords]
        shared = [name for name, stem in terms if any(stem in kw for kw in keyword_text)]
        score = cosine + min(MAX_BONUS, TERM_BONUS * len(shared))
        if score < min_score:
            continue
        reason = "matches: " + ", ".join(shared) if shared else "similar topic"
        scored.append((-round(score, 6), index, Match(entry.entry_id, round(score, 4), reason)))
    scored.sort(key=lambda item: item[:2])
    return [match for _, _, match in scored[:top_k]]
