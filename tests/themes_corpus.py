"""A small corpus with planted themes, for the theme tests.

Five themes of six snippets; each theme is voiced by three participants, two
snippets each (so a theme counts 3 distinct participants, not 6), across two
studies and two months. Four off-topic remarks should stay unthemed.
"""
from __future__ import annotations

from pathlib import Path

PLANTED = {
    "export": [
        "Exporting the invoices to CSV takes forever and usually times out.",
        "The export to Excel is so slow that I go make coffee while it runs.",
        "Every time I export a year of invoices the download just stalls.",
        "Our accountant waits ages for the CSV export and sometimes it never finishes.",
        "Exporting reports crashes when there are more than a few hundred rows.",
        "I gave up on the export button because it hangs on big files.",
    ],
    "bank": [
        "The bank feed stops syncing every few days and I have to reconnect it.",
        "Transactions from my bank account show up twice after the sync.",
        "Bank reconciliation breaks whenever the connection to my bank drops.",
        "I keep getting a bank connection error and the statements never import.",
        "The sync with our business bank account misses half the payments.",
        "Linking the bank again every week is really annoying.",
    ],
    "receipts": [
        "Snapping a photo of a receipt on my phone almost never reads the amount right.",
        "The receipt scanner in the mobile app gets the totals wrong.",
        "Taking pictures of paper receipts is clumsy, the camera keeps refocusing.",
        "Half my scanned receipts come out blurry and the vendor name is missing.",
        "Uploading receipt photos from my phone fails when the signal is weak.",
        "I have a shoebox of receipts because scanning them in the app is a pain.",
    ],
    "vat": [
        "I never know if the VAT on an invoice is calculated correctly.",
        "Sales tax rates for different states are confusing to set up.",
        "The VAT return figures don't match what my accountant calculates.",
        "Adding tax to line items is confusing when some items are exempt.",
        "I had to fix the tax rate by hand on every invoice for a client abroad.",
        "Quarterly VAT reporting takes me a whole day because the numbers look off.",
    ],
    "pricing": [
        "The subscription price went up again and it's too expensive for a one-person business.",
        "Paying per user is expensive once we added two part-time staff.",
        "For what it does, the monthly plan costs too much.",
        "We're thinking of cancelling because the price keeps rising.",
        "The premium tier is overpriced compared to other invoicing tools.",
        "I can't justify the cost of the plan when business is slow.",
    ],
}
NOISE = [
    "My daughter started school this week so mornings are chaotic.",
    "We moved into a new office by the river last spring.",
    "I used to be a carpenter before I started freelancing.",
    "The weather here has been lovely lately.",
]
PEOPLE = [("Avery Stone", "study-a", "2026-01-12"), ("Blake Moss", "study-a", "2026-01-20"),
          ("Casey Reed", "study-b", "2026-03-03")]


def transcript(person: str, study: str, date: str, lines: list[str]) -> str:
    body = "".join(f"Interviewer: Can you tell me more?\n{person}: {line}\n" for line in lines)
    return f"---\nstudy: {study}\ndate: {date}\n---\n{body}"


def write_corpus(folder: Path) -> Path:
    """Three interviews holding the planted themes, one holding the noise."""
    folder.mkdir(parents=True, exist_ok=True)
    for p, (person, study, date) in enumerate(PEOPLE):
        lines = [texts[2 * p + k] for texts in PLANTED.values() for k in (0, 1)]
        name = person.split()[0].lower()
        (folder / f"{date}_{name}.md").write_text(transcript(person, study, date, lines), encoding="utf-8")
    (folder / "2026-02-01_drew.md").write_text(
        transcript("Drew Park", "study-b", "2026-02-01", NOISE), encoding="utf-8")
    return folder


def theme_of(text: str) -> str | None:
    for name, texts in PLANTED.items():
        if text in texts:
            return name
    return None
