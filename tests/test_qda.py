"""REFI-QDA exchange on real workspaces: QDPX and QDC export, schema validity, exact offsets,
codes, cases and users, QDC import as a taxonomy, QDPX import and the round trip."""
from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from research_hub.qda.model import MACHINE, UNKNOWN
from tests.qda_files import Q, assert_valid, assert_valid_codebook, cases, selections, unpack

pytestmark = pytest.mark.integration
STUDY = "2026-q4-accountant-workflows"

# a Windows export: BOM, CRLF line ends, astral emoji (one with a skin tone, one a flag), accents
INTERVIEW = ("\ufeffInterviewer: How do you send invoices to your accountant?\r\n"
             "Ana: Honestly it's a pain 😩, the export to Zoë's spreadsheet breaks every single week.\r\n"
             "Interviewer: Anything you love about it?\r\n"
             "Ana: The mobile app is great 👍🏽 and I would love a Spanish version, por favor 🇪🇸.\r\n")
FEEDBACK = ("id,date,author,plan,company_size,text\n"
            "1,2026-10-01,Léa Martin,Pro,11-50,\"The bank feed keeps disconnecting 😤 and I reconnect it daily.\"\n"
            "2,2026-10-02,Kenji,Starter,1-10,\"Love the invoice templates ❤️, they look really nice.\"\n")


@pytest.fixture(scope="module")
def mini(tmp_path_factory):
    """A small workspace from a CRLF/BOM/emoji transcript and a feedback CSV with segment columns."""
    from research_hub import Hub

    root = tmp_path_factory.mktemp("qda-mini")
    (root / "in").mkdir()
    (root / "in" / "2026-11-03_ana-interview.txt").write_bytes(INTERVIEW.encode("utf-8"))
    (root / "in" / "feedback.csv").write_text(FEEDBACK, encoding="utf-8")
    hub = Hub(root / "ws")
    report = hub.ingest([root / "in"], study="mini")
    assert report.ok, [f.error for f in report.failed]
    emoji = next(s for s in hub.snippets() if "👍🏽" in s.text)
    hub.add_tag(emoji.snippet_id, "Mobile")
    # coded by hand, so the export holds it whatever the tag model makes of it
    feed = next(s for s in hub.snippets() if "😤" in s.text)
    hub.add_tag(feed.snippet_id, "Bank feeds")
    yield hub
    hub.close()


def export(hub, **kw) -> bytes:
    return hub.qda.export_qdpx(**kw)


# -- validity and offsets --------------------------------------------------------------------
def test_the_workspace_exports_as_a_project_the_refi_schema_accepts(sample_hub, mini):
    for hub in (sample_hub, mini):
        root, files = unpack(export(hub))
        assert_valid(files["project.qde"])
        assert len(root.findall(".//q:TextSource", Q)) == len(hub.documents())


def test_the_schema_check_catches_a_broken_project(mini):
    _, files = unpack(export(mini))
    broken = files["project.qde"].replace(b'startPosition="', b'startPosition="x', 1)
    with pytest.raises(AssertionError):
        assert_valid(broken)


def test_every_selection_cuts_exactly_its_quote_out_of_the_source_file(sample_hub):
    found = selections(export(sample_hub))
    assert found
    for sel in found:
        assert sel["text"][sel["start"]:sel["end"]] == sel["name"], sel["source"]
    tagged = [s for s in sample_hub.snippets() if s.tags]
    assert sorted(s["name"] for s in found) == sorted(s.text for s in tagged)
    assert any(any(ord(ch) > 127 for ch in s["name"]) for s in found)  # the cp1252 café interview


def test_emoji_and_crlf_origin_text_keeps_exact_offsets(mini):
    found = selections(export(mini))
    for sel in found:
        assert not sel["raw"].startswith(b"\xef\xbb\xbf") and b"\r" not in sel["raw"]
        assert sel["text"][sel["start"]:sel["end"]] == sel["name"]
    names = [s["name"] for s in found]
    for piece in ("👍🏽", "😤", "Zoë"):
        assert any(piece in n for n in names), piece
    stored = {d.name: mini.document(d.id)["text"] for d in mini.documents()}
    texts = {s["source"]: s["text"] for s in found}
    assert texts == {name: text for name, text in stored.items() if name in texts}



