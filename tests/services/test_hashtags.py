from __future__ import annotations

from planner.services.hashtags import suggest_hashtags

TEXT = "How our SRE team cut incident response time with observability, CI/CD and 2026 runbooks."


def test_camel_case_from_keywords_keeps_acronyms():
    keywords = [("incident response", 0.7), ("sre team", 0.6), ("observability", 0.5)]
    assert suggest_hashtags(TEXT, keywords) == ["#IncidentResponse", "#SRETeam", "#Observability"]


def test_trending_terms_in_the_text_come_first_and_others_are_ignored():
    keywords = [("incident response", 0.7), ("observability", 0.5)]
    tags = suggest_hashtags(TEXT, keywords, trending=["observability", "quantum computing"])
    assert tags == ["#Observability", "#IncidentResponse"]


def test_no_duplicates_stop_words_digits_or_punctuation_and_at_most_five():
    keywords = [
        ("incident response", 0.9),
        ("Incident-Response", 0.8),
        ("the", 0.7),
        ("2026", 0.6),
        ("2026 runbooks", 0.5),
        ("ci/cd.", 0.4),
        ("on-call", 0.3),
        ("postmortems", 0.2),
        ("tracing", 0.15),
        ("alerts", 0.1),
    ]
    tags = suggest_hashtags(TEXT, keywords, limit=9)
    assert tags == ["#IncidentResponse", "#Runbooks", "#CICD", "#OnCall", "#Postmortems"]
    assert suggest_hashtags(TEXT, keywords, limit=2) == ["#IncidentResponse", "#Runbooks"]
    assert suggest_hashtags(TEXT, []) == []
