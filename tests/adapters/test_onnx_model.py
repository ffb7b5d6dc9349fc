"""The ONNX graph: equal to the torch path on a probe set, never trusted when damaged or stale."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from planner.adapters import onnx_model
from planner.adapters.keywords import KeywordExtractor, _packaged_model_path

TEXTS = [
    "incident response",
    "on-call engineers",
    "Kubernetes cost allocation per namespace",
    "Sourdough bread needs a lively starter, a long cold fermentation and a very hot oven.",
    "Engineering manager at a fintech. Platform engineering, developer experience. kubernetes, sre",
]


def test_onnx_and_torch_vectors_agree_on_the_probes_and_other_texts():
    onnx = KeywordExtractor(backend="onnx")
    torch = KeywordExtractor(backend="torch", precision="fp32")
    assert onnx.backend == "onnx" and torch.backend == "torch"
    probes = [t for t, _ in onnx_model.PROBES], [n for _, n in onnx_model.PROBES]
    for texts, limits in (probes, (TEXTS, [32, 32, 32, 128, 256])):
        cosine = (onnx._encode(texts, limits) * torch._encode(texts, limits)).sum(axis=1)
        assert cosine.min() >= onnx_model.PROBE_MIN_COSINE
    manifest = json.loads((onnx.vector_cache_dir / onnx_model.MANIFEST).read_text())
    assert manifest["probe_min_cosine"] >= onnx_model.PROBE_MIN_COSINE
    stored = np.asarray(manifest["probe_vectors"], dtype=np.float32)
    assert (stored * torch._encode(*probes)).sum(axis=1).min() >= 0.99999  # the torch path's own vectors


def test_a_graph_in_another_cache_folder_is_keyed_by_the_model_checksum(tmp_path, monkeypatch):
    model_dir = _packaged_model_path()
    folder = onnx_model.graph_folder(model_dir)
    assert onnx_model.model_checksum(model_dir)[:20] in folder.name and "fp32" in folder.name
    monkeypatch.setenv(onnx_model.CACHE_ENV, str(tmp_path))
    assert onnx_model.graph_folder(model_dir).parent == tmp_path / "onnx"
    assert onnx_model.graph_folder(model_dir).name == folder.name


def _private_copy(tmp_path, monkeypatch):
    """The session's verified graph copied into a cache folder of this test's own."""
    model_dir = _packaged_model_path()
    source = KeywordExtractor(backend="onnx").vector_cache_dir
    monkeypatch.setenv(onnx_model.CACHE_ENV, str(tmp_path / "cache"))
    folder = onnx_model.graph_folder(model_dir)
    folder.mkdir(parents=True)
    for name in (onnx_model.GRAPH, onnx_model.MANIFEST):
        shutil.copyfile(source / name, folder / name)
    onnx_model.forget_sessions()
    return model_dir, folder


def test_a_corrupt_or_missing_graph_is_refused(tmp_path, monkeypatch):
    model_dir, folder = _private_copy(tmp_path, monkeypatch)
    try:
        assert onnx_model.OnnxEncoder(model_dir, build=False).folder == folder  # the copy is sound
        onnx_model.forget_sessions()
        graph = folder / onnx_model.GRAPH
        data = bytearray(graph.read_bytes())
        data[len(data) // 2] ^= 0xFF  # same size, one weight byte flipped
        graph.write_bytes(bytes(data))
        with pytest.raises(onnx_model.GraphError, match="checksum"):
            onnx_model.OnnxEncoder(model_dir, build=False)
        (folder / onnx_model.MANIFEST).write_text("{not json")
        with pytest.raises(onnx_model.GraphError, match="manifest"):
            onnx_model.OnnxEncoder(model_dir, build=False)
        (folder / onnx_model.MANIFEST).unlink()
        with pytest.raises(onnx_model.GraphError, match="missing"):
            onnx_model.OnnxEncoder(model_dir, build=False)
    finally:
        onnx_model.forget_sessions()


@pytest.mark.slow
def test_a_truncated_graph_is_detected_and_rebuilt(tmp_path, monkeypatch):
    """The session's one conversion: a graph cut short (a crash, a full disk) is rebuilt by the
    child process, verified again, and then gives the torch path's vectors."""
    model_dir, folder = _private_copy(tmp_path, monkeypatch)
    try:
        graph = folder / onnx_model.GRAPH
        size = graph.stat().st_size
        with graph.open("r+b") as f:
            f.truncate(size // 3)
        with pytest.raises(onnx_model.GraphError, match="size"):
            onnx_model.OnnxEncoder(model_dir, build=False)
        encoder = onnx_model.OnnxEncoder(model_dir)
        assert graph.stat().st_size > size // 3
        manifest = json.loads((folder / onnx_model.MANIFEST).read_text())
        assert manifest["graph_bytes"] == graph.stat().st_size
        assert manifest["graph_sha256"] == onnx_model.file_sha256(graph)
        texts, limits = [t for t, _ in onnx_model.PROBES], [n for _, n in onnx_model.PROBES]
        expected = np.asarray(manifest["probe_vectors"], dtype=np.float32)
        assert (encoder.encode(texts, limits) * expected).sum(axis=1).min() >= onnx_model.PROBE_MIN_COSINE
    finally:
        onnx_model.forget_sessions()
