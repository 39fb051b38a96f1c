"""HTML documents (.html, .htm) -> visible text -> speaker turns.

The page is read with the standard library's ``html.parser``, never rendered
and never run: only text nodes are kept, entities are decoded, and what sits
in ``<script>``, ``<style>``, ``<template>``, ``<noscript>``, ``<svg>``,
``<iframe>``, form controls and ``<head>`` (but its ``<title>``) is dropped.
Block elements (p, div, li, h1-h6, tr, br, ...) start a new line; runs of
white space inside a block collapse to one space except in ``<pre>``. A table
row is one line, ``Name | [time] | text`` becoming ``[time] Name: text`` as
for Word tables. ``<h1>``-``<h6>`` lines are headings; the ``<title>`` is the
title when the text has no heading.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from research_hub.ingest.parsers.docx import HEADER_CELLS, join_lines, table_row_line
from research_hub.ingest.parsers.encoding import decode_bytes
from research_hub.ingest.parsers.registry import TRANSCRIPT, register
from research_hub.ingest.parsers.transcript import build_document
from research_hub.ingest.types import IngestError, ParsedDocument

SKIP = {"script", "style", "template", "noscript", "svg", "math", "iframe", "object", "embed",
        "canvas", "select", "textarea", "button", "head", "video", "audio", "map", "dialog"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr", "param"}
BLOCKS = {"p", "div", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6",
          "br", "hr", "tr", "table", "thead", "tbody", "tfoot", "section", "article", "header",
          "footer", "main", "nav", "aside", "blockquote", "pre", "figure", "figcaption",
          "address", "details", "summary", "form", "fieldset", "legend", "caption", "body",
          "html", "center", "hgroup"}
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
CELLS = {"td", "th"}
_SPACE = re.compile(r"[ \t\n\r\f\v\u00a0]+")
MAX_TITLE = 200


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[tuple[str, bool]] = []
        self._line: list[str] = []
        self._heading = False
        self._skip: list[str] = []  # open skipped elements
        self._pre = 0
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._rows_seen = 0
        self.title: str | None = None
        self._in_title = False
        self._title_parts: list[str] = []

    # -- helpers --
    def _flush(self) -> None:
        text = "".join(self._line)
        self._line = []
        if not self._pre:
            text = _SPACE.sub(" ", text).strip()
        else:
            text = text.strip("\n")
        if text:
            self.lines.append((text, self._heading))

    def _end_row(self) -> None:
        if self._cell is not None:
            self._end_cell()
        if self._row is not None:
            cells = [c for c in self._row if c]
            first = self._rows_seen == 0
            self._rows_seen += 1
            self._row = None
            if cells and not (first and all(c.casefold().strip(": ") in HEADER_CELLS
                                            for c in cells)):
                self.lines.append((table_row_line(cells), False))

    def _end_cell(self) -> None:
        if self._cell is not None and self._row is not None:
            self._row.append(_SPACE.sub(" ", "".join(self._cell)).strip())
        self._cell = None

    # -- parser callbacks --
    def handle_starttag(self, tag, attrs):
        if tag == "title" and not self._skip or tag == "title" and self._skip == ["head"]:
            self._in_title = True
            return
        if self._skip:
            if tag in SKIP and tag not in VOID:
                self._skip.append(tag)
            return
        if tag in SKIP and tag not in VOID:
            self._skip.append(tag)
            return
        if tag == "tr":
            self._end_row()
            self._flush()
            self._row = []
            return
        if tag in CELLS:
            if self._row is None:
                self._row = []
            self._end_cell()
            self._cell = []
            return
        if tag == "table":
            self._flush()
            self._rows_seen = 0
        if tag in BLOCKS:
            if self._cell is not None:
                self._cell.append(" ")
                return
            self._flush()
            if tag in HEADINGS:
                self._heading = True
            if tag == "pre":
                self._pre += 1

    def handle_startendtag(self, tag, attrs):
        if tag in ("br", "hr") and not self._skip:
            if self._cell is not None:
                self._cell.append(" ")
            else:
                self._flush()

    def handle_endtag(self, tag):
        if tag == "title" and self._in_title:
            self._in_title = False
            title = _SPACE.sub(" ", "".join(self._title_parts)).strip()
            if title and self.title is None:
                self.title = title[:MAX_TITLE]
            return
        if self._skip:
            if tag == self._skip[-1]:
                self._skip.pop()
            elif tag in self._skip:  # unclosed children: close up to it
                while self._skip and self._skip.pop() != tag:
                    pass
            return
        if tag in CELLS:
            self._end_cell()
            return
        if tag == "tr":
            self._end_row()
            return
        if tag == "table":
            self._end_row()
            return
        if tag in BLOCKS:
            if self._cell is not None:
                self._cell.append(" ")
                return
            self._flush()
            if tag in HEADINGS:
                self._heading = False
            if tag == "pre" and self._pre:
                self._pre -= 1

    def handle_data(self, data):
        if self._in_title:
            self._title_parts.append(data)
            return
        if self._skip:
            return
        if self._cell is not None:
            self._cell.append(data)
        else:
            self._line.append(data)

    def close(self):
        super().close()
        self._end_row()
        self._flush()


def html_lines(text: str) -> tuple[list[tuple[str, bool]], str | None]:
    parser = _TextParser()
    try:
        parser.feed(text)
        parser.close()
    except AssertionError as exc:  # html.parser's way of giving up on broken markup
        raise IngestError(f"cannot read HTML ({exc})") from exc
    return parser.lines, parser.title


def parse_html(path: Path, data: bytes) -> ParsedDocument:
    source = decode_bytes(data)
    lines, title = html_lines(source)
    text, headings = join_lines(lines)
    if not text.strip():
        raise IngestError("no text found in the HTML (no visible text)")
    return build_document(text, path, "html", headings, meta_title=title)


register([".html", ".htm"], label="HTML page (text only, never rendered)",
         families=[TRANSCRIPT],
         parse=lambda path, data, text_col: parse_html(path, data))
