"""Words for matching: the one home of the rules that compare words and names.

A leaf module like :mod:`planner.text` (stdlib only at import; the Porter stemmer is imported on
first use), so adapters, services and the feed-parsing workers share one copy of each rule: the
stop words, the stemmer, the content words of a text, and the keys that make two spellings of a
topic or a keyword one. Migration 0004 keeps its own frozen copy of `keyword_key`.
"""

from __future__ import annotations

import functools
import re
from typing import Any

__all__ = ["STOP_WORDS", "keyword_key", "stem", "stem_words", "stemmed_text", "tokens", "topic_key", "words"]

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

_TOKEN = re.compile(r"[a-z0-9+#]+")
_WORD = re.compile(r"[a-z0-9][a-z0-9+#.]*[a-z0-9+#]|[a-z0-9]")
_stemmer: Any = None


def tokens(text: str) -> list[str]:
    """The lower-cased runs of letters, digits, ``+`` and ``#``: ``"C++ and AIOps"`` -> ``["c++", "and", "aiops"]``."""
    return _TOKEN.findall(text.lower())


def stem_words(words: list[str]) -> list[str]:
    """Porter stems, one per word (the one stemmer every rule shares, built on first use)."""
    global _stemmer
    if _stemmer is None:
        import snowballstemmer

        _stemmer = snowballstemmer.stemmer("porter")
    return _stemmer.stemWords(words)


@functools.lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """One word's Porter stem: ``networks`` -> ``network``."""
    return str(stem_words([word])[0])


def stemmed_text(text: str) -> str:
    """The text as its stemmed tokens with a space on each side, so ``" network "`` in it finds
    the whole word (``"neural networks"`` -> ``" neural network "``)."""
    return " " + " ".join(stem_words(tokens(text))) + " "


@functools.lru_cache(maxsize=65536)
def keyword_key(keyword: str) -> str:
    """Merge key for near-duplicates: 'AI ops', 'AIOps' and 'ai-ops' agree; so do plurals.
    Stored with each keyword (Keyword.merge_key), so trends can group by it in SQL."""
    return "".join(stem_words(tokens(keyword)))


def topic_key(name: str) -> str:
    """A topic's name as two spellings of it compare: spaces collapsed, case folded (in Python:
    SQLite's lower() folds ASCII only, so "Économie" would never match "économie")."""
    return " ".join(name.split()).casefold()


def words(text: str, *, ignore: frozenset[str] = STOP_WORDS) -> set[str]:
    """Lower-case content words (words in ``ignore`` and 1-letter words dropped), light plural folding."""
    out = set()
    for w in _WORD.findall((text or "").lower()):
        if len(w) < 2 or w in ignore:
            continue
        if len(w) > 4 and w.endswith("s") and not w.endswith("ss"):
            w = w[:-1]
        out.add(w)
    return out
