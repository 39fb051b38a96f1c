"""Short speaker labels that stand for a full name given elsewhere in the file.

Transcripts often name each speaker in full once (``Devin Becker:``, or in a
header ``Interviewer: Devin Becker``) and then use initials (``DB:``, ``DB``)
or a first name (``Devin:``). ``resolve_aliases`` maps each such short label
to the one full name it fits, so both are one speaker with one role:

* initials: 2-4 capital letters (``DB``, ``D.B.``, ``KSM``), matching the
  first letters of every word of the name or of its first and last word;
* a first name alone (``Devin``), matching the first word of a name that is
  itself a speaker label in the transcript (a first name with a full name
  only in the header stays as written: it reads well as it is).

A short label that fits no name, or fits two, is left as it is.
"""
from __future__ import annotations

import re
from typing import Iterable

from research_hub.ingest.parsers.labels import label_key

_INITIALS = re.compile(r"^(?:[A-Z]\.?){2,4}$")
_PARTICLES = {"de", "da", "del", "della", "van", "von", "der", "den", "du", "le", "la", "di",
              "bin", "al", "el", "y", "dos", "das", "ter", "ten"}
_TITLES = {"dr", "mr", "mrs", "ms", "mx", "prof", "sir", "dame"}
MAX_NAMES = 100


def _name_words(name: str) -> list[str]:
    words = [w.strip(".,") for w in name.split()]
    return [w for w in words if w and w.casefold().rstrip(".") not in _TITLES]


def _is_full_name(name: str) -> bool:
    words = _name_words(name)
    return len(words) >= 2 and all(w[0].isalpha() for w in words)


def _initial_forms(name: str) -> set[str]:
    words = _name_words(name)
    main = [w for w in words if w.casefold() not in _PARTICLES]
    forms = {"".join(w[0] for w in words).upper(), "".join(w[0] for w in main).upper()}
    if len(main) >= 2:
        forms.add((main[0][0] + main[-1][0]).upper())
    return forms


def alias_target(label: str, full_names: Iterable[str],
                 first_name_targets: Iterable[str] | None = None) -> str | None:
    """The one full name that ``label`` abbreviates, else None.

    Initials may stand for any of ``full_names``; a first name only for one
    of ``first_name_targets`` (default: the same names).
    """
    label = label.strip().rstrip(":").strip()
    full_names = list(full_names)
    candidates = {label_key(n): n for n in full_names if _is_full_name(n)}
    if not label or label_key(label) in candidates:
        return None
    hits: set[str] = set()
    compact = label.replace(".", "").replace(" ", "")
    if _INITIALS.match(label.replace(" ", "")):
        hits = {k for k, n in candidates.items() if compact.upper() in _initial_forms(n)}
    elif " " not in label and label[:1].isalpha():
        first = label.casefold()
        allowed = {label_key(n) for n in (full_names if first_name_targets is None
                                           else first_name_targets)}
        hits = {k for k, n in candidates.items()
                if k in allowed and _name_words(n)[0].casefold() == first}
    return candidates[hits.pop()] if len(hits) == 1 else None


def resolve_aliases(speakers: Iterable[str], known_names: Iterable[str] = ()) -> dict[str, str]:
    """{short label: full name} for each speaker label that abbreviates one name.

    ``speakers`` are the labels used in the transcript; ``known_names`` are
    further names the file gives (front matter, header fields).
    """
    speakers = list(dict.fromkeys(speakers))
    names = list(dict.fromkeys([*speakers, *known_names]))
    if len(names) > MAX_NAMES:  # not a conversation between people; and keep it linear
        return {}
    out: dict[str, str] = {}
    for speaker in speakers:
        target = alias_target(speaker, names, speakers)
        if target is not None:
            out[speaker] = target
    return out
