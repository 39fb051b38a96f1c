"""Reading a selection's positions in a source from another tool.

The standard counts characters of the plain-text source. research_hub writes
Unicode code points of its stored text (no BOM, LF line ends), which is what
Python indexes. Other tools count differently: a Qt text widget (QualCoder's)
counts UTF-16 units, as .NET and JavaScript strings do, so every emoji or other
character outside the Basic Multilingual Plane counts twice; Qt also drops the
CR of a CRLF line end and a BOM before counting while the file keeps them, so
positions drift by one more with every line. So each source's
positions are tried under every reading, and the one under which the most
selections cut out exactly the text their `name` quotes wins (most tools put
the selected text there). Without such witnesses the standard's reading holds.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Sequence

from research_hub.ingest.parsers.encoding import normalize_newlines
from research_hub.qda.model import Selection
from research_hub.qda.xmlutil import xml_text

_SPACE = re.compile(r"\s+")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_ELLIPSIS = ("...", "\u2026")


@dataclass(frozen=True)
class Reading:
    utf16: bool = False  # positions count UTF-16 units, not code points
    crlf: bool = True  # positions count the CR of each CRLF (the file as it is)
    bom: bool = False  # positions count a leading BOM as a character

    def describe(self) -> str:
        parts = ["UTF-16 units" if self.utf16 else "code points",
                 "CR counted" if self.crlf else "LF only"]
        return ", ".join(parts + (["BOM counted"] if self.bom else []))


STANDARD = Reading()


class Positions:
    """Maps positions in a source file, under a reading, to offsets in the text research_hub stores."""

    def __init__(self, raw: str):
        self.has_bom = raw.startswith("\ufeff")
        self.body = raw[1:] if self.has_bom else raw
        self.text = normalize_newlines(self.body)  # what the parsers store for this file
        self._crlf = [m.start() for m in re.finditer("\r\n", self.body)]
        self._middles = {False: _pair_middles(self.text), True: _pair_middles(self.body)}

    def readings(self) -> list[Reading]:
        """Every distinct reading for this file, the standard's first."""
        out = [STANDARD]
        for utf16 in (False, True):
            if utf16 and not (self._middles[True] or self._middles[False]):
                continue
            for crlf in ((True, False) if self._crlf else (True,)):
                for bom in ((False, True) if self.has_bom else (False,)):
                    r = Reading(utf16, crlf, bom)
                    if r not in out:
                        out.append(r)
        return out

    def offset(self, pos: int, reading: Reading) -> int | None:
        """The stored-text offset of a position, or None where it cannot fall."""
        if reading.bom and self.has_bom:
            pos -= 1
        if pos < 0:
            return None
        base_crlf = reading.crlf and bool(self._crlf)
        if reading.utf16:
            middles = self._middles[base_crlf]
            i = bisect.bisect_left(middles, pos)
            if i < len(middles) and middles[i] == pos:
                return None  # between the two halves of a surrogate pair
            pos -= i
        if base_crlf:
            pos -= bisect.bisect_left(self._crlf, pos)
        return pos if pos <= len(self.text) else None

    def span(self, sel: Selection, reading: Reading) -> tuple[int, int] | None:
        start, end = self.offset(sel.start, reading), self.offset(sel.end, reading)
        if start is None or end is None or start > end:
            return None
        return start, end

    def choose(self, selections: Sequence[Selection]) -> Reading:
        """The reading under which the most selections cut out exactly their quoted text."""
        witnessed = [s for s in selections if s.name.strip()]
        best, best_score = STANDARD, -1
        for reading in self.readings():
            score = sum(self.agreement(s, reading) for s in witnessed)
            if score > best_score:
                best, best_score = reading, score
        return best

    def agreement(self, sel: Selection, reading: Reading) -> int:
        span = self.span(sel, reading)
        return quotes(self.text[span[0]:span[1]], sel.name) if span is not None else 0


def quotes(cut: str, name: str) -> int:
    """How well a selection's name quotes the text it cuts: 2 exactly, 1 but for spacing at the
    edges or inside (or a name cut short with an ellipsis), 0 not at all. Exactness matters: a
    one-character shift (a BOM counted, say) often only moves a space across an edge."""
    name = normalize_newlines(name)
    if not name.strip():
        return 0
    if xml_text(cut) == xml_text(name):
        return 2
    a, b = _flat(cut), _flat(name)
    if a == b:
        return 1
    for mark in _ELLIPSIS:
        if b.endswith(mark) and len(b) > len(mark) + 3 and a.startswith(b[:-len(mark)].rstrip()):
            return 1
    return 0


def _flat(text: str) -> str:
    return _SPACE.sub(" ", xml_text(text)).strip()


def _pair_middles(text: str) -> list[int]:
    """UTF-16 positions that fall inside a surrogate pair (one per astral character)."""
    return [m.start() + j + 1 for j, m in enumerate(_ASTRAL.finditer(text))]
