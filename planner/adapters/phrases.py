"""Candidate keyphrases without a POS model: pure Python, no heavy imports.

A candidate is a run of 1..max_words content words between delimiters. Delimiters are
punctuation, stop words (function words), common verbs/adverbs and numbers. On Inspec this
stop-word chunker keeps most gold noun phrases while producing far fewer candidates than
KeyBERT's every-n-gram CountVectorizer, which is what makes embedding them affordable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from planner.words import STOP_WORDS

_TOKEN = re.compile(r"[A-Za-z0-9]+(?:[-'’.+#&][A-Za-z0-9+#]+)*[+#]*")
_GAP_OK = re.compile(r"^[ \t]*$")  # only plain spaces keep two tokens in one phrase


@dataclass
class Candidate:
    """One normalised phrase with the cheap statistics used for pre-ranking."""

    phrase: str
    count: int = 0
    first_position: int = 0  # token index of the first occurrence (0 = first word of the text)
    words: int = 0
    surface: dict[str, int] = field(default_factory=dict)


def tokenize(text: str) -> list[tuple[str, bool]]:
    """Tokens with a flag telling whether a phrase may continue from the previous token."""
    tokens: list[tuple[str, bool]] = []
    end = 0
    for match in _TOKEN.finditer(text):
        gap = text[end : match.start()]
        tokens.append((match.group(0), bool(tokens) and bool(_GAP_OK.match(gap))))
        end = match.end()
    return tokens


MAX_WORD_CHARS = 64  # a longer "word" is a hash, a URL or a binary blob: never part of a phrase


def _is_delimiter(word: str) -> bool:
    lower = word.lower()
    if lower in STOP_WORDS or len(lower) < 2 or len(lower) > MAX_WORD_CHARS:
        return True
    if lower.replace(".", "").replace("-", "").isdigit():
        return True
    # -ly adverbs ("successfully", "recently") break phrases; a few -ly nouns/adjectives don't.
    return lower.endswith("ly") and len(lower) > 4 and lower not in _LY_KEEP


_LY_KEEP = frozenset(
    {
        "anomaly",
        "assembly",
        "family",
        "supply",
        "monopoly",
        "reply",
        "italy",
        "poly",
        "jelly",
        "rally",
        "fly",
        "butterfly",
        "ally",
        "bully",
    }
)


def _normalise(word: str) -> str:
    word = word.lower().replace("’", "'")
    word = word.removesuffix("'s")
    return word.strip("'.")


def candidates(text: str, max_words: int = 5) -> list[Candidate]:
    """Phrases of 1..max_words content words, in order of first appearance.

    Runs longer than max_words are cut into consecutive pieces, so a long compound still
    yields phrases rather than nothing.
    """
    found: dict[str, Candidate] = {}
    run: list[tuple[str, int]] = []

    def add(piece: list[tuple[str, int]]) -> None:
        phrase = " ".join(word for word, _ in piece)
        cand = found.get(phrase)
        if cand is None:
            cand = found[phrase] = Candidate(phrase, 0, piece[0][1], len(piece))
        cand.count += 1

    def flush() -> None:
        # Long runs are cut into consecutive pieces (measured: as good as suffixes or sliding
        # windows, and emitting every sub-phrase halves precision).
        for start in range(0, len(run), max_words):
            add(run[start : start + max_words])
        run.clear()

    for index, (word, joined) in enumerate(tokenize(text)):
        if not joined:
            flush()
        if _is_delimiter(word):
            flush()
            continue
        norm = _normalise(word)
        if norm:
            run.append((norm, index))
    flush()
    return list(found.values())
