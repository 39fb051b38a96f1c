"""The shapes a REFI-QDA project is built from, on the way out and on the way in.

A `Coding` is the one generic thing that becomes a PlainTextSelection: a span of
a document's stored text with the codes applied to it. Snippets are codings
today; highlights (any span a person marks) are codings of the same shape.
"""
from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field

MACHINE = "research_hub"  # the user that applies ingest tags (rules, taxonomy)
UNKNOWN = "researcher"  # the user of a manual tag whose author is not recorded
_NAMESPACE = uuid.UUID("5d0a3c1e-8f4b-4f6e-9a57-2b1c6e0d9f43")
_GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def guid(kind: str, key: str) -> str:
    """A stable GUID, so exporting the same workspace twice gives the same ids."""
    return str(uuid.uuid5(_NAMESPACE, f"{kind}\x00{key}"))


def is_guid(value: str) -> bool:
    """A GUID as this package writes them (lower case, no braces)."""
    return bool(_GUID.fullmatch(value or ""))


@dataclass
class Code:
    tag: str  # the research_hub tag it is (lower_snake_case); categories get one too
    name: str  # as shown in the codebook
    guid: str
    description: str = ""
    codable: bool = True  # False: a category that only groups codes
    parent: str | None = None  # tag of the parent code


@dataclass(frozen=True)
class Applied:
    """One code on one coding: who applied it and when."""

    tag: str
    user: str
    at: str | None


@dataclass
class Coding:
    """A coded span: document.text[start:end] == text."""

    key: str  # stable id of the span (a snippet id, a highlight id)
    document_id: str
    start: int
    end: int
    text: str
    participant: str
    user: str  # who made the span
    at: str | None
    codes: list[Applied] = field(default_factory=list)


@dataclass
class Source:
    document_id: str
    guid: str
    name: str
    title: str
    text: str
    kind: str
    study: str | None
    date: str | None
    at: str | None


@dataclass
class Case:
    participant: str
    guid: str
    variables: dict[str, str] = field(default_factory=dict)
    document_ids: list[str] = field(default_factory=list)
    coding_keys: list[str] = field(default_factory=list)


@dataclass
class Project:
    name: str
    codes: list[Code]
    sources: list[Source]
    codings: list[Coding]
    cases: list[Case]
    variables: list[str]  # variable names, in order
    users: list[str]


@dataclass
class Selection:
    """A PlainTextSelection as read from a project, positions as the file gives them."""

    start: int
    end: int
    name: str  # most tools put the selected text here: the witness for reading positions
    codes: list[Applied] = field(default_factory=list)


@dataclass
class ReadSource:
    guid: str
    name: str
    path: str = ""  # plainTextPath as given (internal://..., relative://..., a file name)
    text: str | None = None  # decoded, as in the file (BOM and CRs kept); None until read
    problem: str = ""  # why it cannot be imported
    variables: dict[str, str] = field(default_factory=dict)
    selections: list[Selection] = field(default_factory=list)
