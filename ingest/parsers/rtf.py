"""Rich Text Format .rtf (striprtf) -> transcript text -> speaker turns.

striprtf turns the control words into plain text (paragraphs, line breaks,
``\\'e9`` and ``\\u233`` characters in the document's code page); the result is
read like a .txt transcript. Pictures, fonts and other destinations are
dropped; the ``\\title`` of the info group is the title when the text has none. A file that does not start with ``{\\rtf`` is refused.
"""
from __future__ import annotations

import re
from pathlib import Path

from research_hub.ingest.parsers.encoding import normalize_newlines
from research_hub.ingest.parsers.registry import TRANSCRIPT, register
from research_hub.ingest.parsers.transcript import build_document
from research_hub.ingest.types import IngestError, ParsedDocument

_CODE_PAGE = re.compile(rb"\\ansicpg(\d{3,5})")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_TRAILING = re.compile(r"[ \t]+\n")
_TITLE = re.compile(rb"\{\\title[ \t\r\n]+([^{}\\]{1,200})\}")


def _code_page(data: bytes) -> str:
    match = _CODE_PAGE.search(data[:4096])
    if match:
        name = f"cp{int(match.group(1))}"
        try:
            "".encode(name)
            return name
        except LookupError:
            pass
    return "cp1252"


def rtf_text(data: bytes) -> str:
    head = data.lstrip()[:5]
    if not head.startswith(b"{\\rtf"):
        raise IngestError("not an RTF file (no {\\rtf header)")
    from striprtf.striprtf import rtf_to_text

    # RTF is 7-bit text with escapes; latin-1 maps every byte, so nothing is lost
    # before striprtf decodes the escapes in the document's code page.
    source = data.decode("latin-1")
    try:
        text = rtf_to_text(source, encoding=_code_page(data), errors="replace")
    except RecursionError:
        raise
    except Exception as exc:
        raise IngestError(f"cannot read RTF ({exc.__class__.__name__})") from exc
    text = normalize_newlines(text.replace("\x00", ""))
    text = _CONTROL.sub("", text)
    return _TRAILING.sub("\n", text)


def parse_rtf(path: Path, data: bytes) -> ParsedDocument:
    text = rtf_text(data)
    if not text.strip():
        raise IngestError("no text found in the RTF (empty document)")
    match = _TITLE.search(data[:65536])
    meta_title = match.group(1).decode("latin-1").strip() if match else None
    return build_document(text, path, "rtf", meta_title=meta_title)


register([".rtf"], label="Rich Text Format document", families=[TRANSCRIPT],
         parse=lambda path, data, text_col: parse_rtf(path, data))
