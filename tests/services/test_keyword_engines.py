"""The two keyword engines: planner's (default) and stock KeyBERT, on the same texts and stores."""

from __future__ import annotations

import json

import numpy as np
import pytest
from helpers import EXAMPLES, FIXED_NOW
from sqlmodel import select
from typer.testing import CliRunner

from planner.cli import app
from planner.errors import PlannerError
from planner.models import Entry
from planner.services import feeds as feed_service
from planner.services import keywords as kw

TEXTS = [
    (
        "Incident response at scale. Our SRE team rebuilt its incident response process around observability: "
        "structured logs, distributed tracing and service level objectives. Every incident ends with a blameless postmortem."
    ),
    "Sourdough bread needs a lively starter, a long cold fermentation and a very hot oven. Bakers score the loaf.",
    "",
]


def test_both_engines_produce_keywords_for_the_same_texts(settings):
    planner_engine = kw.make_extractor(settings, engine="planner")
    keybert_engine = kw.make_extractor(settings, engine="keybert")
    assert type(keybert_engine).__name__ == "KeyBERTExtractor"
    assert planner_engine.model_name == "all-MiniLM-L6-v2"
    assert keybert_engine.model_name == "keybert/all-MiniLM-L6-v2" == kw.engine_model_name(settings, "keybert")
    ours, theirs = planner_engine.extract(TEXTS, top_n=5), keybert_engine.extract(TEXTS, top_n=5)
    for results in (ours, theirs):
        assert [bool(r.keywords) for r in results] == [True, True, False]
        assert all(len(r.keywords) <= 5 and all(p == p.lower() for p, _ in r.keywords) for r in results)
        vectors = [np.frombuffer(r.embedding, dtype=np.float32) for r in results]
        assert abs(float(np.linalg.norm(vectors[0])) - 1) < 1e-4 and not vectors[2].any()
    assert "incident response" in [p for p, _ in ours[0].keywords]  # phrases
    assert all(" " not in p for r in theirs for p, _ in r.keywords)  # stock KeyBERT: unigrams
    assert "incident" in [p for p, _ in theirs[0].keywords]
    assert any("sourdough" in p for p, _ in theirs[1].keywords)
    # MMR is there on both: diversity changes what is picked, not how many
    diverse = keybert_engine.extract(TEXTS[:1], top_n=5, diversity=0.7)[0].keywords
    assert len(diverse) == 5 and diverse != theirs[0].keywords
    # both embed people for matching the same way: normalised vectors of one size
    assert keybert_engine.embed(["sre"]).shape == planner_engine.embed(["sre"]).shape == (1, 384)


def test_an_unknown_engine_is_one_clear_error(settings, tmp_path):
    with pytest.raises(PlannerError, match="--engine: expected one of planner, keybert"):
        kw.make_extractor(settings, engine="yake")
    from planner.config import load_settings

    config = tmp_path / "bad.toml"
    config.write_text('[keywords]\nengine = "yake"\n')
    with pytest.raises(PlannerError, match=r"bad.toml: \[keywords\] engine"):
        load_settings(db=settings.db_url, config=config)


def _models(store) -> set[str]:
    with store.session() as session:
        return {e.keywords_model for e in session.exec(select(Entry)).all()}


def test_keywords_extract_honours_the_engine_flag_and_config(settings, store):
    with store.transaction() as session:
        feed_service.add_feed(session, str(EXAMPLES / "feeds" / "platform-weekly.xml"), topic="Platform Engineering")
    feed_service.refresh(store, now=FIXED_NOW)
    runner = CliRunner()
    base = ["--db", settings.db_url, "keywords", "extract", "--json"]
    out = runner.invoke(app, [*base, "--engine", "keybert", "--limit", "3"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout)["model"] == "keybert/all-MiniLM-L6-v2"
    assert _models(store) == {"keybert/all-MiniLM-L6-v2", None}
    # the config's engine is the default; another engine's results count as pending
    settings.config_path.write_text('[keywords]\nengine = "keybert"\n')
    out = runner.invoke(app, base)
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout)["extracted"] == 12
    assert _models(store) == {"keybert/all-MiniLM-L6-v2"}
    out = runner.invoke(app, [*base, "--engine", "planner"])
    assert json.loads(out.stdout) | {"keywords": 0, "people": 0} == {
        "extracted": 15,
        "pending_before": 15,
        "keywords": 0,
        "model": "all-MiniLM-L6-v2",
        "people": 0,
    }
    assert _models(store) == {"all-MiniLM-L6-v2"}
    bad = runner.invoke(app, [*base, "--engine", "yake"])
    assert bad.exit_code == 1 and "expected one of planner, keybert" in bad.output
