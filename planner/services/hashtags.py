"""Hashtag suggestions for a post from its keywords, preferring what is trending."""

from __future__ import annotations

import re
from collections.abc import Iterable

from planner.words import STOP_WORDS

MAX_HASHTAGS = 5
MAX_WORDS = 3  # longer tags are unreadable


def _tag_words(phrase: str) -> list[str]:
    words = re.findall(r"[A-Za-z0-9]+", phrase.replace("'s", ""))
    return [w for w in words if not w.isdigit()]


def _camel(words: list[str], text: str) -> str:
    parts = []
    for word in words:
        # keep the author's acronyms ("SRE", "AWS") when the text spells them in capitals
        surface = re.search(rf"\b{re.escape(word)}\b", text, flags=re.IGNORECASE)
        original = surface.group(0) if surface else word
        if len(original) > 1 and original.isupper():
            parts.append(original)
        else:
            parts.append(word[:1].upper() + word[1:].lower())
    return "#" + "".join(parts)


def suggest_hashtags(
    text: str,
    keywords: list[tuple[str, float]],
    trending: Iterable[str] = (),
    limit: int = MAX_HASHTAGS,
) -> list[str]:
    """Up to ``limit`` (never more than 5) CamelCase hashtags: trending terms that the post
    mentions first, then the post's keywords best first. No duplicates, stop words or numbers.
    """
    limit = max(0, min(limit, MAX_HASHTAGS))
    lowered = " ".join(re.findall(r"[a-z0-9]+", text.lower()))
    ordered: list[str] = []
    for term in trending:
        words = re.findall(r"[a-z0-9]+", term.lower())
        if words and re.search(rf"\b{' '.join(words)}\b", lowered):
            ordered.append(term)
    ordered.extend(phrase for phrase, _score in keywords)

    tags: list[str] = []
    seen: set[str] = set()
    for phrase in ordered:
        if len(tags) >= limit:
            break
        words = _tag_words(phrase)
        if not words or len(words) > MAX_WORDS:
            continue
        if all(w.lower() in STOP_WORDS for w in words):
            continue
        tag = _camel(words, text)
        if tag.lower() in seen:
            continue
        seen.add(tag.lower())
        tags.append(tag)
    return tags