def test_highlights_export_as_selections_coded_by_their_author(mini):
    doc = next(d for d in mini.documents() if d.name.endswith("ana-interview.txt"))
    text = mini.document(doc.id)["text"]
    start = text.index("the export to")
    mark = mini.highlights.add(doc.id, start, start + len("the export to Zoë's spreadsheet breaks"),
                               tags=["Export breaks"], author="zoe")
    try:
        root, files = unpack(export(mini))
        assert_valid(files["project.qde"])
        mine = [s for s in selections(export(mini)) if s["name"] == mark.text]
        assert mine and mine[0]["text"][mine[0]["start"]:mine[0]["end"]] == mark.text
        assert [(code, user) for code, user, _ in mine[0]["codings"]] == [(mark.tags[0], "zoe")]
        assert mark.tags == ["export_breaks"]
    finally:
        mini.highlights.remove(mark.id)

# -- codes, cases, users -----------------------------------------------------------------------
def test_every_tag_is_a_code_with_its_description(sample_hub):
    root, _ = unpack(export(sample_hub))
    codes = {c.get("name"): c.findtext("q:Description", namespaces=Q) for c in root.iterfind(".//q:Code", Q)}
    assert set(codes) == set(sample_hub.stats()["tags"])
    assert all(codes.values())  # the rule tags have descriptions
    cited = {c for s in selections(export(sample_hub)) for c, _, _ in s["codings"]}
    assert cited == set(codes)


def test_every_speaker_is_a_case_with_variables_sources_and_selections(sample_hub):
    data = export(sample_hub)
    found = cases(data)
    snippets = sample_hub.snippets()
    assert set(found) == {s.participant for s in snippets}
    for s in snippets:
        case = found[s.participant]
        assert case["values"]["participant"] == s.participant and s.role in case["values"]["role"].split("; ")
        assert s.study in case["values"]["study"].split("; ") and s.document_path.endswith(tuple(case["sources"]))
    harriet = found["Harriet"]
    assert (harriet["values"]["role"], harriet["values"]["study"], harriet["values"]["kind"]) == \
        ("participant", STUDY, "interview")
    assert sorted(s["name"] for s in harriet["selections"]) == \
        sorted(s.text for s in sample_hub.snippets(participant="Harriet") if s.tags)


def test_segment_columns_of_feedback_rows_are_case_variables(mini):
    assert cases(export(mini))["Léa Martin"]["values"] == {
        "participant": "Léa Martin", "role": "participant", "study": "mini", "kind": "survey",
        "company_size": "11-50", "plan": "Pro"}


def test_machine_tags_are_the_research_hub_user_and_manual_ones_a_person_with_dates(mini):
    sels = selections(export(mini))
    mobile = next(s for s in sels if "👍🏽" in s["name"])
    by_code = {c: (user, at) for c, user, at in mobile["codings"]}
    assert by_code["mobile"][0] == UNKNOWN
    ingested = next(d.ingested_at for d in mini.documents() if d.name.endswith(".txt"))
    assert all(user == MACHINE and at == ingested for c, (user, at) in by_code.items() if c != "mobile")
    assert by_code["mobile"][1] >= ingested


def test_a_study_exports_only_its_documents_and_people(sample_hub):
    project = sample_hub.qda.project(STUDY)
    assert {s.study for s in project.sources} == {STUDY}
    assert {c.variables["study"] for c in project.cases} == {STUDY}
    assert_valid(unpack(export(sample_hub, study=STUDY))[1]["project.qde"])
    with pytest.raises(KeyError, match="no documents in study"):
        sample_hub.qda.project("no-such-study")


