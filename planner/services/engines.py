"""Which keyword engine runs where, and the factories that build it (no ORM, no torch here).

Interactive paths (`planner lint`, `keywords for`, the editor's pitch check, matching) embed
through ONNX Runtime (``make_embedder``); bulk extraction (`keywords extract`, the TUI's
background pass) through ``make_extractor``: planner's extractor on BULK_BACKEND, or stock
KeyBERT when the person chose it (`[keywords] engine = "keybert"`, `--engine keybert`).
"""

from __future__ import annotations

from pathlib import Path

from planner.errors import PlannerError

# The engine bulk extraction runs on (`keywords extract`, the TUI's background pass): ONNX
# Runtime fp32 gives more documents per CPU-second than torch fp32 and as many as torch bf16,
# whose vectors move with their batch neighbours (bench/keywords.py, docs/BENCHMARKS.md); and it
# keeps torch out of the TUI process.
BULK_BACKEND = "onnx"


def engine_name(settings, engine: str | None = None) -> str:
    from planner.config import KEYWORD_ENGINES

    chosen = (engine or settings.keyword_engine or "planner").strip().lower()
    if chosen not in KEYWORD_ENGINES:
        raise PlannerError(f"--engine: expected one of {', '.join(KEYWORD_ENGINES)}, got {chosen!r}")
    return chosen


def engine_model_name(settings, engine: str | None = None) -> str:
    """The name entries extracted with this engine and model are stored under."""
    from planner.adapters.keywords import KeywordModelError, _resolve

    try:
        name = _resolve(settings.keyword_model)[1]
    except KeywordModelError as exc:
        raise PlannerError(f"keyword model unavailable: {exc}") from exc
    return ("keybert/" + name) if engine_name(settings, engine) == "keybert" else name


def make_extractor(settings, store=None, engine: str | None = None):
    """The configured extractor, with its phrase cache beside the database (or in the data dir).
    engine: "planner" or "keybert" (default: the settings' [keywords] engine)."""
    from planner.adapters.keywords import KeywordExtractor, KeywordModelError

    cache_dir = store.sqlite_path.parent if store is not None and store.sqlite_path else settings.data_dir
    try:
        if engine_name(settings, engine) == "keybert":
            from planner.adapters.keybert_engine import KeyBERTExtractor

            return KeyBERTExtractor(model=settings.keyword_model)
        cache_dir.mkdir(parents=True, exist_ok=True)
        return KeywordExtractor(
            model=settings.keyword_model,
            cache_path=Path(cache_dir) / "planner-phrase-cache.sqlite",
            backend=BULK_BACKEND,
        )
    except KeywordModelError as exc:
        raise PlannerError(f"keyword model unavailable: {exc}") from exc


def make_embedder(settings):
    """The configured model for embedding ad-hoc text only (no phrase cache, nothing written):
    ONNX Runtime, so the interactive paths (lint, the editor's pitch check, matching) never load
    torch."""
    from planner.adapters.keywords import KeywordExtractor, KeywordModelError

    try:
        return KeywordExtractor(model=settings.keyword_model, backend="onnx")
    except KeywordModelError as exc:
        raise PlannerError(f"keyword model unavailable: {exc}") from exc
