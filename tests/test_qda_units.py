"""REFI-QDA pieces without a workspace: reading other tools' positions, codebooks, the zip."""
from __future__ import annotations

import io
import zipfile

import pytest

from research_hub.core.errors import InvalidInputError
from research_hub.qda.codebook import as_taxonomy, parse_qdc, render_qdc
from research_hub.qda.model import Code, Selection
from research_hub.qda.offsets import STANDARD, Positions, Reading, quotes
from research_hub.qda.package import Package
from tests.qda_files import assert_valid_codebook

# a file as a Windows tool writes it: BOM, CRLF, astral emoji (with a skin-tone modifier), accents
RAW = ("\ufeffInterviewer: What hurts?\r\nAna: The export to Zoë's sheet fails 😩 weekly.\r\n"
       "Interviewer: And the app?\r\nAna: Great 👍🏽 on my phone, I love it.\r\n")
QUOTES = ["The export to Zoë's sheet fails 😩 weekly.", "Great 👍🏽 on my phone, I love it.",
          "What hurts?\nAna: The export"]


def encoded(raw: str, quote: str, reading: Reading) -> tuple[int, int]:
    """Where a tool counting as `reading` puts the quote (found in the normalized text)."""
    body = raw[1:]
    text = body.replace("\r\n", "\n")
    start = text.index(quote)
    end = start + len(quote)

    def pos(i: int) -> int:
        prefix = text[:i]
        if reading.crlf:
            prefix = prefix.replace("\n", "\r\n")
        n = len(prefix.encode("utf-16-le")) // 2 if reading.utf16 else len(prefix)
        return n + (1 if reading.bom else 0)

    return pos(start), pos(end)


@pytest.mark.parametrize("reading", Positions(RAW).readings(), ids=lambda r: r.describe())
def test_positions_counted_any_way_cut_the_quoted_text(reading):
    pos = Positions(RAW)
    sels = [Selection(*encoded(RAW, q, reading), name=q) for q in QUOTES]
    chosen = pos.choose(sels)
    for q, sel in zip(QUOTES, sels):
        start, end = pos.span(sel, chosen)
        assert pos.text[start:end] == q
    assert pos.text == RAW[1:].replace("\r\n", "\n")


def test_there_are_eight_readings_for_a_file_with_bom_crlf_and_emoji():
    assert len(Positions(RAW).readings()) == 8
    assert Positions("plain ascii\n").readings() == [STANDARD]


def test_without_witnesses_the_standard_reading_holds():
    pos = Positions(RAW)
    start, end = encoded(RAW, QUOTES[1], STANDARD)
    chosen = pos.choose([Selection(start, end, name="")])
    assert chosen == STANDARD and pos.text[slice(*pos.span(Selection(start, end, ""), chosen))] == QUOTES[1]


def test_a_position_inside_a_surrogate_pair_is_refused():
    pos = Positions("a😩b")
    assert pos.offset(2, Reading(utf16=True)) is None
    assert pos.offset(3, Reading(utf16=True)) == 2
    assert pos.offset(9, STANDARD) is None  # past the end


def test_a_name_witnesses_exactly_or_loosely():
    assert quotes("line one\nline two", "line one\r\nline two") == 2
    assert quotes("The export to the accountant fails every week", "The export to the…") == 1
    assert quotes(" line one\nline two", "line one line two") == 1
    assert quotes("The export fails", "The import fails") == 0
    assert quotes("anything", "") == 0