def test_an_empty_workspace_exports_a_valid_empty_project(hub):
    root, files = unpack(export(hub))
    assert_valid(files["project.qde"])
    assert list(files) == ["project.qde"] and root.find("q:Sources", Q) is None
    with pytest.raises(ValueError, match="no tags"):
        hub.qda.export_qdc()


# -- QDC -------------------------------------------------------------------------------------
MAXQDA_QDC = """<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="MAXQDA">
  <Codes>
    <Code guid="1f0c3a52-8d4e-4b6a-9c1d-2e3f4a5b6c70" name="Money" isCodable="false">
      <Code guid="1f0c3a52-8d4e-4b6a-9c1d-2e3f4a5b6c71" name="Invoices" isCodable="true">
        <Description>Sending and chasing invoices</Description>
      </Code>
    </Code>
    <Code guid="1f0c3a52-8d4e-4b6a-9c1d-2e3f4a5b6c72" name="Spreadsheet" isCodable="true"/>
  </Codes>
</CodeBook>""".encode()


def test_the_codebook_exports_as_qdc_with_every_tag(sample_hub):
    qdc = sample_hub.qda.export_qdc()
    assert_valid_codebook(qdc)
    from research_hub.qda.codebook import parse_qdc

    assert {c.tag for c in parse_qdc(qdc)} == set(sample_hub.stats()["tags"])


def test_a_qdc_imports_as_a_taxonomy_applied_to_later_ingests(hub, tmp_path):
    path = tmp_path / "maxqda.qdc"
    path.write_bytes(MAXQDA_QDC)
    report = hub.qda.import_qdc(path)
    assert report["taxonomy_tags"] == ["money_invoices", "spreadsheet"] and report["categories"] == ["money"]
    taxonomy = {t.name: t for t in hub.workspace.taxonomy()}
    assert taxonomy["money_invoices"].description == "Sending and chasing invoices"
    (tmp_path / "in.txt").write_text("Interviewer: How?\nSam: I keep invoices in a spreadsheet, it is slow.\n")
    assert hub.ingest([tmp_path / "in.txt"]).ok
    sam = next(s for s in hub.snippets() if s.participant == "Sam")
    assert {"money_invoices", "spreadsheet"} <= set(sam.tags)
    again = hub.qda.export_qdc()
    assert_valid_codebook(again)
    root = pytest.importorskip("lxml.etree").fromstring(again)
    ns = {"c": "urn:QDA-XML:codebook:1.0"}
    money = root.find("c:Codes/c:Code[@name='Money']", ns)
    assert money.get("isCodable") == "false" and money.get("guid") == "1f0c3a52-8d4e-4b6a-9c1d-2e3f4a5b6c70"
    assert money.find("c:Code", ns).get("name") == "Invoices"


# -- QDPX import and the round trip -----------------------------------------------------------------
def signature(project):
    """What must survive export -> import -> export (machine tags are re-dated by the new ingest)."""
    src = {s.document_id: s for s in project.sources}
    return {
        "sources": sorted((s.guid, Path(s.name).stem, s.text, s.study, s.kind, s.date)
                          for s in project.sources),
        "codings": sorted((src[c.document_id].guid, c.start, c.end, c.text, c.user,
                           tuple(sorted((a.tag, a.user, None if a.user == MACHINE else a.at) for a in c.codes)))
                          for c in project.codings),
        "codes": sorted((c.guid, c.name, c.description, c.parent, c.codable) for c in project.codes),
        "cases": sorted((c.participant, tuple(sorted(c.variables.items())), len(c.document_ids),
                         len(c.coding_keys)) for c in project.cases),
        "users": sorted(project.users)}


