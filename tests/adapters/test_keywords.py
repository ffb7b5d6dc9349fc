"""Keyword extractor with the real packaged MiniLM model (loaded once per test process)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from planner.adapters.keywords import ExtractionResult, KeywordExtractor, KeywordModelError
from planner.adapters.phrases import candidates

ROOT = Path(__file__).resolve().parents[2]

INCIDENT_TEXT = (
    "Incident response at scale. Our SRE team rebuilt its incident response process around "
    "observability: structured logs, distributed tracing and service level objectives. "
    "On-call engineers now triage alerts with shared runbooks, and every incident ends with a "
    "blameless postmortem. Incident response time dropped by half within a quarter."
)
COOKING_TEXT = (
    "Sourdough bread needs a lively starter, a long cold fermentation and a very hot oven. "
    "Bakers score the loaf before baking so the crust opens evenly."
)


@pytest.fixture(scope="module")
def extractor() -> KeywordExtractor:
    return KeywordExtractor()


def test_model_name_is_stable(extractor):
    assert extractor.model_name == "all-MiniLM-L6-v2"


def test_relevant_phrase_in_top_five_and_results_deterministic(extractor):
    first = extractor.extract([INCIDENT_TEXT, COOKING_TEXT], top_n=10)
    again = KeywordExtractor().extract([INCIDENT_TEXT, COOKING_TEXT], top_n=10)
    assert first == again
    incident, cooking = first
    assert "incident response" in [k for k, _ in incident.keywords[:5]]
    assert any("sourdough" in k for k, _ in cooking.keywords[:5])
    scores = [s for _, s in incident.keywords]
    assert scores == sorted(scores, reverse=True)
    assert all(k == k.lower() and round(s, 4) == s for k, s in incident.keywords)
    assert len(incident.keywords) == len({k for k, _ in incident.keywords}) <= 10


def test_document_embedding_is_normalised_float32(extractor):
    (result,) = extractor.extract([INCIDENT_TEXT])
    vector = np.frombuffer(result.embedding, dtype=np.float32)
    assert vector.shape == (extractor.dimension,)
    assert abs(float(np.linalg.norm(vector)) - 1.0) < 1e-4
    query = extractor.embed(["incident response and observability", "bread baking"])
    assert query.dtype == np.float32 and query.shape == (2, extractor.dimension)
    assert float(query[0] @ vector) > float(query[1] @ vector)


def test_top_n_and_plural_duplicates(extractor):
    text = "Neural networks. A neural network learns; neural networks generalise. " * 3
    (result,) = extractor.extract([text], top_n=3)
    phrases = [k for k, _ in result.keywords]
    assert len(phrases) <= 3
    assert not {"neural network", "neural networks"} <= set(phrases)


def test_empty_and_whitespace_docs(extractor):
    results = extractor.extract(["", "   \n\t ", INCIDENT_TEXT])
    assert [r.keywords for r in results[:2]] == [[], []]
    assert results[2].keywords
    assert all(isinstance(r, ExtractionResult) for r in results)
    assert not np.frombuffer(results[0].embedding, dtype=np.float32).any()
    assert extractor.extract([]) == []


def test_progress_reports_every_batch(extractor):
    seen: list[tuple[int, int]] = []
    extractor.extract([COOKING_TEXT] * 3, progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (3, 3)


def test_phrase_cache_persists_across_instances(tmp_path):
    cache = tmp_path / "cache" / "phrases.sqlite"
    first = KeywordExtractor(cache_path=cache)
    cold = first.extract([INCIDENT_TEXT, COOKING_TEXT])
    assert first.phrases_embedded > 0
    second = KeywordExtractor(cache_path=cache)
    warm = second.extract([INCIDENT_TEXT, COOKING_TEXT])
    assert second.phrases_embedded == 0
    assert [r.keywords for r in warm] == [r.keywords for r in cold]


def test_bad_model_path_raises_clear_error(tmp_path):
    missing = tmp_path / "no-such-model"
    with pytest.raises(KeywordModelError, match="not found"):
        KeywordExtractor(model=str(missing))
    empty = tmp_path / "empty-model"
    empty.mkdir()
    with pytest.raises(KeywordModelError, match="Could not load keyword model"):
        KeywordExtractor(model=str(empty))


def test_candidates_split_on_stop_words_and_punctuation():
    found = [c.phrase for c in candidates("The safe ship control, in a collision situation.")]
    assert found == ["safe ship control", "collision situation"]


def test_import_does_not_load_heavy_modules():
    code = (
        "import sys, planner.adapters.keywords, planner.services.trends, "
        "planner.services.hashtags, planner.services.matching\n"
        "print(','.join(m for m in ('torch', 'keybert', 'sentence_transformers', 'sklearn')"
        " if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        check=False,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == ""


@pytest.mark.parametrize("backend", ["onnx", "torch"])
def test_packed_vectors_equal_sentence_transformers_encode(backend):
    """Packing phrases several to a row must not change any vector (fp32: no precision noise),
    on either engine."""
    ex = KeywordExtractor(precision="fp32", backend=backend)
    texts = ["incident response", "on-call engineers", "a", "distributed tracing at scale", INCIDENT_TEXT]
    limits = [32, 32, 32, 32, 128]
    ours = ex._encode(texts, limits)
    model = KeywordExtractor(precision="fp32", backend="torch")._encoder.model
    previous = model.max_seq_length
    try:
        model.max_seq_length = 32
        short = model.encode(texts[:4], normalize_embeddings=True, convert_to_numpy=True)
        model.max_seq_length = 128
        long = model.encode(texts[4:], normalize_embeddings=True, convert_to_numpy=True)
    finally:
        model.max_seq_length = previous
    reference = np.vstack([short, long])
    assert (ours * reference).sum(axis=1).min() > 0.9999


def test_token_ids_match_the_tokenizers_truncation(extractor):
    """The ONNX engine's tokenizer (tokenizer.json, Rust) cuts exactly as the model's own does."""
    tokenizer = KeywordExtractor(backend="torch", precision="fp32")._encoder.model.tokenizer
    texts = [INCIDENT_TEXT * 3, "naïve café ☕ 日本語, e-mail", "", "a\u00a0b\u2003c"]
    for limit in (8, 32, 128):
        expected = [
            [t for t in tokenizer(x, truncation=True, max_length=limit)["input_ids"] if t != tokenizer.pad_token_id]
            for x in texts
        ]
        assert extractor._token_ids(texts, [limit] * len(texts)) == expected


def test_precision_choice():
    from planner.adapters.keywords import resolve_precision

    assert resolve_precision("fp32") == "fp32"
    assert resolve_precision("auto") in {"fp32", "bf16"}
    with pytest.raises(KeywordModelError, match="precision"):
        resolve_precision("int4")
