"""Word pieces and packed rows for MiniLM, shared by the ONNX Runtime and torch encoders.

Texts are packed several to a row (first-fit decreasing, rows of at least PACK_TOKENS): each
keeps its own [CLS] .. [SEP], position ids restart at 0 and a segment id per text lets the
graph build a block-diagonal attention mask, so every vector is what encoding the text alone
gives. Short phrases padded into batches are mostly kernel overhead; packed, they cost what
their word pieces cost. numpy and the Rust tokenizer only: no torch here.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PACK_TOKENS = 128  # word pieces per packed row at least (bench: 32-256 alike for phrases)
ROWS_PER_PASS = 64  # rows per forward pass: bounds the (rows x width x width) attention mask

_tokenizers: dict[str, Any] = {}
_lock = threading.Lock()


def load_tokenizer(model_dir: str | Path) -> Any:
    """The model's Rust tokenizer (tokenizer.json) without padding or truncation, once per folder."""
    from tokenizers import Tokenizer

    key = str(model_dir)
    with _lock:
        found = _tokenizers.get(key)
        if found is None:
            found = Tokenizer.from_file(str(Path(model_dir) / "tokenizer.json"))
            found.no_padding()
            found.no_truncation()
            _tokenizers[key] = found
        return found


def token_ids(tokenizer: Any, texts: Sequence[str], max_tokens: Sequence[int]) -> list[list[int]]:
    """[CLS] word pieces [SEP], cut to max_tokens: what the tokenizer's own truncation gives,
    from the Rust tokenizer directly. Texts are cut to max_tokens words first: every word is at
    least one word piece, so the cut never changes the result and long bodies tokenize fast."""
    heads = [" ".join(t.split()[:limit]) for t, limit in zip(texts, max_tokens, strict=True)]
    encoded = tokenizer.encode_batch(heads, add_special_tokens=False)
    cls, sep = tokenizer.token_to_id("[CLS]"), tokenizer.token_to_id("[SEP]")
    return [[cls, *e.ids[: limit - 2], sep] for e, limit in zip(encoded, max_tokens, strict=True)]


def pack(ids: list[list[int]], capacity: int) -> tuple[list[list[int]], list[int]]:
    """First-fit decreasing: indexes of ids per row, and each row's length."""
    rows: list[list[int]] = []
    fill: list[int] = []
    for i in sorted(range(len(ids)), key=lambda j: (-len(ids[j]), j)):
        n = len(ids[i])
        for r, used in enumerate(fill):
            if used + n <= capacity:
                rows[r].append(i)
                fill[r] += n
                break
        else:
            rows.append([i])
            fill.append(n)
    return rows, fill


@dataclass
class Pass:
    """One forward pass: int64 (rows x width) arrays and where each text sits in them."""

    input_ids: Any
    positions: Any
    segment: Any  # per slot: the text's index in its row; each padding slot a segment of its own
    spans: list[tuple[int, int, int, int]]  # (text, row, start, length)
    masked: bool  # False: every row is one text, unpadded (no mask needed)


def passes(ids: list[list[int]], rows_per_pass: int = ROWS_PER_PASS) -> Iterator[Pass]:
    import numpy as np

    rows, fill = pack(ids, max(PACK_TOKENS, max(len(x) for x in ids)))
    for first in range(0, len(rows), rows_per_pass):
        part = rows[first : first + rows_per_pass]
        width = max(fill[first : first + rows_per_pass])
        input_ids = np.zeros((len(part), width), dtype=np.int64)
        positions = np.zeros((len(part), width), dtype=np.int64)
        segment = np.empty((len(part), width), dtype=np.int64)
        spans: list[tuple[int, int, int, int]] = []
        for r, members in enumerate(part):
            at = 0
            for k, i in enumerate(members):
                n = len(ids[i])
                input_ids[r, at : at + n] = ids[i]
                positions[r, at : at + n] = np.arange(n)
                segment[r, at : at + n] = k
                spans.append((i, r, at, n))
                at += n
            segment[r, at:] = np.arange(width, 2 * width - at)
        masked = any(len(m) > 1 or fill[first + r] < width for r, m in enumerate(part))
        yield Pass(input_ids, positions, segment, spans, masked)


def pooled(hidden: Any, spans: list[tuple[int, int, int, int]], out: Any) -> None:
    """Mean pooling over each text's word pieces, into out's rows."""
    for i, r, at, n in spans:
        out[i] = hidden[r, at : at + n].mean(0)


def normalised(vectors: Any) -> Any:
    import numpy as np

    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)
