"""Encodings: BOMs, UTF-16, cp1252; binary and undecodable input."""
from __future__ import annotations

import codecs

import pytest

from research_hub.ingest.parsers.encoding import decode_bytes
from research_hub.ingest.types import IngestError, INTERVIEWER, PARTICIPANT

TRANSCRIPT = ("Interviewer: How\u2019s the \u201cnew\u201d export, Ren\u00e9e?\r\n"
              "Ren\u00e9e: Fran\u00e7ois says it\u2019s na\u00efve \u2013 caf\u00e9 users hate it.\r\n")
EXPECTED = TRANSCRIPT.replace("\r\n", "\n")


def _check_transcript(doc, spoken):
    assert doc.text == EXPECTED
    assert spoken(doc) == [
        ("Interviewer", INTERVIEWER, "How\u2019s the \u201cnew\u201d export, Ren\u00e9e?"),
        ("Ren\u00e9e", PARTICIPANT, "Fran\u00e7ois says it\u2019s na\u00efve \u2013 caf\u00e9 users hate it."),
    ]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-le-bom", "utf-16-be-bom",
                                      "utf-32", "cp1252", "utf-8"])
def test_every_common_encoding_decodes_to_the_same_transcript(parse, spoken, encoding):
    if encoding == "utf-16-le-bom":
        data = codecs.BOM_UTF16_LE + TRANSCRIPT.encode("utf-16-le")
    elif encoding == "utf-16-be-bom":
        data = codecs.BOM_UTF16_BE + TRANSCRIPT.encode("utf-16-be")
    else:
        data = TRANSCRIPT.encode(encoding)
    _check_transcript(parse("t.txt", data), spoken)


def test_utf16_without_bom_is_detected(parse, spoken):
    _check_transcript(parse("t.txt", TRANSCRIPT.encode("utf-16-le")), spoken)
    _check_transcript(parse("t.txt", TRANSCRIPT.encode("utf-16-be")), spoken)


def test_cp1252_csv_with_accents(parse):
    data = "comment,name\n\u201cGr\u00fc\u00dfe\u201d \u2013 it\u2019s fine,J\u00fcrgen\n".encode("cp1252")
    doc = parse("f.csv", data)
    assert doc.text == "\u201cGr\u00fc\u00dfe\u201d \u2013 it\u2019s fine"
    assert doc.turns[0].speaker == "J\u00fcrgen"


def test_cp1252_short_accented_name(parse):
    doc = parse("n.txt", "Jos\u00e9: ol\u00e1\nJos\u00e9: adi\u00f3s\n".encode("cp1252"))
    assert doc.turns[0].speaker == "Jos\u00e9"


def test_cyrillic_cp1251_uses_charset_detection():
    text = "Привет, как дела? Всё хорошо, спасибо. Экспорт очень медленный."
    assert decode_bytes(text.encode("cp1251")) == text


def test_bom_utf8_vtt_and_json(parse):
    doc = parse("x.vtt", codecs.BOM_UTF8 + b"WEBVTT\n\n00:01.000 --> 00:02.000\n<v Ann>hi\n")
    assert doc.text == "Ann: hi"
    doc = parse("x.json", codecs.BOM_UTF8 + b'[{"text": "hi"}]')
    assert doc.text == "hi"


@pytest.mark.parametrize("data, reason", [
    (b"Interviewer: hi\x00\x00\x01\x02 more", "file looks binary, not text (contains NUL bytes)"),
    (bytes(range(1, 9)) * 50 + b"abc", "file looks binary, not text (mostly control characters)"),
    (bytes(range(128, 256)) * 3, "cannot decode text"),
])
def test_binary_or_undecodable_bytes_are_refused(parse_error, data, reason):
    assert parse_error("t.txt", data).startswith(reason)


def test_png_renamed_to_csv_is_binary(parse_error):
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10" + bytes(200)
    assert parse_error("data.csv", png).startswith("file looks binary")


def test_decode_bytes_keeps_text_except_newlines_and_bom():
    assert decode_bytes(b"\xef\xbb\xbfa\r\nb\rc\n\td ") == "a\nb\nc\n\td "
    with pytest.raises(IngestError):
        decode_bytes(b"ab\x00cd")
