"""Read CSV / TSV / XLSX / JSON / JSONL exports into rows of string columns.

Each row keeps its 1-based number in the source: the CSV record number (the
header is record 1, so the first data row is 2), the sheet row of an XLSX
workbook, the index in a JSON list, or the line of a JSONL file.
"""
from __future__ import annotations

import csv
import io
import json
import re
import sys
from dataclasses import dataclass, field
from typing import Any

from research_hub.ingest.parsers.encoding import normalize_newlines
from research_hub.ingest.types import IngestError

LIST_KEYS = ("items", "data", "results", "responses", "reviews", "records", "rows",
             "entries", "feedback", "comments", "tickets", "answers", "submissions")
_DELIMITERS = ",;\t|"
_SNIFF_CHARS = 20000
_FLATTEN_DEPTH = 3


@dataclass
class Table:
    columns: list[str]
    rows: list[tuple[int, dict[str, str]]]
    info: dict[str, Any] = field(default_factory=dict)


def _set_field_limit() -> None:
    limit = sys.maxsize
    while True:
        try:
            csv.field_size_limit(limit)
            return
        except OverflowError:
            limit //= 2


def _sniff_delimiter(text: str) -> str:
    sample = text[:_SNIFF_CHARS]
    if len(text) > _SNIFF_CHARS and "\n" in sample:
        sample = sample[: sample.rfind("\n")]
    first = sample.split("\n", 1)[0]
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=_DELIMITERS).delimiter
    except csv.Error:
        delimiter = None
    if delimiter is None or (first and delimiter not in first):
        counts = {d: first.count(d) for d in _DELIMITERS}
        best = max(counts, key=lambda d: counts[d])
        delimiter = best if counts[best] else ","
    return delimiter


