"""PDF text layer (pypdf) -> transcript text -> speaker turns.

Pages are joined with a blank line; lines that are only a page number
("3", "Page 3", "Page 3 of 9", "3 / 9") are dropped. A PDF with no text
layer (a scan) is refused: OCR it first.
"""
from __future__ import annotations

import io
import logging
import re
from pathlib import Path

from research_hub.ingest.parsers.encoding import normalize_newlines
from research_hub.ingest.parsers.registry import TRANSCRIPT, register
from research_hub.ingest.parsers.transcript import build_document
from research_hub.ingest.types import IngestError, ParsedDocument

_PAGE_NUMBER = re.compile(r"^[ \t]*(?:page[ \t]*)?\d{1,4}(?:[ \t]*(?:of|/)[ \t]*\d{1,4})?[ \t]*$",
                          re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def _reader(data: bytes):
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    if b"%PDF" not in data[:1024]:
        raise IngestError("cannot open PDF: not a PDF file (no %PDF header)")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError,
            OSError, AssertionError) as exc:
        raise IngestError(f"cannot open PDF: damaged file ({exc.__class__.__name__})") from exc
    if reader.is_encrypted:
        try:
            ok = reader.decrypt("")
        except Exception as exc:
            raise IngestError("PDF is password-protected") from exc
        if not ok:
            raise IngestError("PDF is password-protected")
    return reader


def _page_text(page) -> str:
    text = page.extract_text() or ""
    text = normalize_newlines(_CONTROL.sub("", text))
    lines = [line.rstrip() for line in text.split("\n") if not _PAGE_NUMBER.match(line)]
    return "\n".join(lines).strip("\n")


def pdf_text(data: bytes) -> tuple[str, int]:
    logger = logging.getLogger("pypdf")
    level = logger.level
    logger.setLevel(logging.ERROR)  # pypdf warns loudly about harmless quirks
    try:
        reader = _reader(data)
        try:
            pages = reader.pages
            count = len(pages)
            texts = [_page_text(page) for page in pages]
        except IngestError:
            raise
        except Exception as exc:
            raise IngestError(f"cannot read PDF pages ({exc.__class__.__name__})") from exc
    finally:
        logger.setLevel(level)
    if count == 0:
        raise IngestError("PDF has no pages")
    return "\n\n".join(t for t in texts if t.strip()), count


def parse_pdf(path: Path, data: bytes) -> ParsedDocument:
    text, pages = pdf_text(data)
    if not text.strip():
        raise IngestError("PDF has no text layer (a scanned image?); run OCR on it first")
    doc = build_document(text, path, "pdf")
    doc.metadata["pages"] = pages
    return doc


register([".pdf"], label="PDF (text layer)", families=[TRANSCRIPT],
         parse=lambda path, data, text_col: parse_pdf(path, data))
