"""PDF bundle with fpdf2.

Quotes are verbatim when a Unicode TrueType font is found: $RESEARCH_HUB_PDF_FONT,
then DejaVu Sans where Linux distributions put it (Debian: fonts-dejavu-core),
then whatever `fc-match` offers. Without one, fpdf2 only has its Latin-1 core
fonts, so text is transliterated (curly quotes to straight, accents kept where
Latin-1 has them, anything else "?") and the first page says so; the verbatim
text is always in the md, html, csv and json formats. Characters the font has
no glyph for (DejaVu has no CJK) are left out and the last page says so.
"""
from __future__ import annotations

import shutil
import subprocess
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Any

from research_hub.core.settings import env_value
from research_hub.export.bundle import all_quotes, insight_quotes_of, where
from research_hub.export.markdown import summary_rows

FONT_PATHS = ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/TTF/DejaVuSans.ttf",
              "/usr/share/fonts/dejavu/DejaVuSans.ttf", "/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf",
              "/usr/local/share/fonts/DejaVuSans.ttf", "/Library/Fonts/DejaVuSans.ttf",
              "C:/Windows/Fonts/DejaVuSans.ttf")
ASCII = {"\u2018": "'", "\u2019": "'", "\u201a": ",", "\u201c": '"', "\u201d": '"', "\u201e": '"',
         "\u2013": "-", "\u2014": "-", "\u2212": "-", "\u2026": "...", "\u2022": "*", "\u00a0": " ",
         "\u2009": " ", "\u200b": ""}
LINE = 5.2


@lru_cache(maxsize=1)
def unicode_font() -> str | None:
    """Path of a Unicode TrueType font, or None (then text is transliterated)."""
    candidates = [env_value("pdf_font") or "", *FONT_PATHS]
    if shutil.which("fc-match"):
        try:
            found = subprocess.run(["fc-match", "-f", "%{file}", "DejaVu Sans"], capture_output=True,
                                   text=True, timeout=10).stdout.strip()
            candidates.append(found)
        except (OSError, subprocess.SubprocessError):
            pass
    return next((c for c in candidates if c and c.lower().endswith(".ttf") and Path(c).is_file()), None)


def latin1(text: str) -> str:
    out = []
    for ch in text:
        if ord(ch) < 256 and (ch >= " " or ch in "\n\t"):
            out.append(ch)
        elif ch in ASCII:
            out.append(ASCII[ch])
        else:
            base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
            out.append(base if base and all(ord(c) < 256 for c in base) else "?")
    return "".join(out)


class _Writer:
    def __init__(self, title: str):
        from fpdf import FPDF

        self.pdf = FPDF(format="A4")
        self.pdf.set_auto_page_break(True, margin=15)
        self.pdf.set_title(title)
        self.font = unicode_font()
        if self.font:
            self.pdf.add_font("body", "", self.font)
            bold = Path(self.font).with_name(Path(self.font).stem + "-Bold.ttf")
            self.pdf.add_font("body", "B", str(bold if bold.is_file() else self.font))
        self.family = "body" if self.font else "helvetica"
        self.pdf.add_page()

    def text(self, value: Any) -> str:
        s = "" if value is None else str(value)
        return s if self.font else latin1(s)

    def para(self, value: Any, size: float = 10, bold: bool = False, indent: float = 0,
             border: str | int = 0) -> None:
        from fpdf.enums import XPos, YPos

        pdf = self.pdf
        pdf.set_font(self.family, "B" if bold else "", size)
        pdf.set_x(pdf.l_margin + indent)
        pdf.multi_cell(pdf.epw - indent, LINE * size / 10, self.text(value), border=border, align="L",
                       new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def gap(self, h: float = 2) -> None:
        self.pdf.ln(h)


def _quote(w: _Writer, n: int, q: dict[str, Any], stance: str | None = None) -> None:
    w.gap(3)
    w.para(f"{n}. {q['speaker']} ({q['participant']}), {q['document']}, {where(q)}, "
           f"{q['date'] or 'undated'}" + (f" · {stance}" if stance else ""), 9, bold=True)
    if q["question"]:
        w.para(f"Question answered: {q['question']}", 9)
    w.para(q["quote"], 10, indent=4, border="L")
    w.para(f"tags: {', '.join(q['tags']) or 'none'} · {q['evidence']} {q['evidence_id']}"
           + (f" · note: {q['note']}" if q["note"] else ""), 8)


def render(bundle: dict[str, Any]) -> bytes:
    f = bundle["feature"]
    w = _Writer(f"Evidence for {f['title']}")
    w.para(f"Evidence for {f['title']}", 16, bold=True)
    w.para(f"Feature {f['id']} · status {f['status'] or 'none'} · generated {bundle['generated_at']}", 9)
    if not w.font:
        w.para("No Unicode font was found, so this PDF transliterates text to Latin-1; the verbatim "
               "quotes are in the md, html, csv and json formats.", 9)
    if f["description"]:
        w.gap()
        w.para(f["description"])
    w.gap(4)
    w.para("Summary", 13, bold=True)
    for k, v in summary_rows(bundle["summary"]):
        w.para(f"{k}: {v}", 9)
    theme = None
    n = 0
    for n, (group, q) in enumerate(all_quotes(bundle), 1):
        if group != theme:
            theme = group
            w.gap(4)
            w.para(group, 13, bold=True)
        _quote(w, n, q)
    for entry in bundle.get("insights", []):
        st = entry["strength"]
        w.gap(4)
        w.para(f"Insight {entry['id']}: {entry['statement']}", 13, bold=True)
        w.para(f"status {entry['status']}" + (" (draft: a starting point generated from a theme, not "
                                              "a finding or a quote)" if entry["draft"] else "")
               + f" · strength {st['score']} = " + " × ".join(f"{k} {v}" for k, v in st["parts"].items())
               + (f" · stale: {'; '.join(st['stale_reasons'])}" if st["stale"] else ""), 9)
        for stance, q in insight_quotes_of(entry):
            n += 1
            _quote(w, n, q, stance)
    if bundle["needs_review"]:
        w.gap(4)
        w.para("Needs review", 13, bold=True)
        for r in bundle["needs_review"]:
            ref = f"highlight {r['highlight_id']}" if r.get("highlight_id") else f"snippet {r['snippet_id']}"
            w.para(f"{ref}: {r['reason']}", 9)
            w.para(r["text_as_confirmed"], 10, indent=4, border="L")
    w.gap(4)
    w.para("Sources", 13, bold=True)
    for d in bundle["sources"]:
        w.para(f"{d['name']}: sha256 {d['sha256'] or 'missing'}", 8)
    missing = w.pdf.fonts["body"].missing_glyphs if w.font else []
    if missing:
        w.gap(4)
        w.para(f"Some characters have no glyph in {Path(w.font).name} and are missing here; the "
               "verbatim quotes are in the md, html, csv and json formats.", 9)
    return bytes(w.pdf.output())
