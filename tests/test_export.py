"""Evidence bundles: every quote in every format is the source text at its cited offsets;
formula and HTML injection come out inert. One small workspace for the module."""
from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import zipfile
from html.parser import HTMLParser

import pytest
from typer.testing import CliRunner

from research_hub.export import tabular
from research_hub.export.pdf import latin1, unicode_font
from tests.conftest import write

DANA = """---
study: pilot
date: 2026-01-10
---
Interviewer: How do you export invoices?
Dana: Exporting invoices to PDF is slow & the preview shows <script>alert("x")</script> instead.
Interviewer: What would help?
Dana: A PDF export that Zoë’s café can trust – “one click”, ✓ done. Привет from our Kyiv office.
"""
FEEDBACK = '''id,date,plan,text
1,2026-02-01,Pro,"=HYPERLINK(""http://evil.example"",""click me"") shows up when the PDF export breaks"
2,2026-02-03,Free,"-1 from me: the PDF export is broken <img src=x onerror=alert(1)> again"
3,2026-02-05,Pro,"+1 for faster PDF exports please"
4,2026-02-06,Free,"@support the PDF export takes forever"
'''
VTT = """WEBVTT

00:00:01.000 --> 00:00:04.000
<v Interviewer>What slows you down?

00:01:05.000 --> 00:01:09.500
<v Erin Novak>The PDF export is slow; I wait minutes for it.
"""
TITLE = '=cmd|" /C calc"!A0 <script>alert(1)</script>'
NOTE = "@SUM(A1:A9) <b>bold</b> [link](javascript:alert(1))"
FORMATS = ("md", "html", "csv", "json", "pdf", "zip")


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    from research_hub import Hub

    root = tmp_path_factory.mktemp("export")
    write(root / "in" / "dana.md", DANA)
    write(root / "in" / "feedback.csv", FEEDBACK)
    write(root / "in" / "erin.vtt", VTT)
    hub = Hub(root / "ws")
    report = hub.ingest([root / "in"])
    assert report.ok, [f.error for f in report.failed]
    hub.roadmap.add(TITLE, "-2+3 <img src=x onerror=alert(1)>\nsecond line", feature_id="TB-7")
    for s in hub.snippets(role="participant"):
        hub.roadmap.link("TB-7", s.snippet_id, note=NOTE)
    yield hub
    hub.close()


@pytest.fixture(scope="module")
def out(ws):
    return {fmt: ws.export("TB-7", fmt) for fmt in FORMATS}


@pytest.fixture(scope="module")
def expected(ws):
    """snippet id -> (document id, start, end, text) for every confirmed quote."""
    return {s.snippet_id: (s.document_id, s.char_start, s.char_end, s.text)
            for s in ws.snippets(role="participant")}


def at_offsets(ws, doc_id, start, end):
    return ws.workspace.records.document_text(doc_id)[int(start):int(end)]


def test_corpus_has_the_hostile_quotes(expected):
    texts = [t for *_, t in expected.values()]
    assert any(t.startswith("=HYPERLINK") for t in texts)
    assert any(t.startswith(("-1", "+1", "@support")) for t in texts)
    assert any("<script>" in t for t in texts) and any("Zoë" in t for t in texts)


def test_json_quotes_are_verbatim_at_their_offsets(ws, out, expected):
    data = json.loads(out["json"])
    quotes = [q for g in data["groups"] for q in g["quotes"]]
    assert sorted(q["snippet_id"] for q in quotes) == sorted(expected)
    for q in quotes:
        assert at_offsets(ws, q["document_id"], q["char_start"], q["char_end"]) == q["quote"]
        assert q["note"] == NOTE and q["speaker"] and q["participant"]
    erin = next(q for q in quotes if q["speaker"] == "Erin Novak")
    assert erin["timestamp"] == "00:01:05" and erin["question"] == "What slows you down?"
    assert data["summary"]["evidence"] == len(expected)
    assert any(s.startswith("plan: ") for s in data["summary"]["segments"])


def _md_quotes(md: str):
    blocks = re.findall(r"\n(~{3,})text\n(.*?)\n\1\n", md, flags=re.S)
    cites = re.findall(r"chars (\d+)-(\d+)\n- Date.*?Snippet: (\w+) in document (\w+)", md, flags=re.S)
    return [b for _, b in blocks], cites


def test_markdown_quotes_are_verbatim_at_their_offsets(ws, out, expected):
    md = out["md"].decode("utf-8")
    blocks, cites = _md_quotes(md)
    assert len(blocks) == len(cites) == len(expected)
    for text, (start, end, sid, doc_prefix) in zip(blocks, cites):
        doc = ws.workspace.records.find_document(doc_prefix)["id"]
        assert at_offsets(ws, doc, start, end) == text == expected[sid][3]


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.quotes, self._open = [], [], None

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "blockquote" and dict(attrs).get("class") == "quote":
            self._open = [dict(attrs), ""]

    def handle_data(self, data):
        if self._open is not None:
            self._open[1] += data

    def handle_endtag(self, tag):
        if tag == "blockquote" and self._open is not None:
            self.quotes.append(tuple(self._open))
            self._open = None


def test_html_quotes_are_verbatim_at_their_offsets(ws, out, expected):
    page = _Tags()
    page.feed(out["html"].decode("utf-8"))
    assert len(page.quotes) == len(expected)
    for attrs, text in page.quotes:
        assert at_offsets(ws, attrs["data-document"], attrs["data-start"], attrs["data-end"]) == text
        assert text == expected[attrs["data-snippet"]][3]


