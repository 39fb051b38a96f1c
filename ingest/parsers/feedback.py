"""Tables (CSV / TSV / XLSX / JSON / JSONL): a transcript or feedback items.

A table with speaker and speech columns whose speakers recur is a transcript
exported as a table (``table.py``: turns with speakers, roles and times).
Any other table is a feedback export: one row = one Turn.

The stored text is every non-empty item's text, one block each, separated
by a blank line. ``Turn.line`` is the item's line in that text and
``Turn.meta["row"]`` its row number in the source file; the other columns
go to ``Turn.meta`` as strings, plus ``date`` (ISO when parseable) and
``kind`` (interview/survey/support/review/note from a channel column).
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterable

from research_hub.ingest.parsers.common import date_from_filename, humanize_stem
from research_hub.ingest.parsers.dates import normalize_date
from research_hub.ingest.parsers.encoding import decode_bytes
from research_hub.ingest.parsers.registry import FEEDBACK, TRANSCRIPT, register
from research_hub.ingest.parsers.table import parse_transcript_table, transcript_columns
from research_hub.ingest.parsers.tabular import (
    Table,
    normalize_column,
    read_csv,
    read_json,
    read_jsonl,
    read_xlsx,
)
from research_hub.ingest.types import PARTICIPANT, IngestError, ParsedDocument, Turn

TEXT_NAMES = ("text", "comment", "comments", "feedback", "body", "message", "review",
              "response", "answer", "content", "description")
AUTHOR_NAMES = ("author", "name", "user", "username", "customer", "email", "reviewer",
                "respondent")
DATE_NAMES = ("date", "created", "created_at", "timestamp", "submitted_at", "submitted",
              "date_submitted", "submission_date", "created_date", "updated_at", "time")
CHANNEL_NAMES = ("source", "channel", "type", "platform", "store", "kind", "origin")
RESPONDENT = "Respondent"
_NOT_TEXT_TOKENS = {"id", "ids", "date", "time", "at", "type", "count", "score", "rating",
                    "url", "link", "number", "no", "num", "len", "length", "lang",
                    "language", "category", "title", "status", "code", "key", "uuid", "by",
                    "author", "user", "email", "name", "sentiment", "tag", "tags"}
_AUTHOR_EXTRA_TOKENS = {"name", "id", "email", "handle", "login", "display", "full"}
_RESERVED = ("row", "date", "kind")
_KIND_RULES = (
    ("survey", r"nps|surveys?|csat|ces|typeform|qualtrics|questionnaire|polls?|forms?"),
    ("support", r"tickets?|support|zendesk|intercom|e-?mails?|chats?|live chat|helpdesk|"
                r"help desk|freshdesk|helpscout|help scout|phone"),
    ("review", r"reviews?|app ?store|play ?store|google play|ios|android|g2|g2 crowd|"
               r"capterra|trustpilot|trust pilot|yelp|getapp"),
    ("interview", r"interviews?|calls?|user tests?|usability"),
    ("note", r"notes?|memos?"),
)
_KIND_PATTERNS = [(kind, re.compile(rf"(?<![a-z0-9])(?:{rx})(?![a-z0-9])")) for kind, rx in _KIND_RULES]


def map_kind(value: str) -> str | None:
    """A channel/source value -> interview/survey/support/review/note (or None)."""
    text = value.casefold().replace("_", " ")
    for kind, pattern in _KIND_PATTERNS:
        if pattern.search(text):
            return kind
    return None


def _exact(columns: list[str], names: Iterable[str]) -> str | None:
    normalized = {}
    for col in columns:
        normalized.setdefault(normalize_column(col), col)
    for name in names:
        if name in normalized:
            return normalized[name]
    return None


def _looks_textual(table: Table, column: str) -> bool:
    values = [row.get(column, "") for _, row in table.rows[:200]]
    values = [v for v in values if v]
    if not values:
        return False
    wordy = sum(1 for v in values if re.search(r"[^\W\d_]", v) and not _is_number(v))
    return wordy / len(values) >= 0.5


def _is_number(value: str) -> bool:
    try:
        float(value)
        return True
    except ValueError:
        return False


def find_text_column(table: Table) -> str | None:
    found = _exact(table.columns, TEXT_NAMES)
    if found:
        return found
    for name in TEXT_NAMES:
        for col in table.columns:
            tokens = set(normalize_column(col).split("_"))
            if name in tokens and not tokens & _NOT_TEXT_TOKENS and _looks_textual(table, col):
                return col
    return None


def find_author_column(table: Table, text_col: str) -> str | None:
    columns = [c for c in table.columns if c != text_col]
    found = _exact(columns, AUTHOR_NAMES)
    if found:
        return found
    for name in AUTHOR_NAMES:
        for col in columns:
            tokens = normalize_column(col).split("_")
            if name in tokens and set(tokens) - {name} <= _AUTHOR_EXTRA_TOKENS:
                return col
    return None


def _find_date_column(columns: list[str]) -> str | None:
    found = _exact(columns, DATE_NAMES)
    if found:
        return found
    for col in columns:
        tokens = set(normalize_column(col).split("_"))
        if tokens & {"date", "timestamp"} or {"created", "at"} <= tokens:
            return col
    return None


def _find_channel_column(columns: list[str]) -> str | None:
    found = _exact(columns, CHANNEL_NAMES)
    if found:
        return found
    for col in columns:
        tokens = set(normalize_column(col).split("_"))
        if tokens & {"source", "channel", "platform", "store"}:
            return col
    return None


def _read(fmt: str, data: bytes) -> Table:
    if fmt == "xlsx":
        return read_xlsx(data)
    text = decode_bytes(data)
    if not text.strip():
        raise IngestError("file has no text (only whitespace)")
    if fmt == "csv":
        return read_csv(text)
    if fmt == "tsv":
        return read_csv(text, delimiter="\t")
    if fmt == "json":
        return read_json(text)
    return read_jsonl(text)


def _columns_list(columns: list[str]) -> str:
    shown = ", ".join(columns[:30])
    return shown + (", ..." if len(columns) > 30 else "") if columns else "none"


def _turn_meta(row: dict[str, str], number: int, text_col: str,
               date_col: str | None, channel_col: str | None) -> dict[str, Any]:
    meta: dict[str, Any] = {}
    for column, value in row.items():
        if column == text_col:
            continue
        key = f"{column} (column)" if column in _RESERVED else column
        meta[key] = value
    meta["row"] = number
    if date_col and row.get(date_col):
        meta["date"] = normalize_date(row[date_col]) or row[date_col]
    if channel_col and row.get(channel_col):
        kind = map_kind(row[channel_col])
        if kind:
            meta["kind"] = kind
    return meta


def parse_table(path: Path, data: bytes, fmt: str, text_col: str | None = None) -> ParsedDocument:
    """A transcript table when it is one, else feedback items."""
    table = _read(fmt, data)
    if not table.rows:
        raise IngestError("no rows found (only a header)" if table.columns else "no records found")
    columns = transcript_columns(table, text_col)
    if columns is not None:
        return parse_transcript_table(path, table, columns, fmt)
    return feedback_document(path, table, fmt, text_col)


def feedback_document(path: Path, table: Table, fmt: str,
                      text_col: str | None = None) -> ParsedDocument:

    if text_col:
        column = next((c for c in table.columns if c == text_col), None) or next(
            (c for c in table.columns if c.strip().casefold() == text_col.strip().casefold()), None)
        if column is None:
            raise IngestError(f"text column '{text_col}' not found "
                              f"(columns: {_columns_list(table.columns)})")
    else:
        column = find_text_column(table)
        if column is None:
            raise IngestError(f"no text column found (columns: {_columns_list(table.columns)}); "
                              f"pass --text-col")
    others = [c for c in table.columns if c != column]
    author_col = find_author_column(table, column)
    date_col = _find_date_column(others)
    channel_col = _find_channel_column([c for c in others if c != author_col])

    parts: list[str] = []
    turns: list[Turn] = []
    offset = 0
    line = 1
    skipped = 0
    for number, row in table.rows:
        item = row.get(column, "").strip()
        if not item:
            skipped += 1
            continue
        if parts:
            offset += 2
            line += 2
        author = row.get(author_col, "").strip() if author_col else ""
        turns.append(Turn(
            speaker=author or RESPONDENT,
            role=PARTICIPANT,
            start=offset,
            end=offset + len(item),
            line=line,
            participant=author or None,
            meta=_turn_meta(row, number, column, date_col, channel_col),
        ))
        parts.append(item)
        offset += len(item)
        line += item.count("\n")
    if not turns:
        raise IngestError(f"no rows with text in column '{column}'")

    kinds = {t.meta.get("kind") for t in turns}
    kind_hint = kinds.pop() if len(kinds) == 1 and None not in kinds else "survey"
    metadata: dict[str, Any] = {
        "format": fmt,
        "text_column": column,
        "author_column": author_col,
        "date_column": date_col,
        "channel_column": channel_col,
        "columns": table.columns,
        "rows": len(turns),
        "skipped_rows": skipped,
        **table.info,
    }
    return ParsedDocument(
        text="\n\n".join(parts),
        turns=turns,
        kind_hint=kind_hint,
        title=humanize_stem(path),
        date=date_from_filename(path),
        metadata=metadata,
    )


register([".csv"], label="CSV table: transcript (speaker, text, time) or feedback export",
         families=[TRANSCRIPT, FEEDBACK],
         parse=lambda path, data, text_col: parse_table(path, data, "csv", text_col))
register([".tsv"], label="TSV table: transcript (speaker, text, time) or feedback export",
         families=[TRANSCRIPT, FEEDBACK],
         parse=lambda path, data, text_col: parse_table(path, data, "tsv", text_col))
register([".xlsx"], label="Excel table: transcript (speaker, text, time) or feedback export",
         families=[TRANSCRIPT, FEEDBACK],
         parse=lambda path, data, text_col: parse_table(path, data, "xlsx", text_col))
register([".json"], label="JSON: transcript segments or feedback export",
         families=[TRANSCRIPT, FEEDBACK],
         parse=lambda path, data, text_col: parse_table(path, data, "json", text_col))
register([".jsonl"], label="JSON Lines: transcript segments or feedback export",
         families=[TRANSCRIPT, FEEDBACK],
         parse=lambda path, data, text_col: parse_table(path, data, "jsonl", text_col))