def _unique_columns(header: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    columns = []
    for index, name in enumerate(header):
        name = name.strip() or f"column_{index + 1}"
        if name in seen:
            seen[name] += 1
            name = f"{name}_{seen[name]}"
        else:
            seen[name] = 1
        columns.append(name)
    return columns


def read_csv(text: str, delimiter: str | None = None) -> Table:
    """Rows of a CSV; ``delimiter`` None sniffs it (a .tsv passes a tab)."""
    _set_field_limit()
    delimiter = delimiter or _sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"')
    try:
        records = list(reader)
    except csv.Error as exc:
        raise IngestError(f"malformed CSV near line {reader.line_num}: {exc}") from exc
    header_at = next((i for i, r in enumerate(records) if any(c.strip() for c in r)), None)
    if header_at is None:
        raise IngestError("no rows found (the CSV is blank)")
    columns = _unique_columns(records[header_at])
    rows = []
    for index in range(header_at + 1, len(records)):
        values = records[index]
        if not any(v.strip() for v in values):
            continue
        row = {col: (values[i].strip() if i < len(values) else "") for i, col in enumerate(columns)}
        for extra, value in enumerate(values[len(columns):], start=len(columns) + 1):
            if value.strip():
                row[f"column_{extra}"] = value.strip()
        rows.append((index + 1, row))
    delimiter_name = {"\t": "tab"}.get(delimiter, delimiter)
    return Table(columns, rows, {"delimiter": delimiter_name})


def _scalar(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return normalize_newlines(value).strip()
    if isinstance(value, (int, float)):
        return str(value)
    return json.dumps(value, ensure_ascii=False, default=str)


def _flatten(record: dict[str, Any], prefix: str = "", depth: int = 0) -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in record.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and depth < _FLATTEN_DEPTH:
            flat.update(_flatten(value, f"{name}.", depth + 1))
        elif isinstance(value, list) and all(not isinstance(v, (dict, list)) for v in value):
            flat[name] = ", ".join(_scalar(v) for v in value if _scalar(v))
        else:
            flat[name] = _scalar(value)
    return flat


def _as_record(item: Any) -> dict[str, Any] | None:
    if isinstance(item, dict):
        return item
    if isinstance(item, str):
        return {"text": item}
    return None


def _find_records(data: Any, depth: int = 0) -> list[Any] | None:
    if isinstance(data, list):
        return data
    if not isinstance(data, dict) or depth > 3:
        return None
    lowered = {str(k).casefold(): v for k, v in data.items()}
    for key in LIST_KEYS:
        value = lowered.get(key)
        if isinstance(value, list):
            return value
        if isinstance(value, dict):
            found = _find_records(value, depth + 1)
            if found is not None:
                return found
    lists = [v for v in data.values()
             if isinstance(v, list) and v and all(isinstance(i, dict) for i in v)]
    if lists:
        return max(lists, key=len)
    if data and all(not isinstance(v, (list, dict)) for v in data.values()):
        return [data]  # a single feedback object
    return None


def _table(items: list[tuple[int, dict[str, Any]]], info: dict[str, Any]) -> Table:
    columns: list[str] = []
    known: set[str] = set()
    rows = []
    for number, record in items:
        flat = _flatten(record)
        for key in flat:
            if key not in known:
                known.add(key)
                columns.append(key)
        rows.append((number, flat))
    return Table(columns, rows, info)


def read_json(text: str) -> Table:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise IngestError(f"malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from exc
    except RecursionError as exc:
        raise IngestError("malformed JSON: nested too deeply") from exc
    records = _find_records(data)
    if records is None:
        keys = ", ".join(LIST_KEYS[:5])
        raise IngestError(f"JSON holds no list of records (expected a list of objects, "
                          f"or an object with a list under {keys}, ...)")
    items = []
    for index, item in enumerate(records, start=1):
        record = _as_record(item)
        if record is None:
            raise IngestError(f"JSON record {index} is not an object "
                              f"(got {type(item).__name__})")
        items.append((index, record))
    return _table(items, {})


def read_jsonl(text: str) -> Table:
    items = []
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            raise IngestError(f"malformed JSON on line {number}: {exc.msg} "
                              f"(column {exc.colno})") from exc
        except RecursionError as exc:
            raise IngestError(f"malformed JSON on line {number}: nested too deeply") from exc
        record = _as_record(value)
        if record is None:
            raise IngestError(f"line {number} is not a JSON object (got {type(value).__name__})")
        items.append((number, record))
    return _table(items, {})


def normalize_column(name: str) -> str:
    return re.sub(r"[^0-9a-z]+", "_", name.casefold()).strip("_")


XLSX_MAX_UNPACKED = 256 * 1024 * 1024
XLSX_MAX_XML = 128 * 1024 * 1024
XLSX_MAX_COLUMNS = 16_384  # Excel's own limit


def _xlsx_cell(value: Any) -> str:
    import datetime as _dt

    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, _dt.datetime):
        if (value.hour, value.minute, value.second, value.microsecond) == (0, 0, 0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, (_dt.date, _dt.time)):
        return value.isoformat()
    if isinstance(value, _dt.timedelta):
        seconds = int(value.total_seconds())
        return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return normalize_newlines(str(value)).strip()


def check_zip_sizes(data: bytes, what: str, max_total: int, max_xml: int) -> None:
    """Refuse a zip package (DOCX, ODT, XLSX) whose directory declares more than we
    would inflate, before inflating anything (zipfile never inflates a member past
    its declared size)."""
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            members = package.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise IngestError(f"cannot open {what}: not a valid {what} file "
                          f"({exc.__class__.__name__})") from exc
    total = sum(m.file_size for m in members)
    xml = sum(m.file_size for m in members if m.filename.endswith((".xml", ".rels")))
    if total > max_total or xml > max_xml:
        raise IngestError(f"cannot open {what}: it would unpack to {total / 2**20:.0f} MB "
                          f"({xml / 2**20:.0f} MB of XML); refused as a possible zip bomb")


def read_xlsx(data: bytes) -> Table:
    """The first sheet that has any value: its first non-empty row is the header.
    Row numbers are the sheet's own (the header of a plain sheet is row 1)."""
    import zipfile

    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise IngestError("cannot open XLSX: not an Excel .xlsx file (not a zip package; "
                          "an old .xls or a renamed file?)")
    check_zip_sizes(data, "XLSX", XLSX_MAX_UNPACKED, XLSX_MAX_XML)
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged package
        raise IngestError(f"cannot open XLSX: not a valid Excel workbook "
                          f"({exc.__class__.__name__})") from exc
    try:
        for sheet in book.worksheets:
            records: list[tuple[int, list[str]]] = []
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                if len(values) > XLSX_MAX_COLUMNS:
                    raise IngestError(f"XLSX sheet has {len(values)} columns, over the "
                                      f"{XLSX_MAX_COLUMNS} limit")
                cells = [_xlsx_cell(v) for v in values]
                while cells and not cells[-1]:
                    cells.pop()
                if cells:
                    records.append((number, cells))
            if not records:
                continue
            header_number, header = records[0]
            columns = _unique_columns(header)
            rows = []
            for number, values in records[1:]:
                row = {col: (values[i] if i < len(values) else "") for i, col in enumerate(columns)}
                for extra, value in enumerate(values[len(columns):], start=len(columns) + 1):
                    if value:
                        row[f"column_{extra}"] = value
                rows.append((number, row))
            return Table(columns, rows, {"sheet": sheet.title, "sheets": len(book.worksheets)})
    finally:
        book.close()
    raise IngestError("no rows found (every sheet of the workbook is empty)")
