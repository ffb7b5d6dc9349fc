"""MiniLM through ONNX Runtime: the interactive paths' encoder, with no torch in the process.

The ONNX graph is made once per machine from the packaged weights by ``planner.adapters.
onnx_build``, a separate process (it imports torch), into the user cache folder
(``PLANNER_CACHE_DIR`` overrides it), in a folder keyed by the model files' checksum, the
precision, the export's version and ONNX Runtime's. The build optimises the graph for this CPU,
checks a fixed probe set against the torch path (cosine >= PROBE_MIN_COSINE) and writes a
manifest last: graph size and sha256, and the torch probe vectors. Every load checks the graph's
size and sha256 against its manifest; a missing, stale or corrupt file is rebuilt, never trusted. Nothing here touches the network.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from planner.adapters import packing

CACHE_ENV = "PLANNER_CACHE_DIR"
EXPORT_VERSION = 1  # bump when onnx_build's graph changes: old folders are then never read
PRECISIONS = ("fp32",)  # int8 scales activations per batch: a text's vector would depend on its neighbours
PROBE_MIN_COSINE = 0.9999
# Rows per forward pass: ONNX Runtime's memory arena keeps the largest pass's activations for the
# life of the session (12 heads x rows x width^2 floats and more): 64 rows kept ~200 MB more in
# the TUI after its background pass, 8 keep ~50 MB at ~the same documents per CPU-second
ROWS_PER_PASS = 8
GRAPH = "model.onnx"
MANIFEST = "manifest.json"
PROBES: tuple[tuple[str, int], ...] = (  # (text, word-piece limit): phrases, documents, a query
    ("incident response", 32),
    ("distributed tracing at scale", 32),
    ("a", 32),
    ("naïve café ☕ 日本語, e-mail", 32),
    (
        (
            "Our SRE team rebuilt its incident response process around observability: structured logs, "
            "distributed tracing and service level objectives. On-call engineers now triage alerts."
        ),
        128,
    ),
    ("Sourdough bread needs a lively starter, a long cold fermentation and a very hot oven. " * 12, 128),
    ("Engineering manager at a fintech; platform engineering, kubernetes, developer experience", 256),
)

_sessions: dict[str, Any] = {}
_lock = threading.Lock()


class GraphError(Exception):
    """The ONNX graph could not be built or verified."""


def cache_root() -> Path:
    configured = os.environ.get(CACHE_ENV)
    if configured:
        return Path(configured).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("planner", appauthor=False))


def model_checksum(model_dir: Path) -> str:
    """sha256 over the model folder's files (names and bytes). Memoised per file by size, mtime
    and inode, so a start-up reads 90 MB of weights only when they changed."""
    model_dir = Path(model_dir)
    memo_path = cache_root() / "checksums.json"
    try:
        memo = json.loads(memo_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        memo = {}
    total = hashlib.sha256()
    changed = False
    for path in sorted(p for p in model_dir.rglob("*") if p.is_file()):
        st = path.stat()
        stamp = f"{st.st_size}:{st.st_mtime_ns}:{st.st_ino}"
        entry = memo.get(str(path))
        if not isinstance(entry, list) or entry[0] != stamp:
            with path.open("rb") as f:
                entry = [stamp, hashlib.file_digest(f, "sha256").hexdigest()]
            memo[str(path)] = entry
            changed = True
        total.update(f"{path.relative_to(model_dir).as_posix()}\0{entry[1]}\n".encode())
    if changed:
        _write_atomic(memo_path, json.dumps(memo, indent=0).encode())
    return total.hexdigest()


def graph_folder(model_dir: Path, precision: str = "fp32") -> Path:
    """Where this model's graph lives: keyed by its files' checksum, the precision, the export's
    version and ONNX Runtime's (the saved graph is optimised by and for the installed runtime)."""
    key = (
        f"{Path(model_dir).name}-{model_checksum(model_dir)[:20]}-{precision}-v{EXPORT_VERSION}-ort{runtime_version()}"
    )
    return cache_root() / "onnx" / key


