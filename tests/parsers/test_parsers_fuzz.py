"""Seeded random inputs: every parse either keeps the offset invariant or
raises IngestError; nothing else escapes."""
from __future__ import annotations

import json
import random

import pytest

from research_hub.ingest.parsers import parse_file
from research_hub.ingest.types import IngestError

LINES = [
    "Interviewer: How do you export?", "Maria: Every month.", "**Tom:** It is slow.",
    "**Tom**: Really slow.", "[00:01:02] Maria: Yes.", "00:03 P2: Hmm.", "(00:12) Jane: Why?",
    "Jane (Host): Tell me more.", "Note: not a label.", "Step 1: open it.", "at 10:30 we met",
    "https://example.com/x", "# Heading", "---", "", "", "   ", "continuation line",
    "Speaker 1  0:03", "Zoë O'Brien: Ça va?", "Q:", "A: yes", "MARIA : loud", "\t indented",
    "The problem was this: x", "Interviewer:", "[Maria Lopez] 10:32:11", "P3:  ",
]


def _transcript(rng: random.Random) -> str:
    lines = [rng.choice(LINES) for _ in range(rng.randint(1, 25))]
    if rng.random() < 0.2:
        lines = ["---", "title: T", "date: 2024-01-02", "---"] + lines
    text = "\n".join(lines)
    if rng.random() < 0.3:
        text = text.replace("\n", "\r\n")
    return text


def _subtitle(rng: random.Random, vtt: bool) -> str:
    blocks = ["WEBVTT"] if vtt else []
    sep = "." if vtt else ","
    for index in range(rng.randint(1, 8)):
        start = rng.randint(0, 50)
        stamp = f"00:00:{start:02d}{sep}000 --> 00:00:{start + rng.randint(0, 3):02d}{sep}500"
        if rng.random() < 0.1:
            stamp = stamp.replace("00:00", "00:xx", 1)
        text = rng.choice(["<v Ann>hi there", "Bob: why?", "plain words", "<i></i>",
                           "- Ann: a\n- Bob: b", "<v.x Cy>one</v> <v Di>two</v>", "&amp; <b>x</b>"])
        blocks.append(f"{index + 1}\n{stamp}\n{text}")
    return "\n\n".join(blocks) + "\n"


def _feedback(rng: random.Random, fmt: str) -> str:
    columns = rng.sample(["text", "comment", "author", "date", "source", "score", "x"], 4)
    rows = [{c: rng.choice(["", "nice\nthing", "App Store", "2024-03-05", "ann", "5", " "])
             for c in columns} for _ in range(rng.randint(0, 6))]
    if fmt == "json":
        return json.dumps(rng.choice([rows, {"items": rows}, {"x": 1}]))
    if fmt == "jsonl":
        return "\n".join(json.dumps(r) for r in rows)
    out = [",".join(columns)] + [
        ",".join('"' + r[c].replace('"', '""') + '"' for c in columns) for r in rows]
    return "\n".join(out)


@pytest.mark.parametrize("seed", range(40))
def test_random_inputs_keep_the_contract(tmp_path, check, seed):
    rng = random.Random(seed)
    cases = [("t.txt", _transcript(rng)), ("t.md", _transcript(rng)),
             ("s.vtt", _subtitle(rng, True)), ("s.srt", _subtitle(rng, False)),
             ("f.csv", _feedback(rng, "csv")), ("f.json", _feedback(rng, "json")),
             ("f.jsonl", _feedback(rng, "jsonl"))]
    junk = bytes(rng.randrange(256) for _ in range(rng.randint(1, 300)))
    cases += [(f"junk{ext}", junk) for ext in (".txt", ".vtt", ".csv", ".json", ".docx", ".pdf")]
    for name, content in cases:
        path = tmp_path / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
        try:
            doc = parse_file(path)
        except IngestError as exc:
            assert str(exc) and "\n" not in str(exc)
            continue
        check(doc)
