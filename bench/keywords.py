"""Keyword extraction: vanilla KeyBERT vs planner.adapters.keywords, speed and Inspec quality.

    .venv/bin/python bench/keywords.py            # full run (500 Inspec docs, 60 speed docs)
    .venv/bin/python bench/keywords.py --limit 50 # quick

Speed documents: Inspec titles+abstracts concatenated in order and cut into 300-word documents
(real technical prose, so the n-gram vocabulary is realistic). Both systems use the same
all-MiniLM-L6-v2 instance, loaded before timing. "cold" = empty phrase cache (new SQLite
file); "warm" = a new extractor instance reading the cache file the cold run wrote.

Quality: Inspec validation split (title + abstract), gold = "uncontr" keyphrases. Predictions
and gold are lower-cased, split on non-alphanumerics, Porter-stemmed (nltk's PorterStemmer if
installed, else snowballstemmer's "porter"); exact match; duplicates after stemming dropped;
F1@k = harmonic mean of P = tp/|top-k| and R = tp/|gold|, averaged over documents.
Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSPEC = (
    next(
        (p for p in (ROOT.parent / "shared", ROOT.parent.parent / "shared") if (p / "data" / "inspec").exists()),
        ROOT.parent / "shared",
    )
    / "data"
    / "inspec"
    / "validation.jsonl"
)  # a worktree sits one level deeper than the main checkout
sys.path.insert(0, str(ROOT))

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")


def stemmer_and_name():
    try:
        from nltk.stem.porter import PorterStemmer

        return PorterStemmer().stem, "nltk PorterStemmer"
    except ImportError:
        import snowballstemmer

        porter = snowballstemmer.stemmer("porter")
        return porter.stemWord, "snowballstemmer porter"


STEM, STEMMER_NAME = stemmer_and_name()


def normalise(phrase: str) -> str:
    return " ".join(STEM(w) for w in re.findall(r"[a-z0-9]+", phrase.lower()))


def f1_at(predicted: list[str], gold: set[str], k: int) -> float:
    top: list[str] = []
    for phrase in predicted:
        norm = normalise(phrase)
        if norm and norm not in top:
            top.append(norm)
    top = top[:k]
    hits = len(set(top) & gold)
    if not hits:
        return 0.0
    precision, recall = hits / len(top), hits / len(gold)
    return 2 * precision * recall / (precision + recall)


def quality(predictions: list[list[str]], golds: list[set[str]]) -> tuple[float, float, float]:
    n = len(golds)
    return tuple(100 * sum(f1_at(p, g, k) for p, g in zip(predictions, golds, strict=True)) / n for k in (5, 10, 15))


def load_inspec(limit: int | None) -> tuple[list[str], list[set[str]]]:
    rows = [json.loads(line) for line in INSPEC.read_text(encoding="utf-8").splitlines() if line]
    rows = rows[:limit] if limit else rows
    docs = [f"{r['title']}. {r['abstract']}" for r in rows]
    golds = [{normalise(k) for k in r["uncontr"]} for r in rows]
    return docs, golds


def speed_docs(count: int, words_per_doc: int = 300) -> list[str]:
    rows = [json.loads(line) for line in INSPEC.read_text(encoding="utf-8").splitlines() if line]
    words = " ".join(f"{r['title']}. {r['abstract']}" for r in rows).split()
    needed = count * words_per_doc
    if needed > len(words):
        raise SystemExit(f"only {len(words) // words_per_doc} speed documents available")
    return [" ".join(words[i : i + words_per_doc]) for i in range(0, needed, words_per_doc)]


def timed(fn):
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="Inspec docs for quality")
    parser.add_argument("--speed-docs", type=int, default=None, help="300-word docs timed")
    parser.add_argument("--skip-quality", action="store_true")
    parser.add_argument(
        "--baseline-limit",
        type=int,
        default=None,
        help="Inspec docs for the two KeyBERT rows of the quality table (they take ~2 s a doc)",
    )
    args = parser.parse_args()
    if not INSPEC.exists():
        raise SystemExit(f"missing {INSPEC} (shared data)")
    n_speed = args.speed_docs or (min(args.limit, 60) if args.limit else 60)

    from keybert import KeyBERT

    from planner.adapters.keybert_engine import KeyBERTExtractor
    from planner.adapters.keywords import KeywordExtractor, resolve_precision

    torch_probe = KeywordExtractor(backend="torch", precision="fp32")  # loads the packaged model once
    st_model = torch_probe._encoder.model
    vanilla = KeyBERT(model=st_model)
    engine = KeyBERTExtractor()  # planner's `--engine keybert`: the same stock KeyBERT, stored our way
    onnx_probe = KeywordExtractor(backend="onnx")  # opens (or builds) the ONNX graph once
    for warm_up in (torch_probe, onnx_probe, KeywordExtractor(backend="torch", precision="bf16")):
        warm_up.extract(["warm up the model and its kernels once"])
    vanilla.extract_keywords("warm up the model and its kernels once", top_n=10)

    docs300 = speed_docs(n_speed)
    # The systems run interleaved, chunk by chunk, so that load from other processes on a
    # shared machine falls on all of them alike; CPU seconds (process time, all threads) are
    # reported beside wall time because they barely move with load.
    bf16_native = resolve_precision("auto") == "bf16"
    systems = ["vanilla", "engine", "torch_fp32", "torch_bf16", "cold", "warm"]
    wall = dict.fromkeys(systems, 0.0)
    cpu = dict(wall)
    embedded = {"torch_fp32": 0, "torch_bf16": 0, "cold": 0, "warm": 0}
    outputs: dict[str, list] = {name: [] for name in systems}
    chunk = 10
    with tempfile.TemporaryDirectory() as tmp:
        for start in range(0, n_speed, chunk):
            part = docs300[start : start + chunk]
            cache = Path(tmp) / f"phrases-{start}.sqlite"
            fp32 = KeywordExtractor(cache_path=Path(tmp) / f"fp32-{start}.sqlite", backend="torch", precision="fp32")
            bf16 = KeywordExtractor(cache_path=Path(tmp) / f"bf16-{start}.sqlite", backend="torch", precision="bf16")
            cold = KeywordExtractor(cache_path=cache, backend="onnx")
            warm: list = []

            def warm_run(warm=warm, cache=cache, part=part):
                warm.append(KeywordExtractor(cache_path=cache, backend="onnx"))
                return warm[-1].extract(part, top_n=10)

            for name, run in (
                ("vanilla", lambda part=part: [vanilla.extract_keywords(d, top_n=10) for d in part]),
                ("engine", lambda part=part: engine.extract(part, top_n=10)),
                ("torch_fp32", lambda fp32=fp32, part=part: fp32.extract(part, top_n=10)),
                ("torch_bf16", lambda bf16=bf16, part=part: bf16.extract(part, top_n=10)),
                ("cold", lambda cold=cold, part=part: cold.extract(part, top_n=10)),
                ("warm", warm_run),
            ):
                c0, w0 = time.process_time(), time.perf_counter()
                out = run()
                wall[name] += time.perf_counter() - w0
                cpu[name] += time.process_time() - c0
                outputs[name].extend(out)
            embedded["torch_fp32"] += fp32.phrases_embedded
            embedded["torch_bf16"] += bf16.phrases_embedded
            embedded["cold"] += cold.phrases_embedded
            embedded["warm"] += warm[-1].phrases_embedded

    def same(a: str, b: str) -> str:
        """Documents whose top 10 (phrases, in order) are identical between two systems."""
        kw = lambda r: [p for p, _ in (r.keywords if hasattr(r, "keywords") else r)]  # noqa: E731
        n = sum(kw(x) == kw(y) for x, y in zip(outputs[a], outputs[b], strict=True))
        return f"{n}/{len(outputs[a])}"

    print(
        f"\nSpeed: {n_speed} docs of 300 words (Inspec abstracts concatenated), top_n=10, "
        f"{os.cpu_count()} CPUs, systems interleaved in chunks of {chunk}; native bf16 here: "
        f"{bf16_native}; load average now {os.getloadavg()[0]:.1f}\n"
    )
    print(
        "| system | docs/s (wall) | × vanilla (wall) | CPU s/doc | × vanilla (CPU) | phrases embedded | same top 10 as torch fp32 |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for label, key in (
        ("vanilla KeyBERT (per doc, unigram CountVectorizer, fp32)", "vanilla"),
        ("`--engine keybert` (stock KeyBERT, stored our way)", "engine"),
        ("ours, torch fp32, cold phrase cache", "torch_fp32"),
        ("ours, torch bf16 autocast, cold phrase cache", "torch_bf16"),
        ("**ours, ONNX Runtime fp32 (shipped), cold phrase cache**", "cold"),
        ("ours, ONNX Runtime fp32 (shipped), warm phrase cache (file)", "warm"),
    ):
        rate = n_speed / wall[key]
        agree = same(key, "torch_fp32") if key not in ("vanilla", "engine") else same(key, "vanilla")
        print(
            f"| {label} | {rate:.2f} | {wall['vanilla'] / wall[key]:.1f} | {cpu[key] / n_speed:.3f} | "
            f"{cpu['vanilla'] / cpu[key]:.1f} | {embedded.get(key, 'n/a')} | {agree}{' (vs vanilla)' if key in ('vanilla', 'engine') else ''} |"
        )

    if args.skip_quality:
        return
    docs, golds = load_inspec(args.limit)
    few = args.baseline_limit or len(docs)
    vanilla_pred, t_vq = timed(lambda: [[k for k, _ in vanilla.extract_keywords(d, top_n=15)] for d in docs[:few]])
    shipped = KeywordExtractor(backend="onnx")
    ours_res, t_oq = timed(lambda: shipped.extract(docs, top_n=10))
    ours_pred = [[k for k, _ in r.keywords] for r in ours_res]
    # top_n sets how many candidates are kept (2 x top_n, at least 20): F1@15 comes from a
    # top_n=15 run, F1@5/@10 from the top_n=10 run an extraction does
    ours15 = [[k for k, _ in r.keywords] for r in shipped.extract(docs, top_n=15)]
    fp32_pred = [
        [k for k, _ in r.keywords] for r in KeywordExtractor(backend="torch", precision="fp32").extract(docs, top_n=10)
    ]
    bf16_pred = [
        [k for k, _ in r.keywords] for r in KeywordExtractor(backend="torch", precision="bf16").extract(docs, top_n=10)
    ]
    mmr_pred = [[k for k, _ in r.keywords] for r in shipped.extract(docs, top_n=10, diversity=0.3)]
    engine_pred = [[k for k, _ in r.keywords] for r in engine.extract(docs[:few], top_n=15)]
    identical = sum(a[:10] == b[:10] for a, b in zip(ours_pred, fp32_pred, strict=True))
    print(
        f"\nQuality: Inspec validation, {len(docs)} docs, stemmer: {STEMMER_NAME}; ONNX top 10 identical "
        f"to torch fp32's on {identical}/{len(docs)} documents\n"
    )
    print("| system | F1@5 | F1@10 | F1@15 | docs/s (abstracts) |")
    print("|---|---:|---:|---:|---:|")
    print(f"| ours, ONNX Runtime fp32, top_n=15 run (F1@15) | – | – | {quality(ours15, golds)[2]:.1f} | – |")
    for label, pred, seconds in (
        (f"vanilla KeyBERT (first {few} docs)", vanilla_pred, t_vq),
        (f"`--engine keybert` (first {few} docs)", engine_pred, None),
        ("**ours, ONNX Runtime fp32 (shipped)**", ours_pred, t_oq),
        ("ours, torch fp32", fp32_pred, None),
        ("ours, torch bf16", bf16_pred, None),
        ("ours + MMR diversity 0.3", mmr_pred, None),
    ):
        f5, f10, f15 = quality(pred, golds[: len(pred)])
        rate = f"{len(pred) / seconds:.2f}" if seconds else "–"
        print(f"| {label} | {f5:.1f} | {f10:.1f} | {f15:.1f} | {rate} |")


if __name__ == "__main__":
    main()
