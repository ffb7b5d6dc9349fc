"""Make and verify the ONNX graph of a MiniLM folder: run as its own process (it imports torch).

    python -m planner.adapters.onnx_build                       # the packaged model, into the cache
    python -m planner.adapters.onnx_build MODEL_DIR FOLDER fp32 # what onnx_model.build_graph runs

The graph takes the packed rows of ``planner.adapters.packing`` (input ids, position ids and a
segment id per slot) and builds the block-diagonal attention mask itself, so ONNX Runtime sees
exactly what the torch path feeds the transformer. Exported with torch.onnx's TorchScript
exporter (one self-contained file, ~1 s; no network), checked on onnx_model.PROBES against the
torch path, then moved into place; the manifest is written last, so a build cut short leaves
no manifest and is redone.
"""

from __future__ import annotations

import json
import os
import sys
import time
import warnings
from pathlib import Path

from planner.adapters import onnx_model, packing


def build(model_dir: Path, folder: Path, precision: str = "fp32") -> dict:
    import torch
    from transformers import AutoModel

    from planner.adapters.keywords import TorchEncoder

    if precision not in onnx_model.PRECISIONS:
        raise SystemExit(f"unknown precision {precision!r}")
    started = time.perf_counter()
    folder.mkdir(parents=True, exist_ok=True)
    texts, limits = [t for t, _ in onnx_model.PROBES], [n for _, n in onnx_model.PROBES]
    # the torch path as the app runs it (the module sentence-transformers wraps, default attention)
    torch_path = AutoModel.from_pretrained(str(model_dir)).eval()
    reference = TorchEncoder(str(model_dir), model_dir.name, "fp32", transformer=torch_path).encode(texts, limits)

    transformer = AutoModel.from_pretrained(str(model_dir), attn_implementation="eager").eval()

    class Packed(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.transformer = transformer

        def forward(self, input_ids, position_ids, segment):
            blocked = segment[:, :, None] != segment[:, None, :]
            mask = torch.zeros(blocked.shape, dtype=torch.float32).masked_fill(blocked, torch.finfo(torch.float32).min)
            return self.transformer(
                input_ids=input_ids,
                attention_mask=mask[:, None],
                position_ids=position_ids,
                token_type_ids=torch.zeros_like(input_ids),
            ).last_hidden_state

    example = next(packing.passes(packing.token_ids(packing.load_tokenizer(model_dir), texts[:3], limits[:3])))
    names = ["input_ids", "position_ids", "segment"]
    tmp = folder / f".{onnx_model.GRAPH}.{os.getpid()}.tmp"
    with warnings.catch_warnings(), torch.inference_mode():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            Packed().eval(),
            tuple(torch.from_numpy(a) for a in (example.input_ids, example.positions, example.segment)),
            str(tmp),
            input_names=names,
            output_names=["hidden"],
            opset_version=17,
            dynamo=False,
            dynamic_axes={name: {0: "rows", 1: "width"} for name in [*names, "hidden"]},
        )
    # ONNX Runtime's graph optimisations (fusions, layouts for this CPU) done once, here, and
    # saved: a start-up then opens the optimised graph with none to do (0.1-0.3 s instead of ~1 s)
    optimised = folder / f".{onnx_model.GRAPH}.{os.getpid()}.optimised.tmp"
    onnx_model.open_session(tmp, save_optimised=optimised)
    tmp.unlink()
    session = onnx_model.open_session(optimised)
    got = onnx_model.encode_with(session, packing.load_tokenizer(model_dir), reference.shape[1], texts, limits)
    cosine = float((got * reference).sum(axis=1).min())
    if cosine < onnx_model.PROBE_MIN_COSINE:
        optimised.unlink(missing_ok=True)
        raise SystemExit(f"ONNX graph differs from the torch path (probe cosine {cosine:.6f})")
    (folder / onnx_model.MANIFEST).unlink(missing_ok=True)
    os.replace(optimised, folder / onnx_model.GRAPH)
    manifest = {
        "model_dir": str(model_dir),
        "model_checksum": onnx_model.model_checksum(model_dir),
        "precision": precision,
        "export_version": onnx_model.EXPORT_VERSION,
        "onnxruntime": onnx_model.runtime_version(),
        "graph_bytes": (folder / onnx_model.GRAPH).stat().st_size,
        "graph_sha256": onnx_model.file_sha256(folder / onnx_model.GRAPH),
        "probe_min_cosine": round(cosine, 7),
        "torch": torch.__version__,
        "probe_vectors": reference.tolist(),
        "seconds": round(time.perf_counter() - started, 2),
    }
    onnx_model._write_atomic(folder / onnx_model.MANIFEST, json.dumps(manifest).encode())
    return manifest


def main(argv: list[str]) -> int:
    if argv:
        model_dir, folder, precision = Path(argv[0]), Path(argv[1]), argv[2]
    else:  # the set-up step: the packaged model into the user cache folder (checked, built if needed)
        from planner.adapters.keywords import _packaged_model_path

        model_dir = _packaged_model_path()
        encoder = onnx_model.OnnxEncoder(model_dir)
        print(f"ONNX graph ready: {encoder.folder / onnx_model.GRAPH}")
        return 0
    manifest = build(model_dir, folder, precision)
    print(
        f"built {folder / onnx_model.GRAPH} in {manifest['seconds']} s (probe cosine >= {manifest['probe_min_cosine']})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
