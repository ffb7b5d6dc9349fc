"""The semantic half of the pitch lint: a logistic regression on MiniLM sentence vectors,
trained on the labelled messages shipped in planner/data/pitch_messages.jsonl.

The phrase rules in services.pitch explain themselves but only know the wordings they were
written for (recall 0.3-0.4 on messages written after them); this model generalises from the
labelled set (recall 0.65 at no false positive on the 40-message holdout in
tests/services/pitch_holdout.jsonl). It needs the keyword model (through ONNX Runtime: no torch),
so it is loaded lazily: `planner lint` (unless --fast) and the TUI editor's background check.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent.parent / "data"
EXAMPLES = DATA / "pitch_messages.jsonl"
CACHE_VERSION = 1  # bump when what the cache holds, or how _fit fits, changes
L2 = 1.0  # chosen by 5-fold cross-validation on the labelled set (0.1 and 1.0 tried)
SCALE = 10.0  # cosine-sized inputs scaled so that plain gradient descent converges
STEPS = 3000
LEARNING_RATE = 0.5

_lock = threading.Lock()
_trained: dict[str, Any] = {}


@dataclass(frozen=True)
class SemanticVerdict:
    probability: float  # that the text is a pitch
    nearest_pitch: str  # the labelled pitch it is most similar to, for the reason


def load_examples(path: Path = EXAMPLES) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


class SemanticPitchModel:
    def __init__(self, extractor: Any) -> None:
        """Trained once per process and model (the editor builds one per check). The labelled
        set's vectors and the fitted weights are cached beside the ONNX graph (same key, plus the
        labelled data's checksum), so a cold `planner lint` embeds one text, not the whole set."""
        import numpy as np

        self._extractor = extractor
        key = f"{extractor.model_name}/{extractor.backend}/{extractor.precision}"
        with _lock:
            if key not in _trained:
                rows = load_examples()
                texts = [r["text"] for r in rows]
                labels = np.array([1.0 if r["pitch"] else 0.0 for r in rows])
                cache = _cache_file(extractor)
                fitted = _read_cache(cache, len(rows), extractor.dimension) if cache else None
                if fitted is None:
                    vectors = extractor.embed(texts)
                    fitted = (vectors, *_fit(vectors, labels))
                    if cache is not None:
                        _write_cache(cache, *fitted)
                vectors, w, b = fitted
                pitches = labels == 1.0
                _trained[key] = (w, b, vectors[pitches], [t for t, p in zip(texts, pitches, strict=True) if p])
            self._w, self._b, self._pitch_vectors, self._pitch_texts = _trained[key]

    def judge(self, texts: list[str]) -> list[SemanticVerdict]:
        import numpy as np

        live = [" ".join((t or "").split()) for t in texts]
        vectors = self._extractor.embed([t or " " for t in live])
        logits = (vectors * SCALE) @ self._w + self._b
        probabilities = 1.0 / (1.0 + np.exp(-logits))
        nearest = (vectors @ self._pitch_vectors.T).argmax(axis=1)
        return [
            SemanticVerdict(round(float(p), 4) if t else 0.0, self._pitch_texts[int(n)] if t else "")
            for t, p, n in zip(live, probabilities, nearest, strict=True)
        ]


def data_checksum() -> str:
    """sha256 over planner/data/*.jsonl (names and bytes): the labelled set, whoever adds to it."""
    import hashlib

    total = hashlib.sha256()
    for path in sorted(DATA.glob("*.jsonl")):
        total.update(path.name.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return total.hexdigest()


def _cache_file(extractor: Any) -> Path | None:
    folder = getattr(extractor, "vector_cache_dir", None)
    return None if folder is None else Path(folder) / f"pitch-{data_checksum()[:20]}-v{CACHE_VERSION}.npz"


def _read_cache(path: Path, rows: int, dimension: int) -> tuple[Any, Any, float] | None:
    """The cached (vectors, w, b), or None when the file is missing, unreadable or not this set's."""
    import numpy as np

    try:
        with np.load(path, allow_pickle=False) as found:
            vectors, w, b = found["vectors"], found["w"], float(found["b"])
    except (OSError, KeyError, ValueError, EOFError):
        return None
    if vectors.shape != (rows, dimension) or w.shape != (dimension,) or not np.isfinite(w).all():
        return None
    return vectors.astype(np.float32), w, b


def _write_cache(path: Path, vectors: Any, w: Any, b: float) -> None:
    import os

    import numpy as np

    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp.npz")
    try:
        np.savez(tmp, vectors=vectors, w=w, b=np.float64(b))
        os.replace(tmp, path)
    except OSError:  # a read-only cache folder: the model still works, just not faster next time
        tmp.unlink(missing_ok=True)


def _fit(vectors: Any, labels: Any) -> tuple[Any, float]:
    """L2-regularised logistic regression by full-batch gradient descent: deterministic."""
    import numpy as np

    x = vectors.astype(np.float64) * SCALE
    w = np.zeros(x.shape[1])
    b = 0.0
    n = len(labels)
    for _ in range(STEPS):
        p = 1.0 / (1.0 + np.exp(-(x @ w + b)))
        w -= LEARNING_RATE * (x.T @ (p - labels) / n + L2 * w / n)
        b -= LEARNING_RATE * float((p - labels).mean())
    return w, b
