"""CSV bundle: one row per confirmed quote, per quote of a linked insight (with its stance),
and one per link that needs review.

Spreadsheets run a cell that starts with = + - @ tab or carriage return as a
formula, so such cells get a leading single quote (OWASP's advice). That is
the only change to any value: strip that one quote and the cell is verbatim.
UTF-8 with a byte-order mark, so Excel reads accents and curly quotes right.
"""
from __future__ import annotations

import csv
import io
from typing import Any

from research_hub.export.bundle import all_quotes, insight_quotes_of

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
COLUMNS = ["feature_id", "feature_title", "theme", "status", "quote", "speaker", "participant", "role",
           "document", "document_name", "document_id", "date", "timestamp", "line", "char_start",
           "char_end", "tags", "question", "note", "study", "kind", "snippet_id", "confirmed_by",
           "confirmed_at", "evidence", "highlight_id", "insight", "stance"]


def neutralise(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(DANGEROUS) else text


def rows(bundle: dict[str, Any]) -> list[dict[str, Any]]:
    f = bundle["feature"]
    base = {"feature_id": f["id"], "feature_title": f["title"]}
    out = [{**base, **q, "theme": theme, "status": "verified", "tags": ", ".join(q["tags"])}
           for theme, q in all_quotes(bundle)]
    for entry in bundle.get("insights", []):
        out += [{**base, **q, "theme": f"insight {entry['id']}: {entry['statement']}",
                 "status": "verified", "tags": ", ".join(q["tags"]), "insight": entry["id"],
                 "stance": stance} for stance, q in insight_quotes_of(entry)]
    out += [{**base, "theme": "", "status": "needs review: " + r["reason"], "quote": r["text_as_confirmed"],
             "snippet_id": r["snippet_id"], "highlight_id": r.get("highlight_id"), "note": r["note"],
             "confirmed_by": r["confirmed_by"], "confirmed_at": r["confirmed_at"]}
            for r in bundle["needs_review"]]
    return out


def render(bundle: dict[str, Any]) -> bytes:
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows(bundle):
        writer.writerow([neutralise(row.get(c)) for c in COLUMNS])
    return buf.getvalue().encode("utf-8-sig")
