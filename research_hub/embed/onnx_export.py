"""Exporting a local model to ONNX once, int8-quantized if asked, into the user's cache.

Needs torch, transformers and onnx, imported only here and only when an export
is missing. Every file is written under a temporary name and renamed into
place, and the folder's meta.json is written last, so a crash mid-export never
leaves a file that gets loaded.

Quantization recipe (measured on the development machine's AVX512-VNNI CPU):
signed int8 weights (QInt8), per output channel, full 8-bit range
(reduce_range only helps CPUs without VNNI, and costs accuracy); activations
are uint8 in dynamic mode. Only MatMul is quantized: quantizing the embedding
table as well lost 0.01 precision@10.
"""
from __future__ import annotations

import contextlib
import inspect
import os
import re
import tempfile
from pathlib import Path
from typing import Iterator, Sequence

import onnxruntime as ort

from research_hub.core.errors import InvalidInputError
from research_hub.embed.model_files import (RECIPE_VERSION, ModelSettings, cache_root, model_fingerprint,
                                            model_name)

OPSET = 17
BACKENDS = ("onnx", "onnx-int8")
QUANT_WEIGHT_TYPE = "QInt8"
QUANT_REDUCE_RANGE = False
QUANT_OP_TYPES = ("MatMul",)
MODEL_FILE = {"onnx": "model.onnx", "onnx-int8": "model_int8.onnx"}


def recipe_tag(backend: str) -> str:
    tag = f"r{RECIPE_VERSION}-opset{OPSET}"
    if backend == "onnx-int8":
        tag += f"-{QUANT_WEIGHT_TYPE.lower()}{'-rr' if QUANT_REDUCE_RANGE else ''}-pc-{'+'.join(QUANT_OP_TYPES).lower()}"
    return tag


def cache_key(model_dir: str | os.PathLike, backend: str, fingerprint: str | None = None) -> str:
    """<model name>-<backend>-<weights hash>-<recipe>-ort<onnxruntime version>.

    onnxruntime's version is in the key because the quantizer that produced the int8 file
    ships with it (optimum is not used).
    """
    check_backend(backend)
    fp = fingerprint or model_fingerprint(model_dir)
    ortv = re.sub(r"[^0-9a-z.]+", "", ort.__version__.lower())
    return f"{model_name(Path(model_dir))}-{backend}-{fp[:16]}-{recipe_tag(backend)}-ort{ortv}"


def cache_dir(model_dir: str | os.PathLike, backend: str = "onnx-int8", fingerprint: str | None = None) -> Path:
    """The folder that holds the export of this model with this backend."""
    return cache_root() / cache_key(model_dir, backend, fingerprint)


def check_backend(backend: str) -> None:
    if backend not in BACKENDS:
        raise InvalidInputError(f"backend must be one of {', '.join(BACKENDS)}, not {backend!r}")


@contextlib.contextmanager
def export_lock(folder: Path) -> Iterator[None]:
    """Serialise exports of one key across processes (POSIX flock; a no-op elsewhere)."""
    folder.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:  # Windows: two processes may both export; os.replace keeps it safe
        yield
        return
    with open(folder / ".lock", "w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def export(model_dir: str | os.PathLike, out_dir: str | os.PathLike, quantize: bool) -> Path:
    """Export a local sentence-transformers model to ONNX; int8 dynamic quantization if asked.

    Writes ``out_dir/model.onnx`` (fp32) or ``out_dir/model_int8.onnx`` and returns that path.
    Every file is written under a temporary name in ``out_dir`` and renamed into place, so a
    crash leaves either nothing or a complete file. Never downloads: the model is read with
    ``local_files_only=True`` and HF_HUB_OFFLINE=1.
    """
    return _export(
        Path(model_dir),
        Path(out_dir),
        quantize,
        weight_type=QUANT_WEIGHT_TYPE,
        reduce_range=QUANT_REDUCE_RANGE,
        op_types=QUANT_OP_TYPES,
    )


def _export(
    model_dir: Path,
    out_dir: Path,
    quantize: bool,
    *,
    weight_type: str = QUANT_WEIGHT_TYPE,
    reduce_range: bool = QUANT_REDUCE_RANGE,
    op_types: Sequence[str] | None = QUANT_OP_TYPES,
) -> Path:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import torch  # lazy: export time only
    from transformers import AutoModel

    settings = ModelSettings(model_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    final = out_dir / MODEL_FILE["onnx-int8" if quantize else "onnx"]

    model = AutoModel.from_pretrained(
        str(settings.transformer_dir), local_files_only=True, attn_implementation="eager"
    ).eval()
    fwd = inspect.signature(model.forward).parameters
    names = ["input_ids", "attention_mask"] + (["token_type_ids"] if "token_type_ids" in fwd else [])

    class _Wrapper(torch.nn.Module):
        """Calls the HF model with keyword arguments (positional ones break on transformers 5)."""

        def __init__(self, m):
            super().__init__()
            self.m = m

        def forward(self, input_ids, attention_mask, token_type_ids=None):
            kw = {"input_ids": input_ids, "attention_mask": attention_mask}
            if token_type_ids is not None:
                kw["token_type_ids"] = token_type_ids
            return self.m(**kw).last_hidden_state

    # a dummy batch with padding, so no "mask is all ones" shortcut is traced into the graph
    ids = torch.full((2, 16), 1000, dtype=torch.long)
    mask = torch.ones_like(ids)
    mask[1, 9:] = 0
    args = (ids, mask) + ((torch.zeros_like(ids),) if "token_type_ids" in names else ())
    dyn = {n: {0: "batch", 1: "sequence"} for n in names + ["token_embeddings"]}

    with tempfile.TemporaryDirectory(dir=out_dir, prefix=".export-") as tmpd:
        fp32 = Path(tmpd) / "model.onnx"
        with torch.no_grad():
            torch.onnx.export(
                _Wrapper(model),
                args,
                str(fp32),
                input_names=names,
                output_names=["token_embeddings"],
                dynamic_axes=dyn,
                opset_version=OPSET,
                do_constant_folding=True,
                dynamo=False,  # the dynamo exporter needs onnxscript, which is not installed here
            )
        src = fp32
        if quantize:
            from onnxruntime.quantization import QuantType, quantize_dynamic

            q = Path(tmpd) / "model_int8.onnx"
            quantize_dynamic(
                str(src),
                str(q),
                op_types_to_quantize=list(op_types) if op_types else None,
                per_channel=True,
                reduce_range=reduce_range,
                weight_type=getattr(QuantType, weight_type),
            )
            src = q
        _check_onnx_file(src, names)
        tmp_final = out_dir / f".{final.name}.{os.getpid()}.tmp"
        os.replace(src, tmp_final)  # same folder tree, so this is a rename
        with open(tmp_final, "rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp_final, final)
    return final


def _check_onnx_file(path: Path, names: list[str]) -> None:
    """Refuse to install an export that onnxruntime cannot load or that has the wrong inputs."""
    s = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    got = [i.name for i in s.get_inputs()]
    if got != names:
        raise RuntimeError(f"exported graph has inputs {got}, expected {names}")