def test_html_is_inert_and_self_contained(out):
    html = out["html"].decode("utf-8")
    page = _Tags()
    page.feed(html)
    allowed = {"html", "head", "meta", "title", "style", "body", "h1", "h2", "p", "code", "table", "tr",
               "th", "td", "div", "blockquote", "strong", "span"}
    assert {t for t, _ in page.tags} <= allowed
    for _, attrs in page.tags:
        assert not any(a.startswith("on") or a in ("src", "href", "action") for a in attrs)
    assert "<script" not in html.lower() and "<img" not in html.lower() and "<b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # the title, shown as text
    assert "http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'" in html
    assert "url(" not in html and "@import" not in html


def test_csv_quotes_are_verbatim_at_their_offsets_and_formulas_inert(ws, out, expected):
    text = out["csv"].decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    for row in rows:
        for cell in row:
            assert not cell.startswith(tabular.DANGEROUS), cell
    records = list(csv.DictReader(io.StringIO(text, newline="")))
    assert len(records) == len(expected)
    for r in records:
        quote = r["quote"][1:] if r["quote"].startswith("'") and r["quote"][1:].startswith(
            tabular.DANGEROUS) else r["quote"]
        assert quote == expected[r["snippet_id"]][3]
        assert at_offsets(ws, r["document_id"], r["char_start"], r["char_end"]) == quote
        assert r["feature_title"] == "'" + TITLE and r["note"] == "'" + NOTE
    assert {r["quote"][:2] for r in records} >= {"'=", "'-", "'+", "'@"}


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_neutralise_prefixes_every_dangerous_start(value):
    assert tabular.neutralise(value) == "'" + value
    assert tabular.neutralise("safe " + value) == "safe " + value


def _squash(text: str) -> str:
    return "".join(text.split())


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


def test_pdf_holds_every_quote_with_its_citation(out, expected):
    assert out["pdf"].startswith(b"%PDF")
    text = _squash(_pdf_text(out["pdf"]))
    for _, start, end, quote in expected.values():
        shown = quote if unicode_font() else latin1(quote)
        assert _squash(shown) in text
        assert _squash(f"chars {start}-{end}") in text


def test_pdf_without_a_unicode_font_transliterates_and_says_so(ws, monkeypatch):
    from research_hub.export import pdf

    monkeypatch.setattr(pdf, "unicode_font", lambda: None)
    text = _pdf_text(ws.export("TB-7", "pdf"))
    assert "transliterates" in text
    assert "Zoe's" in text.replace("\n", " ") or "Zoë's" in text.replace("\n", " ")


def test_zip_holds_every_format_and_a_manifest_of_hashes(ws, out, expected):
    zf = zipfile.ZipFile(io.BytesIO(out["zip"]))
    names = {n.split("/", 1)[1]: n for n in zf.namelist()}
    assert set(names) == {f"TB-7-evidence.{f}" for f in ("md", "html", "csv", "json", "pdf")} | {"manifest.json"}
    manifest = json.loads(zf.read(names["manifest.json"]))
    for f in manifest["files"]:
        assert hashlib.sha256(zf.read(names[f["name"]])).hexdigest() == f["sha256"]
    cited = {d for d, *_ in expected.values()}
    assert {s["document_id"] for s in manifest["sources"]} == cited
    for s in manifest["sources"]:
        stored = ws.workspace.records.document_row(s["document_id"])["stored_path"]
        with open(stored, "rb") as fh:
            assert hashlib.sha256(fh.read()).hexdigest() == s["sha256"] == s["document_id"]
        assert s["matches_document_id"]
    inner = json.loads(zf.read(names["TB-7-evidence.json"]))
    for q in (q for g in inner["groups"] for q in g["quotes"]):
        assert at_offsets(ws, q["document_id"], q["char_start"], q["char_end"]) == q["quote"]
    blocks, _ = _md_quotes(zf.read(names["TB-7-evidence.md"]).decode("utf-8"))
    assert sorted(blocks) == sorted(t for *_, t in expected.values())


def test_markdown_outside_quotes_is_inert(out):
    md = out["md"].decode("utf-8")
    outside = re.sub(r"\n(~{3,})text\n.*?\n\1\n", "\n", md, flags=re.S)
    assert not re.search(r"(?<!\\)<", outside)  # every < outside a quote is backslash-escaped
    assert not re.search(r"(?<!\\)\]\(", outside)  # so no [text](url) link either
    assert "\\<script\\>alert(1)\\</script\\>" in outside


def test_bad_format_and_unknown_feature(ws):
    with pytest.raises(ValueError, match="unknown format"):
        ws.export("TB-7", "docx")
    with pytest.raises(KeyError):
        ws.export("NOPE", "md")


def test_cli_export_writes_the_bundle(ws, tmp_path):
    from research_hub.cli import app

    runner = CliRunner()
    for fmt, target in (("zip", tmp_path), ("html", tmp_path / "sub" / "evidence.html")):
        result = runner.invoke(app, ["--home", str(ws.home), "export", "TB-7", "--format", fmt,
                                     "--out", str(target)])
        assert result.exit_code == 0, result.output
    assert zipfile.is_zipfile(tmp_path / "TB-7-evidence.zip")
    assert (tmp_path / "sub" / "evidence.html").read_bytes().startswith(b"<!DOCTYPE html>")