def test_an_exact_cut_beats_one_shifted_across_a_space():
    # the emoji shifts UTF-16 ends by one, as counting a BOM shifts every position by one:
    # only exactness tells the readings apart
    raw = "\ufeffAna: Yes. The feed 🏦 drops. Then I fix it."
    body = raw[1:]
    sels = []
    for q in ("The feed 🏦 drops.", "Then I fix it."):
        i = body.index(q)
        sels.append(Selection(len(body[:i].encode("utf-16-le")) // 2,
                              len(body[:i + len(q)].encode("utf-16-le")) // 2, q))
    assert Positions(raw).choose(sels) == Reading(utf16=True)


QDC = """\ufeff<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="MAXQDA">
  <Codes>
    <Code guid="{6E8A4B52-0C1B-4F62-8B5E-4C7C3E0F0A11}" name="Barriers" isCodable="false">
      <Description>Why people stop</Description>
      <Code guid="6e8a4b52-0c1b-4f62-8b5e-4c7c3e0f0a12" name="Cost" isCodable="true">
        <Description>Price is the reason</Description>
      </Code>
      <Code guid="6e8a4b52-0c1b-4f62-8b5e-4c7c3e0f0a13" name="Qualité" isCodable="true"/>
    </Code>
    <Code guid="6e8a4b52-0c1b-4f62-8b5e-4c7c3e0f0a14" name="Pain point" isCodable="true"/>
    <Code guid="6e8a4b52-0c1b-4f62-8b5e-4c7c3e0f0a15" name="価格" isCodable="true"/>
  </Codes>
</CodeBook>""".encode("utf-8")


def test_a_codebook_reads_as_tags_with_its_nesting_kept():
    codes = {c.tag: c for c in parse_qdc(QDC)}
    assert set(codes) == {"barriers", "barriers_cost", "barriers_qualite", "pain_point",
                          "code_6e8a4b52"}
    cost = codes["barriers_cost"]
    assert (cost.name, cost.parent, cost.description, cost.codable) == \
        ("Cost", "barriers", "Price is the reason", True)
    assert codes["barriers"].codable is False
    assert codes["barriers"].guid == "6e8a4b52-0c1b-4f62-8b5e-4c7c3e0f0a11"  # braces and case normalized
    assert codes["barriers_qualite"].name == "Qualité"
    taxonomy = {t.name: t for t in as_taxonomy(list(codes.values()))}
    assert set(taxonomy) == {"barriers_cost", "barriers_qualite", "code_6e8a4b52"}  # no category, no rule tag
    assert taxonomy["barriers_cost"].keywords == ["Cost"]


def test_a_codebook_written_back_keeps_names_nesting_and_guids_and_validates():
    codes = parse_qdc(QDC)
    again = parse_qdc(render_qdc(codes, "research_hub"))
    assert [(c.tag, c.name, c.guid, c.parent, c.codable, c.description) for c in again] == \
           [(c.tag, c.name, c.guid, c.parent, c.codable, c.description) for c in codes]
    assert_valid_codebook(render_qdc(codes, "research_hub"))


def test_the_codebook_check_catches_a_broken_codebook():
    broken = render_qdc([Code("x", "x", "not-a-guid")], "research_hub")
    with pytest.raises(AssertionError):
        assert_valid_codebook(broken)


@pytest.mark.parametrize("data,reason", [
    (b"<Project/>", "not a REFI-QDA codebook"),
    (b"<CodeBook><Codes/></CodeBook>", "has no codes"),
    (b"<CodeBook><Codes>", "not well-formed"),
])
def test_a_bad_codebook_is_refused_with_a_reason(data, reason):
    with pytest.raises(InvalidInputError, match=reason):
        parse_qdc(data)


def _zip(tmp_path, members: dict[str, bytes]):
    path = tmp_path / "p.qdpx"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    path.write_bytes(buf.getvalue())
    return path


def test_sources_are_found_however_a_tool_spells_their_path(tmp_path):
    path = _zip(tmp_path, {"project.qde": b"<Project/>", "Sources/a.txt": b"A", "Sources/sub/b.txt": b"B"})
    with Package(path, 1000) as pkg:
        assert pkg.project() == b"<Project/>"
        assert pkg.source("internal://a.txt") == b"A"
        assert pkg.source("relative://sub/b.txt") == b"B"
        assert pkg.source("absolute://C:\\Users\\me\\a.txt") == b"A"
        assert pkg.source("internal://missing.txt") is None


def test_an_oversized_member_or_a_non_zip_is_refused(tmp_path):
    path = _zip(tmp_path, {"project.qde": b"<Project/>" + b" " * 5000})
    with Package(path, 1000) as pkg, pytest.raises(InvalidInputError, match="limit"):
        pkg.project()
    (tmp_path / "x.qdpx").write_text("not a zip")
    with pytest.raises(InvalidInputError, match="not a QDPX"):
        Package(tmp_path / "x.qdpx", 1000)
    with pytest.raises(InvalidInputError, match="no project.qde"):
        Package(_zip(tmp_path, {"other.xml": b"<x/>"}), 1000).project()
