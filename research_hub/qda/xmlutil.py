"""Small XML helpers: text XML 1.0 can carry, local names, xsd dates, safe parsing."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date, datetime

from research_hub.core.errors import InvalidInputError

# characters XML 1.0 cannot hold at all (control characters other than tab, LF, CR)
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text or "")


def local(tag: str) -> str:
    """'{urn:QDA-XML:project:1.0}Code' -> 'Code'. Reading ignores namespaces: tools disagree on them."""
    return tag.rsplit("}", 1)[-1]


def children(el: ET.Element, name: str) -> list[ET.Element]:
    return [c for c in el if local(c.tag) == name]


def child(el: ET.Element, name: str) -> ET.Element | None:
    found = children(el, name)
    return found[0] if found else None


def child_text(el: ET.Element, name: str) -> str:
    c = child(el, name)
    return (c.text or "").strip() if c is not None else ""


def element(tag: str, attrs: dict[str, object] | None = None, text: str | None = None,
            parent: ET.Element | None = None) -> ET.Element:
    """An element with the attributes that have a value (all made XML-safe)."""
    clean = {k: xml_text(str(v)) for k, v in (attrs or {}).items() if v not in (None, "")}
    el = ET.Element(tag, clean) if parent is None else ET.SubElement(parent, tag, clean)
    if text:
        el.text = xml_text(text)
    return el


def serialize(root: ET.Element, namespace: str) -> bytes:
    """UTF-8 XML with `namespace` as the default namespace of every element."""
    root.set("xmlns", namespace)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def parse(data: bytes, what: str) -> ET.Element:
    try:
        return ET.fromstring(data)
    except ET.ParseError as exc:
        raise InvalidInputError(f"{what} is not well-formed XML ({exc})") from None


def xsd_datetime(value: str | None) -> str | None:
    """An xsd:dateTime for `value` when it is an ISO date-time, else None."""
    if not value:
        return None
    try:
        stamp = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return stamp.isoformat(timespec="seconds")


def xsd_date(value: str | None) -> str | None:
    try:
        return date.fromisoformat((value or "").strip()[:10]).isoformat() if value else None
    except ValueError:
        return None