def test_a_study_round_trips_through_qdpx(sample_copy, tmp_path):
    from research_hub import Hub

    harriet = [s for s in sample_copy.snippets(participant="Harriet")]
    sample_copy.add_tag(harriet[3].snippet_id, "Month End")
    sample_copy.add_tag(harriet[4].snippet_id, "pain_point")
    removed = next(s for s in harriet if s.tags)
    sample_copy.remove_tag(removed.snippet_id, removed.tags[0])
    before = sample_copy.qda.project(STUDY)
    path = tmp_path / "q4.qdpx"
    sample_copy.qda.export_qdpx(path, study=STUDY)

    other = Hub(tmp_path / "other")
    try:
        report = other.qda.import_qdpx(path)
        assert report["not_placed"] == [] and report["skipped"] == []
        assert report["placed"]["exact"] == len(before.codings) and report["readings"] == {}
        after = other.qda.project(STUDY)
        assert signature(after) == signature(before)
        assert_valid(unpack(other.qda.export_qdpx(study=STUDY))[1]["project.qde"])
        again = other.qda.import_qdpx(path)  # importing again changes nothing
        assert again["sources"] == report["sources"] and len(other.documents()) == len(before.sources)
        assert signature(other.qda.project(STUDY)) == signature(before)
    finally:
        other.close()


def _external_qdpx(tmp_path) -> Path:
    """A project as another tool writes it: CRLF and a BOM in the file, positions in UTF-16
    units with CRs counted, one source inline, a PDF source, a coder of its own."""
    text = ("\ufeffInterviewer: What breaks?\r\nMia: The bank feed 🏦 drops every Monday. It happens "
            "after the weekend. Nobody knows why. I then re-link every account by hand.\r\n"
            "Interviewer: Anything else?\r\nMia: Reports are fine 🙂.\r\n")

    def units(sub: str, end=False) -> int:  # counted after the BOM, CRs included
        body = text[1:]
        i = body.index(sub) + (len(sub) if end else 0)
        return len(body[:i].encode("utf-16-le")) // 2

    whole = "The bank feed 🏦 drops every Monday. It happens after the weekend. Nobody knows why. " \
            "I then re-link every account by hand."
    last = "Nobody knows why. I then re-link every account by hand."
    half = "drops every Monday"

    def sel(guid, sub, code):
        return (f'<PlainTextSelection guid="{guid}" name="{sub}" startPosition="{units(sub)}" '
                f'endPosition="{units(sub, True)}"><Coding guid="{guid[:-1]}9" creatingUser="{JO}" '
                f'creationDateTime="2025-05-01T10:00:00Z"><CodeRef targetGUID="{code}"/></Coding>'
                f'</PlainTextSelection>')

    qde = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="NVivo study" origin="NVivo">
 <Users><User guid="{JO}" name="Jo Coder"/></Users>
 <CodeBook><Codes>
  <Code guid="{BANK}" name="Bank feeds" isCodable="true"><Description>Feed problems</Description></Code>
  <Code guid="{FIX}" name="Workarounds" isCodable="true"/>
 </Codes></CodeBook>
 <Sources>
  <TextSource guid="aaaaaaaa-0000-4000-8000-000000000001" name="mia.docx" plainTextPath="relative://mia.txt">
   {sel("bbbbbbbb-0000-4000-8000-000000000001", whole, BANK)}
   {sel("bbbbbbbb-0000-4000-8000-000000000002", last, FIX)}
   {sel("bbbbbbbb-0000-4000-8000-000000000003", half, BANK)}
  </TextSource>
  <TextSource guid="aaaaaaaa-0000-4000-8000-000000000002" name="note">
   <PlainTextContent>Interviewer: Hi?&#10;Lu: The bank feed is fine for me.</PlainTextContent>
  </TextSource>
  <TextSource guid="aaaaaaaa-0000-4000-8000-000000000004" name="lost" plainTextPath="internal://lost.txt"/>
  <PDFSource guid="aaaaaaaa-0000-4000-8000-000000000003" name="scan.pdf" path="internal://x.pdf"/>
 </Sources>
