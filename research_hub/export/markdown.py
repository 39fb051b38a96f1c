"""Markdown bundle. Quotes sit verbatim in fenced blocks, so neither Markdown nor
HTML inside a quote is interpreted by a viewer; every other piece of user text
has its Markdown and HTML punctuation backslash-escaped."""
from __future__ import annotations

import re
from typing import Any

from research_hub.export.bundle import insight_quotes_of, where

_PUNCT = re.compile(r"([\\`*_\[\]#!|<>&~])")  # what can make markup, links or HTML


def esc(value: Any) -> str:
    """One line of user text, inert in Markdown (CommonMark backslash escapes)."""
    text = "" if value is None else str(value)
    return _PUNCT.sub(r"\\\1", " ".join(text.split()))


def count(quotes: list) -> str:
    return f"{len(quotes)} quote{'' if len(quotes) == 1 else 's'}"


def fence(text: str) -> str:
    longest = max((len(m) for m in re.findall(r"~+", text)), default=0)
    bar = "~" * max(3, longest + 1)
    return f"{bar}text\n{text}\n{bar}"


def render(bundle: dict[str, Any]) -> bytes:
    f, s = bundle["feature"], bundle["summary"]
    out = [f"# Evidence for {esc(f['title'])}", "",
           f"Feature {esc(f['id'])} · status: {esc(f['status'] or 'none')} · "
           f"generated {esc(bundle['generated_at'])}", ""]
    if f["description"]:
        out += [esc(line) for line in f["description"].splitlines() if line.strip()] + [""]
    out += ["## Summary", "", "| measure | value |", "| --- | --- |"]
    out += [f"| {esc(k)} | {esc(v)} |" for k, v in summary_rows(s)] + [""]
    n = 0
    for g in bundle["groups"]:
        out += [f"## {esc(g['theme'])}", "", f"{esc(g['origin'])}, {count(g['quotes'])}", ""]
        for q in g["quotes"]:
            n += 1
            out += quote_block(n, q)
    for entry in bundle.get("insights", []):
        out += insight_block(entry)
        for stance, q in insight_quotes_of(entry):
            n += 1
            out += quote_block(n, q, f"{'Supports' if stance == 'supports' else 'Contradicts'} {entry['id']}")
    if bundle["needs_review"]:
        out += ["## Needs review", "",
                "Confirmed links whose quote is no longer in its source; text as it was confirmed.", ""]
        for r in bundle["needs_review"]:
            out += [f"- {review_ref(r)}: {esc(r['reason'])}", "",
                    fence(r["text_as_confirmed"]), ""]
    out += ["## Sources", "", "| document | stored file | sha256 |", "| --- | --- | --- |"]
    out += [f"| {esc(d['name'])} | {esc(d['stored_file'])} | {esc(d['sha256'] or 'missing')} |"
            for d in bundle["sources"]]
    return ("\n".join(out) + "\n").encode("utf-8")


def review_ref(r: dict[str, Any]) -> str:
    return f"highlight {esc(r['highlight_id'])}" if r.get("highlight_id") else f"snippet {esc(r['snippet_id'])}"


def insight_block(entry: dict[str, Any]) -> list[str]:
    st = entry["strength"]
    draft = " (draft: a starting point generated from a theme, not a finding or a quote)" \
        if entry["draft"] else ""
    lines = [f"## Insight {esc(entry['id'])}: {esc(entry['statement'])}", "",
             f"Status {esc(entry['status'])}{draft} · strength {esc(st['score'])} = "
             + esc(" × ".join(f"{k} {v}" for k, v in st["parts"].items()) or "no supporting quotes"),
             "", f"{st['evidence']} supporting quotes from {st['participants']} participants, "
             f"{st['counter_evidence']} contradicting from {st['counter_participants']}; newest "
             f"{esc(st['newest'] or 'undated')}" + (f"; stale: {esc('; '.join(st['stale_reasons']))}"
                                                    if st["stale"] else ""), ""]
    for r in entry["needs_review"]:
        lines += [f"- {esc(r['evidence'])} {esc(r['id'])} needs review: {esc(r['reason'])}", ""]
    return lines


def quote_block(n: int, q: dict[str, Any], role: str | None = None) -> list[str]:
    lines = [f"### {n}. {esc(q['speaker'])} ({esc(q['participant'])}), {esc(q['document'])}", "",
             f"- Where: {esc(where(q))}",
             f"- Date: {esc(q['date'] or 'unknown')} · study: {esc(q['study'] or 'none')}"]
    if q["question"]:
        lines.append(f"- Question answered: {esc(q['question'])}")
    lines.append(f"- Tags: {esc(', '.join(q['tags']) or 'none')}")
    if q["note"]:
        lines.append(f"- Note: {esc(q['note'])}")
    if role:
        lines.append(f"- Evidence: {esc(role)}")
    kind = "Highlight" if q.get("evidence") == "highlight" else "Snippet"
    lines += [f"- {kind}: {esc(q['evidence_id'])} in document {esc(q['document_id'][:12])}", "",
              fence(q["quote"]), ""]
    return lines


def summary_rows(s: dict[str, Any]) -> list[tuple[str, Any]]:
    parts = s.get("parts") or {}
    return [("score", s["score"]), ("confirmed quotes", s["evidence"]),
            ("distinct participants", s["participants"]), ("studies", s["studies"]),
            ("segments", ", ".join(s["segments"]) or "none"),
            ("pain point share", f"{s['pain_share']:.0%}"),
            ("request share", f"{s['request_share']:.0%}"),
            ("newest quote", s["newest"] or "undated"), ("flagged for review", s["flagged"])] + \
        ([("linked highlights", s["highlights"]), ("linked insights", s["insights"]),
          ("contradicting quotes of linked insights", s["counter"])]
         if s.get("highlights") or s.get("insights") else []) + \
        [(f"score part: {k}", v) for k, v in parts.items()]