def runtime_version() -> str:
    from importlib.metadata import version

    return version("onnxruntime")


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def file_sha256(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


class OnnxEncoder:
    """L2-normalised MiniLM vectors through ONNX Runtime, packed like the torch path."""

    backend = "onnx"

    def __init__(self, model_dir: Path, precision: str = "fp32", *, build: bool = True) -> None:
        if precision not in PRECISIONS:
            raise GraphError(f"ONNX precision '{precision}' is not offered (expected one of: {', '.join(PRECISIONS)})")
        self.model_dir = Path(model_dir)
        self.precision = precision
        self.folder = graph_folder(self.model_dir, precision)
        config = json.loads((self.model_dir / "config.json").read_text(encoding="utf-8"))
        self.dimension = int(config["hidden_size"])
        self.tokenizer = packing.load_tokenizer(self.model_dir)
        self._session = self._verified_session(build)

    # -- loading and verification --------------------------------------------------------
    def _verified_session(self, build: bool) -> Any:
        key = str(self.folder)
        with _lock:
            if key in _sessions:
                return _sessions[key]
            problem = self._problem()
            if problem is not None:
                if not build:
                    raise GraphError(f"ONNX graph in {self.folder}: {problem}")
                build_graph(self.model_dir, self.folder, self.precision)
                problem = self._problem()
                if problem is not None:
                    raise GraphError(f"ONNX graph rebuilt in {self.folder} but still {problem}")
            _sessions[key] = self._session
            return self._session

    def _problem(self) -> str | None:
        """Why the cached graph can't be used (None: it can; self._session is then open). The
        probes were checked against torch when the graph was built, by this same runtime (its
        version is part of the folder's key); here the file must be exactly what was checked."""
        graph, manifest_path = self.folder / GRAPH, self.folder / MANIFEST
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return "missing"
        except (OSError, ValueError):
            return "has an unreadable manifest"
        try:
            if graph.stat().st_size != manifest["graph_bytes"]:
                return "has the wrong size (truncated or replaced)"
            if file_sha256(graph) != manifest["graph_sha256"]:
                return "does not match its checksum"
        except FileNotFoundError:
            return "missing"
        except (OSError, KeyError, TypeError, ValueError):
            return "has an unreadable manifest"
        try:
            self._session = open_session(graph)
        except Exception as exc:  # noqa: BLE001 - onnxruntime raises its own types for a bad graph
            return f"cannot be loaded ({type(exc).__name__}: {str(exc)[:200]})"
        return None

    # -- encoding ------------------------------------------------------------------------
    def token_ids(self, texts: Sequence[str], max_tokens: Sequence[int]) -> list[list[int]]:
        return packing.token_ids(self.tokenizer, texts, max_tokens)

    def encode(self, texts: Sequence[str], max_tokens: Sequence[int]) -> Any:
        return encode_with(self._session, self.tokenizer, self.dimension, texts, max_tokens)


def encode_with(session: Any, tokenizer: Any, dimension: int, texts: Sequence[str], max_tokens: Sequence[int]) -> Any:
    """L2-normalised float32 vectors (rows) of texts through an ONNX Runtime session."""
    import numpy as np

    vectors = np.zeros((len(texts), dimension), dtype=np.float32)
    if not texts:
        return vectors
    ids = packing.token_ids(tokenizer, texts, max_tokens)
    for one in packing.passes(ids, ROWS_PER_PASS):
        (hidden,) = session.run(
            None, {"input_ids": one.input_ids, "position_ids": one.positions, "segment": one.segment}
        )
        packing.pooled(hidden, one.spans, vectors)
    return packing.normalised(vectors)


def open_session(graph: Path, save_optimised: Path | None = None) -> Any:
    """A CPU session on graph. With save_optimised, ONNX Runtime optimises the graph and saves
    the result there (the build); otherwise the graph is taken as already optimised."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.log_severity_level = 3
    if save_optimised is not None:
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.optimized_model_filepath = str(save_optimised)
    else:
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_DISABLE_ALL
    return onnxruntime.InferenceSession(str(graph), options, providers=["CPUExecutionProvider"])


def build_graph(model_dir: Path, folder: Path, precision: str) -> None:
    """Export and verify the graph in a child process (the only place torch is imported for it);
    a lock file keeps two planner processes from building the same folder at once."""
    folder.mkdir(parents=True, exist_ok=True)
    with _build_lock(folder):
        if (folder / MANIFEST).exists() and not _stale(folder):
            return  # another process built it while we waited
        env = dict(
            os.environ,
            HF_HUB_OFFLINE="1",
            TRANSFORMERS_OFFLINE="1",
            HF_HUB_DISABLE_PROGRESS_BARS="1",
            TRANSFORMERS_VERBOSITY="error",
            PYTHONWARNINGS="ignore",
        )
        done = subprocess.run(
            [sys.executable, "-m", "planner.adapters.onnx_build", str(model_dir), str(folder), precision],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        if done.returncode != 0:
            last = (done.stderr.strip().splitlines() or ["no output"])[-1]
            raise GraphError(f"could not build the ONNX graph for {model_dir}: {last}")


def _stale(folder: Path) -> bool:
    """A manifest written before this process started waiting may describe a broken graph."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        return (folder / GRAPH).stat().st_size != manifest["graph_bytes"] or file_sha256(folder / GRAPH) != manifest[
            "graph_sha256"
        ]
    except (OSError, ValueError, KeyError, TypeError):
        return True


class _build_lock:
    def __init__(self, folder: Path) -> None:
        self.path = folder / ".build.lock"

    def __enter__(self) -> None:
        self.file = self.path.open("a+")
        try:
            import fcntl

            fcntl.flock(self.file, fcntl.LOCK_EX)
        except ImportError:  # pragma: no cover - Windows: no cross-process lock, builds are atomic anyway
            pass

    def __exit__(self, *exc: object) -> None:
        self.file.close()


def forget_sessions() -> None:
    """Drop the open sessions (tests that damage a graph file then load it again)."""
    with _lock:
        _sessions.clear()
