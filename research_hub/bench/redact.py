"""bench redact: planted PII in made-up transcripts and feedback, ingested with redaction.

Every planted value is looked for afterwards in what the workspace keeps: the SQLite
record (document text, titles, metadata, snippet text, speakers, participants, context,
entities, meta) and the Chroma metadata. Emails, phone and card numbers are looked for
everywhere, also in the raw bytes of every file under the workspace folder; a person
counts as leaked when any word of their name is left in the record of the file they
were planted in. Recall per kind is the share of planted values not found. Decoys (dates, amounts, a non-Luhn order number)
measure over-redaction: the share of them still there.
"""
from __future__ import annotations

import random
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from research_hub import Hub
from research_hub.core import nlp

FIRST = ["Maria", "Kwame", "Priya", "Olga", "Jamal", "Sofia", "Tomasz", "Aisha", "Lars", "Yuki",
         "Fatima", "Diego", "Hannah", "Chen", "Amara", "Rafael", "Ingrid", "Samuel", "Leila", "Oscar"]
LAST = ["Lopez", "Mensah", "Patel", "Ivanova", "Wright", "Rossi", "Nowak", "Bello", "Nilsson",
        "Tanaka", "Haddad", "Alvarez", "Schmidt", "Okafor", "Silva", "Berg", "Johnson", "Karimi"]
PHONES = ["(415) 555-0134", "415-555-0199", "415.555.0123", "+1 415 555 0100", "+44 20 7946 0958",
          "020 7946 0018", "+49 30 901820", "07700 900123", "+33 1 42 68 53 00", "+91 98765 43210",
          "+61 2 9374 4000", "1-800-555-0199", "+1-212-555-0187", "0049 30 12345678"]
CARDS = ["4111 1111 1111 1111", "5555-5555-5555-4444", "378282246310005", "6011111111111117",
         "4012888888881881"]
DECOYS = ["2024-03-05", "$1,250.00", "1234 5678 9012 3456", "version 3.8.0", "100,000 rows",
          "INV-20240305", "10:30"]
MENTIONS = ["{o}'s spreadsheet is the only source of truth.", "I forwarded it to {first} on Slack.",
            "Dr. {last} signs off the accounts.", "cc {o} on the reminder emails please.",
            "I asked {first}, she said the numbers were off.", "Ask {first} {last} about the VAT codes."]
DOMAINS = ["example.com", "mail.example.org", "tallybook.test", "acme-co.example"]


@dataclass
class Planted:
    kind: str  # EMAIL, PHONE, CARD, PERSON
    value: str
    file: str = ""  # where it was planted: a name is looked for in that document's record


@dataclass
class PlantedSet:
    files: list[Path] = field(default_factory=list)
    planted: list[Planted] = field(default_factory=list)
    decoys: list[str] = field(default_factory=list)


def _email(rng: random.Random, first: str, last: str) -> str:
    style = rng.choice(["{f}.{l}", "{f}{l}", "{f0}{l}", "{f}_{l}+invoices"])
    local = style.format(f=first.lower(), l=last.lower(), f0=first[0].lower())
    return f"{local}@{rng.choice(DOMAINS)}"


def _interview(rng: random.Random, n: int, out: PlantedSet, folder: Path) -> None:
    first, last = rng.sample(FIRST, 1)[0], rng.choice(LAST)
    other = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    email, phone = _email(rng, first, last), rng.choice(PHONES)
    card, decoy = rng.choice(CARDS), rng.choice(DECOYS)
    speaker = f"{first} {last}"
    lines = [
        "Interviewer: Thanks for joining. How do you send invoices today?",
        f"{speaker}: Mostly by email from {email}, and clients call me on {phone} when a payment bounces.",
        "Interviewer: What happens at month end?",
        f"{speaker}: My accountant {other} chases receipts. Last time the card {card} was charged twice.",
        f"{speaker}: The export of {decoy} took forever and I had to redo it by hand.",
        f"Interviewer: Thanks, {first}. Anything else?",
        f"{speaker}: Tell {other.split()[0]} the bank feed is still broken.",
        f"{speaker}: " + rng.choice(MENTIONS).format(o=other, first=other.split()[0], last=other.split()[1]),
    ]
    path = folder / f"interview_{n:02d}.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out.files.append(path)
    out.planted += [Planted(k, v, path.name) for k, v in (
        ("EMAIL", email), ("PHONE", phone), ("CARD", card), ("PERSON", speaker), ("PERSON", other))]
    out.decoys.append(decoy)


