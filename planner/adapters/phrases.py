"""Candidate keyphrases without a POS model: pure Python, no heavy imports.

A candidate is a run of 1..max_words content words between delimiters. Delimiters are
punctuation, stop words (function words), common verbs/adverbs and numbers. On Inspec this
stop-word chunker keeps most gold noun phrases while producing far fewer candidates than
KeyBERT's every-n-gram CountVectorizer, which is what makes embedding them affordable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Function words (close to sklearn's English list, which we must not import here) plus verbs,
# adverbs and vague nouns that are frequent in abstracts and feed posts but never make
# a useful keyword on their own or inside a phrase.
STOP_WORDS: frozenset[str] = frozenset(
    """
    a about above across after afterwards again against all almost alone along already also
    although always am among amongst amount an and another any anyhow anyone anything anyway
    anywhere are around as at back be became because become becomes becoming been before
    beforehand behind being below beside besides between beyond both but by can cannot could
    did do does doing done down due during each eg e.g either else elsewhere enough etc even
    ever every everyone everything everywhere except few first for former formerly from
    further furthermore get gets got had has have having he hence her here hereafter hereby
    herein hereupon hers herself him himself his how however i ie i.e if in indeed into is it
    its itself just last latter latterly least less many may me meanwhile might mine more
    moreover most mostly much must my myself namely neither never nevertheless next no nobody
    none noone nor not nothing now nowhere of off often on once one only onto or other others
    otherwise our ours ourselves out over own per perhaps please quite rather re same second
    several she should since so some somehow someone something sometime sometimes somewhere
    still such than that the their theirs them themselves then thence there thereafter thereby
    therefore therein thereupon these they third this those though three through throughout
    thru thus to together too toward towards two under unless until up upon us very via was
    we well were what whatever when whence whenever where whereafter whereas whereby wherein
    whereupon wherever whether which while whither who whoever whole whom whose why will with
    within without would yet you your yours yourself yourselves
    able according along allows allow allowed applied apply applies applying achieve achieved
    achieves based become called carried compared consider considered considering consists
    contain contains contained demonstrate demonstrated demonstrates described describes
    describe discussed discuss discusses develop developed develops employ employed enable
    enables enabled ensure examined existing explain explained find finds found gave give given
    gives giving help helps include included includes including introduce introduced
    introduces investigate investigated involves involved involving keep known lead leads led
    let like likely make makes made making need needed needs obtain obtained obtains occur
    occurs offer offers offered order paper paid present presented presents propose proposed
    proposes provide provided provides providing put reported require required requires
    result results resulting said say says see seen seem seems shown show shows showed showing
    studied take takes taken taking tell tells think thought told took try tried use used uses
    using usually want wants way ways went whilst work works worked
    also approach approaches article various new different many much particular certain
    possible important main good better best great high higher large larger small smaller
    simple general specific usual
    """.split()  # noqa: SIM905  (a word list reads better than 450 quoted strings)
)

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
