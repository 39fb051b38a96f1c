"""Which language a document is in (lingua, offline), from its participants' words.

The embedding model, the rule tags, the learned tags and VADER are English;
a document in another language is stored and searchable, but tagging skips
what would be wrong for it (see `Tagger.tag`) and the app says that search
and themes use an English model.
"""
from __future__ import annotations

from functools import lru_cache

ENGLISH = "en"
SAMPLE_CHARS = 4000  # enough words to decide; detection time grows with text
MIN_CHARS = 40  # below this a guess is noise: call it English, the model's language
COMMON = ("ENGLISH", "FRENCH", "GERMAN", "SPANISH", "ITALIAN", "PORTUGUESE", "DUTCH", "SWEDISH",
          "DANISH", "BOKMAL", "FINNISH", "POLISH", "CZECH", "TURKISH", "RUSSIAN", "UKRAINIAN",
          "GREEK", "ARABIC", "HEBREW", "HINDI", "JAPANESE", "KOREAN", "CHINESE", "INDONESIAN",
          "VIETNAMESE", "ROMANIAN", "HUNGARIAN", "CATALAN")


@lru_cache(maxsize=1)
def _detector():
    from lingua import (  # loads its models: ingest only
        Language,
        LanguageDetectorBuilder,
    )

    languages = [getattr(Language, name) for name in COMMON]
    return LanguageDetectorBuilder.from_languages(*languages).with_low_accuracy_mode().build()


def detect(texts: list[str]) -> str:
    """ISO 639-1 code of the language most of `texts` is in; English when unsure."""
    sample = " ".join(texts)[:SAMPLE_CHARS]
    if len(sample.strip()) < MIN_CHARS:
        return ENGLISH
    found = _detector().detect_language_of(sample)
    return found.iso_code_639_1.name.lower() if found is not None else ENGLISH

