"""DOCX (made with python-docx) and PDF (made with fpdf2) parsing."""
from __future__ import annotations

import io
import zipfile

import docx
import pytest
from fpdf import FPDF

from research_hub.ingest.types import INTERVIEWER, PARTICIPANT


def _docx_bytes(build) -> bytes:
    document = docx.Document()
    build(document)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _labelled(document, name: str, text: str) -> None:
    paragraph = document.add_paragraph()
    paragraph.add_run(f"{name}:").bold = True
    paragraph.add_run(f" {text}")


def test_docx_paragraphs_are_attributed_to_their_speakers(parse, spoken):
    def build(d):
        d.add_heading("Interview with Renée", level=1)
        _labelled(d, "Interviewer", "How do you close the month?")
        _labelled(d, "Renée", "With three spreadsheets.")
        d.add_paragraph("It takes two days.")
        _labelled(d, "Interviewer", "What breaks?")
        p = d.add_paragraph("Renée: The import.")
        p.add_run().add_break()
        p.add_run("Every single time.")

    doc = parse("renee.docx", _docx_bytes(build))
    assert doc.title == "Interview with Renée"
    assert spoken(doc) == [
        ("Interviewer", INTERVIEWER, "How do you close the month?"),
        ("Renée", PARTICIPANT, "With three spreadsheets.\nIt takes two days."),
        ("Interviewer", INTERVIEWER, "What breaks?"),
        ("Renée", PARTICIPANT, "The import.\nEvery single time."),
    ]
    assert doc.metadata["format"] == "docx"
    assert doc.kind_hint == "interview"


def test_a_docx_table_transcript_gives_speakers_and_times(parse, spoken):
    def build(d):
        d.add_paragraph("Teams transcript")
        table = d.add_table(rows=4, cols=3)
        rows = [("Speaker", "Time", "Text"),
                ("Jane", "00:00:05", "What do you use for invoices?"),
                ("Omar", "00:00:11", "A shared inbox."),
                ("Jane", "00:01:00", "Why?")]
        for row, values in zip(table.rows, rows):
            for cell, value in zip(row.cells, values):
                cell.text = value

    doc = parse("teams.docx", _docx_bytes(build))
    assert spoken(doc) == [
        ("Jane", INTERVIEWER, "What do you use for invoices?"),
        ("Omar", PARTICIPANT, "A shared inbox."),
        ("Jane", INTERVIEWER, "Why?"),
    ]
    assert [t.start_time for t in doc.turns] == [5.0, 11.0, 60.0]
    assert doc.turns[0].end_time == 11.0


def test_docx_without_labels_is_a_note(parse, spoken):
    def build(d):
        d.add_paragraph("Customers want a faster export.")
        d.add_paragraph("")
        d.add_paragraph("Pricing page is confusing.")
        table = d.add_table(rows=1, cols=2)
        table.rows[0].cells[0].text = "Plan"
        table.rows[0].cells[1].text = "Too expensive for small teams."

    doc = parse("notes.docx", _docx_bytes(build))
    assert doc.kind_hint == "note"
    assert [s for s, _, _ in spoken(doc)] == ["Author", "Author"]
    assert spoken(doc)[1][2] == "Pricing page is confusing.\nPlan: Too expensive for small teams."


def test_a_broken_docx_is_refused_with_its_reason(parse_error):
    assert parse_error("x.docx", b"not a zip at all").startswith("cannot open DOCX")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    assert parse_error("y.docx", buffer.getvalue()).startswith("cannot open DOCX")
    empty = _docx_bytes(lambda d: d.add_paragraph("   "))
    assert parse_error("z.docx", empty) == "no text found in the DOCX (empty document)"


def _pdf_bytes(pages: list[list[str]], numbered: bool = False) -> bytes:
    pdf = FPDF()
    pdf.set_auto_page_break(False)
    for number, lines in enumerate(pages, start=1):
        pdf.add_page()
        pdf.set_font("Helvetica", size=12)
        for line in lines:
            pdf.cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
        if numbered:
            pdf.set_y(-20)
            pdf.cell(0, 8, f"Page {number} of {len(pages)}", align="C")
    return bytes(pdf.output())


def test_pdf_text_and_speakers_across_pages(parse, spoken):
    data = _pdf_bytes([
        ["Interview with Jose", "Interviewer: How do you pay suppliers?",
         "Jose: By bank transfer.", "It is slow."],
        ["Interviewer: Why slow?", "Jose: Two approvals."],
    ], numbered=True)
    doc = parse("jose.pdf", data)
    assert doc.title == "Interview with Jose"
    assert doc.metadata["pages"] == 2
    assert "Page 1 of 2" not in doc.text
    assert spoken(doc) == [
        ("Interviewer", INTERVIEWER, "How do you pay suppliers?"),
        ("Jose", PARTICIPANT, "By bank transfer.\nIt is slow."),
        ("Interviewer", INTERVIEWER, "Why slow?"),
        ("Jose", PARTICIPANT, "Two approvals."),
    ]
    assert "\n\n" in doc.text  # pages joined by a blank line


def test_pdf_without_labels_gives_paragraph_notes(parse, spoken):
    doc = parse("n.pdf", _pdf_bytes([["Exports are slow."], ["Pricing confuses people."]]))
    assert spoken(doc) == [("Author", PARTICIPANT, "Exports are slow."),
                           ("Author", PARTICIPANT, "Pricing confuses people.")]


def test_pdf_without_text_layer(parse_error):
    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 100, 50, style="F")
    message = parse_error("scan.pdf", bytes(pdf.output()))
    assert message.startswith("PDF has no text layer")


@pytest.mark.parametrize("data, start", [
    (b"hello, not a pdf", "cannot open PDF: not a PDF file"),
    (b"%PDF-1.4\n garbage garbage", "cannot"),
])
def test_pdf_cannot_be_opened(parse_error, data, start):
    assert parse_error("bad.pdf", data).startswith(start)


def test_encrypted_pdf_with_password(parse_error):
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.append(io.BytesIO(_pdf_bytes([["Secret: stuff"]])))
    writer.encrypt(user_password="pw", owner_password="owner")
    buffer = io.BytesIO()
    writer.write(buffer)
    assert parse_error("locked.pdf", buffer.getvalue()) == "PDF is password-protected"