</Project>"""
    path = tmp_path / "nvivo.qdpx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("project.qde", qde.encode("utf-8"))
        zf.writestr("Sources/mia.txt", text.encode("utf-8"))
    return path


JO = "cccccccc-0000-4000-8000-000000000001"
BANK = "dddddddd-0000-4000-8000-000000000001"
FIX = "dddddddd-0000-4000-8000-000000000002"


def test_another_tools_project_imports_at_the_right_offsets(hub, tmp_path):
    report = hub.qda.import_qdpx(_external_qdpx(tmp_path))
    assert report["readings"] == {"mia.docx": "UTF-16 units, CR counted"}
    assert report["sources"] == 2 and report["skipped"] == [
        "lost: its text 'internal://lost.txt' is not in the archive",
        "scan.pdf: a PDF source; only text is imported"]
    assert report["placed"] == {"exact": 1, "contained": 1}
    assert [(n["text"], n["codes"]) for n in report["not_placed"]] == [("drops every Monday", ["bank_feeds"])]
    mia = {s.text: s for s in hub.snippets(participant="Mia")}
    assert "workarounds" in mia["Nobody knows why. I then re-link every account by hand."].tags
    assert "workarounds" not in mia["The bank feed 🏦 drops every Monday. It happens after the weekend."].tags
    assert all(("bank_feeds" in s.tags) == ("Reports" not in s.text) for s in mia.values())
    doc = hub.document("mia.txt")
    assert "\r" not in doc["text"] and not doc["text"].startswith("\ufeff")
    audit = {e["action"]: e for e in reversed(hub.audit())}  # the journal of the import
    assert {"qdpx.import", "qdpx.codings", "ingest"} <= set(audit)
    assert any(r.get("tag") == "workarounds" for r in audit["qdpx.codings"]["after"])
    for s in doc["snippets"]:
        assert doc["text"][s.char_start:s.char_end] == s.text
    at = "2025-05-01T10:00:00+00:00"
    coded = {(s["name"], c, u, when) for s in selections(hub.qda.export_qdpx())
             for c, u, when in s["codings"] if u != MACHINE}
    first, second = "The bank feed 🏦 drops every Monday. It happens after the weekend.", \
        "Nobody knows why. I then re-link every account by hand."
    assert coded == {(first, "Bank feeds", "Jo Coder", at), (second, "Bank feeds", "Jo Coder", at),
                     (second, "Workarounds", "Jo Coder", at)}
    codes = {c.name: c for c in hub.qda.project().codes}
    assert codes["Bank feeds"].guid == BANK and codes["Bank feeds"].description == "Feed problems"
    assert any(s.text == "The bank feed is fine for me." for s in hub.snippets(participant="Lu"))


# -- the CLI ------------------------------------------------------------------------------------
def run(home, *args):
    from research_hub.cli import app

    return CliRunner().invoke(app, ["--home", str(home), *args])


def test_the_cli_exports_and_imports(mini, tmp_path):
    res = run(mini.home, "qdpx", "export", str(tmp_path), "--study", "mini")
    assert res.exit_code == 0, res.output
    assert "mini.qdpx: 2 sources" in " ".join(res.output.split()) and (tmp_path / "mini.qdpx").exists()
    res = run(mini.home, "qdc", "export", str(tmp_path / "book.qdc"))
    assert res.exit_code == 0 and (tmp_path / "book.qdc").exists()
    (tmp_path / "maxqda.qdc").write_bytes(MAXQDA_QDC)
    res = run(tmp_path / "fresh", "qdc", "import", str(tmp_path / "maxqda.qdc"), "--json")
    assert res.exit_code == 0 and json.loads(res.output)["taxonomy_tags"] == ["money_invoices", "spreadsheet"]
    res = run(tmp_path / "fresh", "qdpx", "import", str(tmp_path / "mini.qdpx"), "--json")
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["not_placed"] == []
    res = run(tmp_path / "fresh", "qdpx", "import", str(tmp_path / "nothing.qdpx"))
    assert res.exit_code == 1 and "not found" in " ".join(res.output.split())
