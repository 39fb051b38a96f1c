"""project.qde: a `Project` written as REFI-QDA project XML, and a project file read back.

Written in the order the schema's ProjectType wants: Users, CodeBook, Variables,
Cases, Sources, Description. Each source's text is a file in Sources/ named by
its GUID (`plainTextPath="internal://<guid>.txt"`); each coding is a
PlainTextSelection at code-point offsets into that text, named by the quoted
text, with one Coding per code.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass

from research_hub.core.errors import InvalidInputError
from research_hub.qda.codebook import codes_element, read_codes
from research_hub.qda.model import MACHINE, UNKNOWN, Applied, Code, Project, ReadSource, Selection, guid
from research_hub.qda.xmlutil import child, children, element, local, parse, serialize, xsd_date, xsd_datetime

PROJECT_NS = "urn:QDA-XML:project:1.0"
DATE_VARIABLES = {"date"}  # variables whose values are dates (typeOfVariable Date)
SKIPPED_SOURCES = {"PictureSource": "a picture", "PDFSource": "a PDF", "AudioSource": "audio",
                   "VideoSource": "video"}


def source_file(source_guid: str) -> str:
    return f"{source_guid}.txt"


# -- writing -------------------------------------------------------------------------------
def render(project: Project, origin: str, created: str) -> bytes:
    users = {name: guid("user", name) for name in project.users}
    root = element("Project", {"name": project.name, "origin": origin,
                               "creatingUserGUID": users.get(MACHINE),
                               "creationDateTime": xsd_datetime(created)})
    if users:
        holder = element("Users", parent=root)
        for name, user_guid in users.items():
            element("User", {"guid": user_guid, "name": name}, parent=holder)
    if project.codes:
        codes_element(project.codes, element("CodeBook", parent=root))
    variables = {name: guid("variable", name) for name in project.variables}
    if variables:
        holder = element("Variables", parent=root)
        for name, var_guid in variables.items():
            element("Variable", {"guid": var_guid, "name": name,
                                 "typeOfVariable": "Date" if name in DATE_VARIABLES else "Text"}, parent=holder)
    by_tag = {c.tag: c.guid for c in project.codes}
    selection_guid = {c.key: guid("selection", c.key) for c in project.codings}
    source_guid = {s.document_id: s.guid for s in project.sources}
    if project.cases:
        holder = element("Cases", parent=root)
        for case in project.cases:
            el = element("Case", {"guid": case.guid, "name": case.participant}, parent=holder)
            _values(el, case.variables, variables)
            for doc_id in case.document_ids:
                element("SourceRef", {"targetGUID": source_guid[doc_id]}, parent=el)
            for key in case.coding_keys:
                element("SelectionRef", {"targetGUID": selection_guid[key]}, parent=el)
    if project.sources:
        _sources(root, project, users, by_tag, selection_guid, variables)
    element("Description", text="Exported by research_hub: documents as text sources, tags as codes, "
                                 "tagged snippets as coded selections, speakers as cases.", parent=root)
    return serialize(root, PROJECT_NS)


def _sources(root, project, users, by_tag, selection_guid, variables) -> None:
    holder = element("Sources", parent=root)
    per_doc: dict[str, list] = {}
    for coding in project.codings:
        per_doc.setdefault(coding.document_id, []).append(coding)
    for src in project.sources:
        el = element("TextSource", {"guid": src.guid, "name": src.name,
                                    "plainTextPath": f"internal://{source_file(src.guid)}",
                                    "creatingUser": users.get(MACHINE),
                                    "creationDateTime": xsd_datetime(src.at)}, parent=holder)
        if src.title and src.title != src.name:
            element("Description", text=src.title, parent=el)
        for coding in sorted(per_doc.get(src.document_id, []), key=lambda c: (c.start, c.end, c.key)):
            sel = element("PlainTextSelection", {
                "guid": selection_guid[coding.key], "name": coding.text, "startPosition": coding.start,
                "endPosition": coding.end, "creatingUser": users.get(coding.user),
                "creationDateTime": xsd_datetime(coding.at)}, parent=el)
            for applied in coding.codes:
                if applied.tag not in by_tag:
                    continue
                c = element("Coding", {"guid": guid("coding", f"{coding.key}\x00{applied.tag}"),
                                       "creatingUser": users.get(applied.user),
                                       "creationDateTime": xsd_datetime(applied.at)}, parent=sel)
                element("CodeRef", {"targetGUID": by_tag[applied.tag]}, parent=c)
        _values(el, {"study": src.study, "kind": src.kind, "date": src.date}, variables)


def _values(parent: ET.Element, values: dict[str, str | None], variables: dict[str, str]) -> None:
    for name, value in values.items():
        if name not in variables or not value:
            continue
        if name in DATE_VARIABLES:
            value = xsd_date(value)
            if not value:
                continue
        el = element("VariableValue", parent=parent)
        element("VariableRef", {"targetGUID": variables[name]}, parent=el)
        element("DateValue" if name in DATE_VARIABLES else "TextValue", text=value, parent=el)


# -- reading -------------------------------------------------------------------------------
@dataclass
class ParsedProject:
    name: str
    codes: list[Code]
    sources: list[ReadSource]
    cases: int


def read(data: bytes) -> ParsedProject:
    root = parse(data, "project.qde")
    if local(root.tag) != "Project":
        raise InvalidInputError(f"project.qde is not a REFI-QDA project (its root is <{local(root.tag)}>)")
    book = child(root, "CodeBook")
    codes = read_codes(child(book, "Codes") if book is not None else None)
    tags = {c.guid: c.tag for c in codes}
    users = {_guid(u.get("guid")): (u.get("name") or u.get("id") or "").strip()
             for u in _all(root, "Users", "User")}
    variables = {_guid(v.get("guid")): (v.get("name") or "").strip()
                 for v in _all(root, "Variables", "Variable")}
    sources = []
    holder = child(root, "Sources")
    for el in (list(holder) if holder is not None else []):
        kind = local(el.tag)
        if kind != "TextSource":
            problem = f"{SKIPPED_SOURCES.get(kind, kind)} source; only text is imported"
            sources.append(ReadSource(_guid(el.get("guid")), el.get("name") or "", problem=problem))
            continue
        sources.append(_text_source(el, tags, users, variables))
    return ParsedProject((root.get("name") or "").strip(), codes, sources, len(_all(root, "Cases", "Case")))


def _text_source(el: ET.Element, tags, users, variables) -> ReadSource:
    src = ReadSource(_guid(el.get("guid")), (el.get("name") or "").strip(),
                     path=(el.get("plainTextPath") or "").strip())
    inline = child(el, "PlainTextContent")
    if inline is not None and not src.path:
        src.text = inline.text or ""
    if not src.path and src.text is None:
        src.problem = "no plain text (only rich text)" if el.get("richTextPath") else "no text"
    for sel in children(el, "PlainTextSelection"):
        try:
            start, end = int(sel.get("startPosition", "")), int(sel.get("endPosition", ""))
        except ValueError:
            continue
        applied = []
        for coding in children(sel, "Coding"):
            ref = child(coding, "CodeRef")
            tag = tags.get(_guid(ref.get("targetGUID")) if ref is not None else "")
            if tag:
                user = users.get(_guid(coding.get("creatingUser")), "") or UNKNOWN
                applied.append(Applied(tag, user, xsd_datetime(coding.get("creationDateTime"))))
        src.selections.append(Selection(start, end, sel.get("name") or "", applied))
    for value in children(el, "VariableValue"):
        ref = child(value, "VariableRef")
        name = variables.get(_guid(ref.get("targetGUID")) if ref is not None else "", "")
        text = next((c.text or "" for c in value if local(c.tag) != "VariableRef"), "").strip()
        if name and text:
            src.variables[name.lower()] = text
    return src


def _all(root: ET.Element, holder: str, name: str) -> list[ET.Element]:
    el = child(root, holder)
    return children(el, name) if el is not None else []


def _guid(value: str | None) -> str:
    return (value or "").strip().strip("{}").lower()