def _feedback(rng: random.Random, out: PlantedSet, folder: Path, rows: int = 12) -> None:
    lines = ["id,email,comment"]
    for i in range(rows):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        email, phone = _email(rng, first, last), rng.choice(PHONES)
        comment = rng.choice([
            f"Please call me back on {phone}, the invoice reminders never arrive.",
            f"I am {first} {last} and the VAT report is wrong again.",
            f"Send the receipts to {email} instead, the app loses them.",
        ])
        lines.append(f'{i},{email},"{comment}"')
        out.planted.append(Planted("EMAIL", email, "feedback.csv"))
        if phone in comment:
            out.planted.append(Planted("PHONE", phone, "feedback.csv"))
        if f"{first} {last}" in comment:
            out.planted.append(Planted("PERSON", f"{first} {last}", "feedback.csv"))
    path = folder / "feedback.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out.files.append(path)


def make_planted(folder: Path, interviews: int = 12, seed: int = 7) -> PlantedSet:
    """Made-up transcripts and a feedback CSV with PII planted at known places."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    out = PlantedSet()
    for n in range(interviews):
        _interview(rng, n, out, folder)
    _feedback(rng, out, folder)
    return out


def stored_text(hub, name: str | None = None) -> str:
    """What the record and the index keep about documents and snippets (of one file, if named)."""
    where, params = (" WHERE name = ?", (name,)) if name else ("", ())
    parts, ids = [], []
    for r in hub.workspace.db.query("SELECT id, title, metadata, participants, text FROM documents" + where, params):
        parts += [str(v) for v in r]
        ids.append(r["id"])
    for doc_id in ids:
        for r in hub.workspace.db.query("SELECT speaker, participant, text, context, entities, meta FROM snippets "
                              "WHERE document_id = ?", (doc_id,)):
            parts += [str(v) for v in r]
        got = hub.workspace.index.collection.get(where={"document_id": doc_id}, include=["metadatas"])
        parts += [str(m) for m in got["metadatas"]]
    return "\n".join(parts)


def workspace_bytes(home: Path) -> bytes:
    return b"\n".join(f.read_bytes() for f in sorted(home.rglob("*")) if f.is_file())


def leaked(p: Planted, text: str, raw: bytes) -> bool:
    if p.kind == "PERSON":  # any part of the name, as a whole word, in the record of its file
        return any(re.search(rf"(?<!\w){re.escape(w)}(?!\w)", text) for w in p.value.split())
    digits = re.sub(r"\D", "", p.value)
    variants = {p.value} | ({digits} if p.kind in ("PHONE", "CARD") else set())
    return any(v in text or v.encode() in raw for v in variants)


def measure(hub, planted: PlantedSet) -> dict[str, Any]:
    text, raw = stored_text(hub), workspace_bytes(hub.home)
    per_file = {f.name: stored_text(hub, f.name) for f in planted.files}
    result: dict[str, Any] = {}
    for kind in ("EMAIL", "PHONE", "CARD", "PERSON"):
        items = [p for p in planted.planted if p.kind == kind]
        leaks = [p.value for p in items
                 if leaked(p, per_file[p.file] if kind == "PERSON" else text, raw)]
        result[f"{kind.lower()}_planted"] = len(items)
        result[f"{kind.lower()}_leaked"] = len(leaks)
        result[f"{kind.lower()}_recall"] = round(1 - len(leaks) / len(items), 3) if items else None
        if leaks:
            result[f"{kind.lower()}_leaks"] = sorted(set(leaks))
    kept = [d for d in planted.decoys if d in text]
    result["decoys_kept"] = f"{len(kept)}/{len(planted.decoys)}"
    return result


def run(interviews: int = 12, seed: int = 7) -> dict[str, Any]:

    with tempfile.TemporaryDirectory() as tmp:
        planted = make_planted(Path(tmp) / "corpus", interviews, seed)
        hub = Hub(Path(tmp) / "ws")
        report = hub.ingest(planted.files, redact=True)
        result = {"files": len(planted.files), "failed": len(report.failed),
                  "ner": nlp.active_pipeline_name(), **measure(hub, planted)}
        hub.close()
        return result
