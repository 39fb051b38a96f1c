"""Bytes -> text for the text formats (txt, md, vtt, srt, csv, json, jsonl).

Order of decisions:

1. A byte-order mark names the encoding (UTF-32 before UTF-16, whose BOM is
   a prefix of UTF-32 LE's).
2. UTF-16 without a BOM when the NUL bytes sit in every other position.
3. NUL bytes (or mostly control characters) anywhere else: binary, refused.
4. Strict UTF-8.
5. cp1252 when it decodes and the letters are mostly ASCII (Windows exports
   with accented names and smart quotes); charset-normalizer otherwise.

The returned text has a leading BOM removed and CRLF/CR turned into LF;
nothing else is changed, so offsets computed on it are stable.
"""
from __future__ import annotations

import codecs

from research_hub.ingest.types import IngestError

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_SAMPLE = 64 * 1024
_ALLOWED_CONTROLS = {"\t", "\n", "\r", "\f", "\v", "\x1b"}


def normalize_newlines(text: str) -> str:
    """CRLF and lone CR -> LF; a leading BOM removed."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def _bom_encoding(data: bytes) -> tuple[str, int] | None:
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name, len(bom)
    return None


def _utf16_without_bom(data: bytes) -> str | None:
    """Guess UTF-16 LE/BE from where the NUL bytes fall in mostly-ASCII text."""
    sample = data[: _SAMPLE - (_SAMPLE % 2)]
    if len(sample) < 4:
        return None
    if len(sample) % 2:
        sample = sample[:-1]
    even = sample[0::2]
    odd = sample[1::2]
    even_nul = even.count(0) / len(even)
    odd_nul = odd.count(0) / len(odd)
    if odd_nul > 0.3 and even_nul < 0.05:
        return "utf-16-le"
    if even_nul > 0.3 and odd_nul < 0.05:
        return "utf-16-be"
    return None


def _control_ratio(text: str) -> float:
    sample = text[:_SAMPLE]
    if not sample:
        return 0.0
    bad = sum(
        1
        for ch in sample
        if (ch < " " and ch not in _ALLOWED_CONTROLS) or ch == "\x7f"
    )
    return bad / len(sample)


def _check_text(text: str) -> str:
    if "\x00" in text:
        raise IngestError("file looks binary, not text (contains NUL bytes)")
    if _control_ratio(text) > 0.1:
        raise IngestError("file looks binary, not text (mostly control characters)")
    return normalize_newlines(text)


def _mostly_ascii_letters(text: str) -> bool:
    letters = [ch for ch in text[:_SAMPLE] if ch.isalpha()]
    if not letters:
        return True
    ascii_letters = sum(1 for ch in letters if ch < "\x80")
    return ascii_letters / len(letters) >= 0.7


def _decode_with(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise IngestError(
            f"cannot decode text as {encoding} (bad bytes at offset {exc.start})"
        ) from exc


def decode_bytes(data: bytes) -> str:
    """Decode file bytes to text, or raise IngestError (binary / undecodable)."""
    bom = _bom_encoding(data)
    if bom is not None:
        name, size = bom
        return _check_text(_decode_with(data[size:], name))

    utf16 = _utf16_without_bom(data)
    if utf16 is not None:
        try:
            return _check_text(data.decode(utf16))
        except UnicodeDecodeError:
            pass  # not UTF-16 after all: the NUL check below refuses it

    if b"\x00" in data:
        raise IngestError("file looks binary, not text (contains NUL bytes)")

    try:
        return _check_text(data.decode("utf-8"))
    except UnicodeDecodeError:
        pass

    try:
        western = data.decode("cp1252")
    except UnicodeDecodeError:
        western = None
    if western is not None and _mostly_ascii_letters(western):
        return _check_text(western)

    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
    except Exception as exc:  # library failure: report, do not crash
        raise IngestError(f"cannot detect the text encoding ({exc.__class__.__name__})") from exc
    if best is None:
        raise IngestError(
            "cannot decode text: not UTF-8/UTF-16 and no other encoding fits "
            "(is it a binary file?)"
        )
    return _check_text(str(best))
