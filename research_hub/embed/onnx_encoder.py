"""Sentence embeddings with onnxruntime, matching sentence-transformers.

At query time this needs numpy, onnxruntime and tokenizers only; the first use
of a model and backend exports it (onnx_export). onnxruntime's `run` is
thread-safe, so one single-threaded encoder serves several worker threads.
"""
from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path
from typing import Sequence

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer

from research_hub.embed.model_files import (ModelSettings, atomic_write_bytes, cache_root, model_fingerprint,
                                            model_name, read_json, vector_key)
from research_hub.embed.onnx_export import (MODEL_FILE, OPSET, check_backend, cache_key,
                                            export, export_lock, recipe_tag)


class OnnxEncoder:
    """Sentence embeddings with onnxruntime, numerically matching sentence-transformers.

    ``backend``: "onnx-int8" (dynamic int8, fastest) or "onnx" (fp32, closest to torch).
    ``threads``: onnxruntime intra-op threads (None: onnxruntime's default, one per physical core).
    The first use of a model/backend exports it into the cache (needs torch + onnx once);
    later uses only load the file.
    """

    def __init__(self, model_dir: str | os.PathLike, backend: str = "onnx-int8", threads: int | None = None):
        check_backend(backend)
        self.model_dir = Path(model_dir).resolve()
        self.backend = backend
        self.threads = threads
        self.settings = ModelSettings(self.model_dir)
        root = cache_root()
        self.fingerprint = model_fingerprint(self.model_dir, root)
        self.name = model_name(self.model_dir)
        self.cache_dir = root / cache_key(self.model_dir, backend, self.fingerprint)
        self._tok = Tokenizer.from_file(str(self.settings.tokenizer_path))
        self._pad_id = self._read_pad_id()
        self._tok.no_padding()  # each batch pads itself, to its longest text
        self._tok.enable_truncation(max_length=self.settings.max_seq_length)
        self.model_path = self._ensure_export()
        try:
            self._session = self._make_session(self.model_path)
        except Exception:  # a cached file onnxruntime cannot read (disk damage): export again, once
            (self.cache_dir / "meta.json").unlink(missing_ok=True)
            self.model_path = self._ensure_export()
            self._session = self._make_session(self.model_path)
        self._inputs = [i.name for i in self._session.get_inputs()]

    # -- public ---------------------------------------------------------------------------

    @property
    def dimension(self) -> int:
        return self.settings.dimension

    @property
    def key(self) -> str:
        """Identifies the vectors: model name, model fingerprint, backend, export recipe.

        Vectors with different keys must not share an index. onnxruntime's version is left out
        on purpose: it changes results only at the 1e-6 level, not enough to re-embed a corpus.
        """
        return vector_key(str(self.model_dir), self.backend)

    @property
    def max_seq_length(self) -> int:
        return self.settings.max_seq_length

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        """Embed ``texts``; returns float32 (len(texts), dimension), rows of unit L2 norm.

        Texts are ordered by token count inside each chunk so a batch pads to similar
        lengths; the result is in the caller's order. Texts longer than max_seq_length
        tokens are truncated, as sentence-transformers does. An empty string embeds
        [CLS] [SEP], as sentence-transformers does.
        """
        if isinstance(texts, str):
            raise TypeError("encode() takes a list of strings; wrap a single text in a list")
        texts = list(texts)
        for i, t in enumerate(texts):
            if not isinstance(t, str):
                raise TypeError(f"texts[{i}] is {type(t).__name__}, not str")
        if batch_size < 1:
            raise ValueError("batch_size must be >= 1")
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        if not texts:
            return out
        if self.settings.st_lower_case:
            texts = [t.lower() for t in texts]
        chunk = max(batch_size * 32, 2048)  # tokenise and sort this many at once (bounded memory)
        for c0 in range(0, len(texts), chunk):
            encs = self._tok.encode_batch(texts[c0 : c0 + chunk], add_special_tokens=True)
            lengths = np.fromiter((len(e.ids) for e in encs), dtype=np.int64, count=len(encs))
            order = np.argsort(-lengths, kind="stable")
            for b0 in range(0, len(order), batch_size):
                idx = order[b0 : b0 + batch_size]
                out[c0 + idx] = self._embed_batch([encs[i] for i in idx], int(lengths[idx].max()))
        return out

    def __repr__(self) -> str:
        return f"OnnxEncoder({self.key!r}, threads={self.threads}, file={str(self.model_path)!r})"

    # -- internals ------------------------------------------------------------------------

    def _read_pad_id(self) -> int:
        pad_cfg = self._tok.padding or {}  # the file's padding section, already parsed
        if "pad_id" in pad_cfg:
            return int(pad_cfg["pad_id"])
        for tok in ("[PAD]", "<pad>"):
            tid = self._tok.token_to_id(tok)
            if tid is not None:
                return int(tid)
        return 0

    def _embed_batch(self, encs: list, width: int) -> np.ndarray:
        n = len(encs)
        ids = np.full((n, width), self._pad_id, dtype=np.int64)
        mask = np.zeros((n, width), dtype=np.int64)
        types = np.zeros((n, width), dtype=np.int64)
        for r, e in enumerate(encs):
            k = len(e.ids)
            ids[r, :k] = e.ids
            mask[r, :k] = 1
            types[r, :k] = e.type_ids
        feed = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feed["token_type_ids"] = types
        tok_emb = self._session.run(None, feed)[0]
        return self._pool(tok_emb, mask)

    def _pool(self, tok_emb: np.ndarray, mask: np.ndarray) -> np.ndarray:
        m = mask[..., None].astype(np.float32)
        parts = []
        for mode in self.settings.pooling_modes:
            if mode == "pooling_mode_cls_token":
                parts.append(tok_emb[:, 0])
            elif mode == "pooling_mode_max_tokens":
                parts.append(np.where(m > 0, tok_emb, np.float32(-1e9)).max(axis=1))
            else:  # mean or mean_sqrt_len, over real tokens only
                summed = (tok_emb * m).sum(axis=1)
                count = np.clip(m.sum(axis=1), 1e-9, None)
                parts.append(summed / (count if mode == "pooling_mode_mean_tokens" else np.sqrt(count)))
        emb = parts[0] if len(parts) == 1 else np.concatenate(parts, axis=1)
        norm = np.linalg.norm(emb, axis=1, keepdims=True)
        return (emb / np.maximum(norm, 1e-12)).astype(np.float32, copy=False)

    def _make_session(self, path: Path) -> ort.InferenceSession:
        """A session over the graph-optimised copy of the export, made once beside it.

        Optimising the graph at every load took 0.6-1.6 s of a cold search here, loading
        the optimised copy 0.2-0.4 s, with identical outputs. The copy is optimised to
        the EXTENDED level only (portable fusions, no CPU-specific layouts); ALL is
        applied at load, where what is left is cheap."""
        optimised = path.with_name(path.stem + ".opt.onnx")
        for attempt in (1, 2):
            if not optimised.exists():  # raises if the export itself is unreadable
                tmp = optimised.with_name(f".{optimised.name}.{os.getpid()}.tmp")
                level = ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED
                ort.InferenceSession(str(path), sess_options=self._options(level, save_to=tmp),
                                     providers=["CPUExecutionProvider"])
                tmp.replace(optimised)
            try:
                return ort.InferenceSession(str(optimised), sess_options=self._options(),
                                            providers=["CPUExecutionProvider"])
            except Exception:  # a damaged copy: made again from the export, once
                optimised.unlink(missing_ok=True)
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _options(self, level=ort.GraphOptimizationLevel.ORT_ENABLE_ALL, save_to: Path | None = None):
        so = ort.SessionOptions()
        so.graph_optimization_level = level
        so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        so.inter_op_num_threads = 1
        if self.threads:
            so.intra_op_num_threads = int(self.threads)
        so.log_severity_level = 3
        if save_to is not None:
            so.optimized_model_filepath = str(save_to)
        return so

    def _meta(self) -> dict:
        return {
            "key": self.key,
            "backend": self.backend,
            "model_name": self.name,
            "model_dir": str(self.model_dir),
            "fingerprint": self.fingerprint,
            "recipe": recipe_tag(self.backend),
            "onnxruntime": ort.__version__,
            "opset": OPSET,
        }

    def _ensure_export(self) -> Path:
        final = self.cache_dir / MODEL_FILE[self.backend]
        meta_path = self.cache_dir / "meta.json"
        if self._export_ok(final, meta_path):
            return final
        with export_lock(self.cache_dir):
            if self._export_ok(final, meta_path):  # another process finished it meanwhile
                return final
            meta_path.unlink(missing_ok=True)
            final.with_name(final.stem + ".opt.onnx").unlink(missing_ok=True)  # made from the old file
            for junk in list(self.cache_dir.glob(".export-*")) + list(self.cache_dir.glob(".*.tmp")):
                shutil.rmtree(junk, ignore_errors=True) if junk.is_dir() else junk.unlink(missing_ok=True)
            t0 = time.perf_counter()
            path = export(self.model_dir, self.cache_dir, quantize=self.backend == "onnx-int8")
            meta = self._meta() | {
                "file": path.name,
                "size": path.stat().st_size,
                "export_seconds": round(time.perf_counter() - t0, 2),
                "exported_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            }
            atomic_write_bytes(meta_path, json.dumps(meta, indent=2).encode())  # meta last: marks done
            return path

    def _export_ok(self, final: Path, meta_path: Path) -> bool:
        try:
            meta = dict(read_json(meta_path))
            return (
                meta.get("fingerprint") == self.fingerprint
                and meta.get("recipe") == recipe_tag(self.backend)
                and meta.get("size") == final.stat().st_size
            )
        except (OSError, ValueError):
            return False
