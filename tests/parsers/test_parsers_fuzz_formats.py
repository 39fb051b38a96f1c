"""Seeded random inputs for the newer readers (HTML, RTF, ODT, XLSX, TSV, transcript
tables, think-aloud sessions): every parse keeps the offset invariant or raises
IngestError, and splitting keeps offsets exact."""
from __future__ import annotations

import io
import random

import pytest

from research_hub.ingest.parsers import parse_file
from research_hub.ingest.split import split_document
from research_hub.ingest.types import IngestError

HTML_BITS = ["<p>", "</p>", "<b>Interviewer:</b> Why?", "Ana: because", "<br>", "<td>",
             "<tr>", "</tr>", "<table>", "</table>", "<script>x</script>", "&amp;", "&#8212;",
             "<h1>Title</h1>", "<pre>a\n b</pre>", "<div>", "</div>", "<!-- c -->", "<", ">",
             "<style>", "</style>", "<title>T</title>", "text", "\n", "<li>Task 1: Find it.</li>"]
RTF_BITS = [r"\par ", r"\line ", r"{\b ", "}", "{", r"\'e9", r"\u233?", "Interviewer: Why? ",
            "Ana: Because. ", r"\tab ", "\\", r"{\*\generator x}", "plain "]
TABLE_ROWS = [("Ann", "How do you export?"), ("", "And why?"), ("Bo:", "By hand."),
              ("AB", "Okay."), ("Ann Bell", "Yeah."), ("", ""), ("Bo", "It takes, uh, hours.")]
SESSION_LINES = ["Task 1: Find the export.", "3.a Please explain.", "Okay so I click here.",
                 "", "Hmm.", "# Part", "Participant: P4", "2) How would you pay?", "no idea"]


def _table(rng: random.Random, sep: str) -> str:
    header = sep.join(rng.sample(["speaker", "words", "tags", "timestamp", "start", "text"], 3))
    rows = []
    for _ in range(rng.randint(0, 8)):
        who, said = rng.choice(TABLE_ROWS)
        cells = [who, said, rng.choice(["", "a;b", "career"]), rng.choice(["", "[0:01]", "12.5", "x"])]
        rows.append(sep.join('"' + c.replace('"', '""') + '"' for c in cells[:3]))
    return "\n".join([header] + rows)


def _xlsx(rng: random.Random) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    for _ in range(rng.randint(0, 6)):
        sheet.append([rng.choice(["speaker", "Ann", None, "Bo:", 3]),
                      rng.choice(["words", "text", "Hello there.", None, 1.5])])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _odt(rng: random.Random) -> bytes:
    from odf.opendocument import OpenDocumentText
    from odf.text import H, P

    document = OpenDocumentText()
    for _ in range(rng.randint(0, 6)):
        text = rng.choice(["Interviewer: Why?", "Ana: Because.", "", "Task 2: Pay.", "ok"])
        document.text.addElement(H(outlinelevel=1, text=text) if rng.random() < 0.2 else P(text=text))
    buffer = io.BytesIO()
    document.write(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("seed", range(25))
def test_random_inputs_keep_the_contract(tmp_path, check, seed):
    rng = random.Random(seed)
    cases = [
        ("p.html", "".join(rng.choice(HTML_BITS) for _ in range(rng.randint(1, 40)))),
        ("d.rtf", "{\\rtf1\\ansi " + "".join(rng.choice(RTF_BITS) for _ in range(rng.randint(0, 30)))
         + rng.choice(["}", ""])),
        ("t.csv", _table(rng, ",")), ("t.tsv", _table(rng, "\t")),
        ("s.txt", "\n".join(rng.choice(SESSION_LINES) for _ in range(rng.randint(1, 15)))),
        ("x.xlsx", _xlsx(rng)), ("o.odt", _odt(rng)),
    ]
    junk = bytes(rng.randrange(256) for _ in range(rng.randint(1, 300)))
    cases += [(f"junk{ext}", junk) for ext in (".html", ".rtf", ".odt", ".xlsx", ".tsv")]
    for name, content in cases:
        path = tmp_path / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
        try:
            doc = parse_file(path)
        except IngestError as exc:
            assert str(exc) and "\n" not in str(exc)
            continue
        check(doc)
        for snip in split_document(doc, name):
            assert doc.text[snip.char_start:snip.char_end] == snip.text
