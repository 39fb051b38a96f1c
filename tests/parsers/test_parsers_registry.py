"""The suffix registry: every parser module registers itself, the lists derive from it."""
from __future__ import annotations

import pytest

import research_hub.ingest.parsers as parsers
from research_hub.ingest.parsers import registry
from research_hub.ingest.types import IngestError, ParsedDocument, Turn, PARTICIPANT


def test_supported_extensions_is_the_registry():
    assert parsers.SUPPORTED_EXTENSIONS == {f.suffix for f in parsers.formats()}
    assert parsers.SUPPORTED_EXTENSIONS is registry.SUPPORTED_EXTENSIONS
    assert parsers.upload_types() == sorted(s[1:] for s in parsers.SUPPORTED_EXTENSIONS)
    for fmt in parsers.formats():
        assert fmt.label and fmt.families and callable(fmt.parse)


def test_families_and_help_line():
    assert ".vtt" in parsers.accepted_types("transcript")
    assert ".vtt" not in parsers.accepted_types("feedback")
    assert ".json" in parsers.accepted_types("feedback")
    line = parsers.accepted_types_help()
    assert "\n" not in line
    for suffix in parsers.SUPPORTED_EXTENSIONS:
        assert suffix in line


def test_a_registered_suffix_is_parsed_by_its_function(tmp_path):
    seen = []

    def fake(path, data, text_col):
        seen.append((path.name, data, text_col))
        return ParsedDocument(text="hi", turns=[Turn("Ann", PARTICIPANT, 0, 2, 1)])

    registry.register(["zzq"], label="Test format", families=["feedback"], parse=fake)
    try:
        assert ".zzq" in parsers.SUPPORTED_EXTENSIONS
        path = tmp_path / "a.ZZQ"
        path.write_bytes(b"hi")
        doc = parsers.parse_file(path, text_col="x")
        assert doc.text == "hi" and seen == [("a.ZZQ", b"hi", "x")]
    finally:
        registry._FORMATS.pop(".zzq")
        registry.SUPPORTED_EXTENSIONS.discard(".zzq")


def test_a_parser_crash_is_an_ingest_error(tmp_path):
    def broken(path, data, text_col):
        raise KeyError("boom")

    registry.register([".zzk"], label="Broken", families=["transcript"], parse=broken)
    try:
        path = tmp_path / "a.zzk"
        path.write_bytes(b"x")
        with pytest.raises(IngestError, match=r"^cannot parse \.zzk file \(KeyError: 'boom'\)$"):
            parsers.parse_file(path)
    finally:
        registry._FORMATS.pop(".zzk")
        registry.SUPPORTED_EXTENSIONS.discard(".zzk")


def test_register_refuses_an_unknown_family():
    with pytest.raises(ValueError):
        registry.register([".zzx"], label="x", families=["video"], parse=lambda *a: None)
