"""parse_file's checks and its promise that only IngestError escapes."""
from __future__ import annotations

import pytest

from research_hub.ingest.parsers import SUPPORTED_EXTENSIONS, parse_file
from research_hub.ingest.types import IngestError


def test_the_registry_lists_every_supported_suffix():
    assert SUPPORTED_EXTENSIONS == {".txt", ".md", ".markdown", ".vtt", ".srt", ".docx",
                                    ".pdf", ".csv", ".json", ".jsonl",
                                    ".odt", ".rtf", ".html", ".htm", ".tsv", ".xlsx"}


def test_an_unknown_suffix_is_refused_with_the_supported_list(parse_error):
    message = parse_error("slides.xyz", "hello")
    assert message.startswith("unsupported file type '.xyz' (supported: .csv, .docx, ")
    assert parse_error("README", "hi").startswith("unsupported file type (no extension)")


def test_extension_is_case_insensitive(parse):
    doc = parse("NOTES.TXT", "Just a note.")
    assert doc.turns[0].speaker == "Author"
    assert parse("x.Markdown", "Interviewer: Hi?\nP1: Yo.\n").metadata["format"] == "md"


@pytest.mark.parametrize("name", ["e.txt", "e.vtt", "e.csv", "e.docx", "e.pdf", "e.json"])
def test_an_empty_file_is_refused(parse_error, name):
    assert parse_error(name, b"") == "file is empty"


@pytest.mark.parametrize("name", ["w.txt", "w.md", "w.srt", "w.csv", "w.jsonl"])
def test_a_whitespace_only_file_is_refused(parse_error, name):
    assert parse_error(name, "  \n\n\t \n") == "file has no text (only whitespace)"


def test_front_matter_alone_is_no_text(parse_error):
    assert parse_error("f.md", "---\ntitle: x\n---\n# Heading\n").startswith("no text found")


def test_size_limit_checked_before_reading(tmp_path, monkeypatch):
    path = tmp_path / "big.txt"
    with open(path, "wb") as handle:  # sparse 73.2 MB file: stat says big, nothing read
        handle.truncate(int(73.2 * 1024 * 1024))

    def no_read(self):
        raise AssertionError("read before the size check")

    monkeypatch.setattr(type(path), "read_bytes", no_read)
    with pytest.raises(IngestError) as info:
        parse_file(path)
    assert str(info.value) == "file is 73.2 MB, over the 50 MB limit"


def test_size_limit_is_configurable(parse_error, parse):
    assert parse_error("s.txt", "x" * 2048, max_bytes=1024) == "file is 2.0 KB, over the 1 KB limit"
    assert parse("s.txt", "small", max_bytes=1024).text == "small"


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(IngestError, match="file not found"):
        parse_file(tmp_path / "missing.txt")
    folder = tmp_path / "folder.txt"
    folder.mkdir()
    with pytest.raises(IngestError, match="is a directory"):
        parse_file(folder)


def test_an_unreadable_file_says_permission_denied(tmp_path, monkeypatch):
    path = tmp_path / "secret.txt"
    path.write_text("Interviewer: hi")

    def denied(self):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(type(path), "read_bytes", denied)
    with pytest.raises(IngestError) as info:
        parse_file(path)
    assert str(info.value) == "cannot read file: Permission denied"


def test_unexpected_library_error_is_wrapped(parse_error, monkeypatch):
    import research_hub.ingest.parsers.transcript as transcript

    def boom(*args, **kwargs):
        raise ValueError("library blew up\nwith a second line")

    monkeypatch.setattr(transcript, "build_document", boom)
    assert parse_error("t.txt", "hello") == "cannot parse .txt file (ValueError: library blew up)"


def test_deeply_nested_json_is_an_ingest_error(parse_error):
    message = parse_error("deep.json", "[" * 100000 + "]" * 100000)
    assert "nested too deeply" in message
