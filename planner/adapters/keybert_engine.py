"""Stock KeyBERT as a keyword engine (`[keywords] engine = "keybert"`, `--engine keybert`).

`KeyBERT(model=SentenceTransformer(<the packaged all-MiniLM-L6-v2>))` and its own
`extract_keywords` with its defaults (unigram CountVectorizer, English stop words), one document
at a time as KeyBERT's README does it, MMR when a diversity is asked for. The same interface as
planner's ``KeywordExtractor`` (``extract``, ``embed``, ``model_name``), so results are stored
the same way; the model name carries the engine ("keybert/all-MiniLM-L6-v2"), so switching
engines re-extracts the entries. It imports torch, sentence-transformers and keybert: never on
an interactive path unless the person chose it. bench/keywords.py compares the two.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from planner.adapters.keywords import ExtractionResult, _load_model, _resolve

ENGINE_PREFIX = "keybert/"


class KeyBERTExtractor:
    backend = "torch"
    precision = "fp32"

    def __init__(self, model: str | None = None) -> None:
        from keybert import KeyBERT

        target, name = _resolve(model)
        self.model_name = ENGINE_PREFIX + name
        self.sentence_model = _load_model(target, name)
        self.keybert = KeyBERT(model=self.sentence_model)
        getter = getattr(self.sentence_model, "get_embedding_dimension", None)
        self.dimension = int((getter or self.sentence_model.get_sentence_embedding_dimension)())
        self.docs_embedded = 0

    def _vectors(self, texts: Sequence[str]) -> Any:
        import numpy as np

        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        live = [i for i, t in enumerate(texts) if t]
        if live:
            encoded = self.sentence_model.encode(
                [texts[i] for i in live], normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
            )
            vectors[live] = encoded.astype(np.float32)
        return vectors

    def embed(self, texts: list[str]) -> Any:
        """L2-normalised float32 vectors of free text (sentence-transformers' encode, its own
        256-word-piece limit, as KeyBERT embeds)."""
        return self._vectors([" ".join((t or "").split()) for t in texts])

    def extract(
        self,
        docs: list[str],
        top_n: int = 10,
        progress: Callable[[int, int], None] | None = None,
        *,
        diversity: float = 0.0,
    ) -> list[ExtractionResult]:
        texts = [" ".join((doc or "").split()) for doc in docs]
        vectors = self._vectors(texts)
        results = []
        for i, text in enumerate(texts):
            keywords: list[tuple[str, float]] = []
            if text:
                found = self.keybert.extract_keywords(
                    text,
                    top_n=top_n,
                    use_mmr=diversity > 0,
                    diversity=diversity or 0.5,
                    doc_embeddings=vectors[i : i + 1],
                )
                keywords = [(phrase.lower(), round(float(score), 4)) for phrase, score in found]
                self.docs_embedded += 1
            results.append(ExtractionResult(keywords, vectors[i].tobytes()))
            if progress is not None:
                progress(i + 1, len(texts))
        return results
