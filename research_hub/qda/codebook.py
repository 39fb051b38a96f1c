"""Tags as REFI-QDA codes: the workspace's codebook, the <Codes> tree both formats share,
and QDC (the codebook alone) written and read.

Every tag is a code, named by the tag (or, for a code that came from an imported
codebook, by the name it had there) with the tag's description. An imported
codebook's tree is kept (`store.qda.CODES_KEY`), so it is written back with the
same nesting, names and GUIDs; a child code's tag is `parent_child`, as the
tag rules spell `parent/child`.
"""
from __future__ import annotations

import unicodedata
import xml.etree.ElementTree as ET
from collections import defaultdict
from typing import Any, Iterable

from research_hub.core.errors import InvalidInputError
from research_hub.ingest.rules import RULE_TAGS
from research_hub.ingest.taxonomy import TaxonomyTag, normalize_tag
from research_hub.qda.model import Code, guid
from research_hub.qda.xmlutil import child_text, children, element, local, parse, serialize
from research_hub.store.highlights import HighlightStore
from research_hub.store.qda import QDAStore

CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"


# -- the workspace's codes ---------------------------------------------------------------
def workspace_codes(ws) -> list[Code]:
    """Every tag (and every category of an imported codebook) as a code."""
    store = QDAStore(ws.db)
    tree = store.code_tree()
    described = {t["name"]: t["description"] or "" for t in store.tags()}
    taxonomy = {t.name: t.description for t in ws.taxonomy()}
    marked = [tag for tag, _ in HighlightStore(ws.db).tag_counts()]
    tags = list(dict.fromkeys([*described, *taxonomy, *marked, *tree]))
    codes = []
    for tag in tags:
        kept = tree.get(tag, {})
        description = (described.get(tag) or taxonomy.get(tag) or kept.get("description")
                       or RULE_TAGS.get(tag, ""))
        parent = kept.get("parent")
        codes.append(Code(tag=tag, name=kept.get("name") or tag, guid=kept.get("guid") or guid("code", tag),
                          description=description, codable=kept.get("codable", True),
                          parent=parent if parent in tree or parent in described else None))
    return codes


def tree_entries(codes: Iterable[Code]) -> dict[str, dict[str, Any]]:
    """Codes as the entries of the kept code tree."""
    return {c.tag: {"name": c.name, "guid": c.guid, "parent": c.parent, "codable": c.codable,
                    "description": c.description} for c in codes}


# -- <Codes> -------------------------------------------------------------------------------
def codes_element(codes: list[Code], parent: ET.Element) -> ET.Element:
    """<Codes> with each code nested under its parent."""
    known = {c.tag for c in codes}
    under: dict[str | None, list[Code]] = defaultdict(list)
    for c in codes:
        under[c.parent if c.parent in known and c.parent != c.tag else None].append(c)
    holder = element("Codes", parent=parent)

    def add(code: Code, into: ET.Element, path: frozenset[str]) -> None:
        el = element("Code", {"guid": code.guid, "name": code.name,
                              "isCodable": "true" if code.codable else "false"}, parent=into)
        if code.description:
            element("Description", text=code.description, parent=el)
        for sub in under.get(code.tag, []):
            if sub.tag not in path:  # a loop in a kept tree must not recurse forever
                add(sub, el, path | {sub.tag})

    for code in under[None]:
        add(code, holder, frozenset({code.tag}))
    return holder


def read_codes(codes_el: ET.Element | None) -> list[Code]:
    """The codes under a <Codes> element, parents first, each with a tag of its own."""
    out: list[Code] = []
    taken: set[str] = set()

    def walk(el: ET.Element, parent: Code | None) -> None:
        for node in children(el, "Code"):
            name = (node.get("name") or "").strip()
            node_guid = (node.get("guid") or "").strip().strip("{}").lower()
            tag = _tag_for(name, parent.tag if parent else None, node_guid, taken)
            code = Code(tag=tag, name=name or tag, guid=node_guid or guid("code", tag),
                        description=child_text(node, "Description"),
                        codable=(node.get("isCodable") or "true").strip().lower() not in ("false", "0"),
                        parent=parent.tag if parent else None)
            out.append(code)
            walk(node, code)

    if codes_el is not None:
        walk(codes_el, None)
    return out


def _tag_for(name: str, parent: str | None, node_guid: str, taken: set[str]) -> str:
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    base = normalize_tag(f"{parent}/{folded}" if parent else folded)
    if not base or base == parent:
        base = f"{parent}_code_{node_guid[:8]}" if parent else f"code_{node_guid[:8] or len(taken) + 1}"
    tag, n = base, 2
    while tag in taken:
        tag, n = f"{base}_{n}", n + 1
    taken.add(tag)
    return tag


# -- QDC -----------------------------------------------------------------------------------
def render_qdc(codes: list[Code], origin: str) -> bytes:
    if not codes:
        raise InvalidInputError("there are no tags to export as a codebook yet")
    root = element("CodeBook", {"origin": origin})
    codes_element(codes, root)
    return serialize(root, CODEBOOK_NS)


def parse_qdc(data: bytes, what: str = "the codebook") -> list[Code]:
    root = parse(data, what)
    if local(root.tag) != "CodeBook":
        raise InvalidInputError(f"{what} is not a REFI-QDA codebook (its root is <{local(root.tag)}>, "
                                "not <CodeBook>)")
    codes = read_codes(next(iter(children(root, "Codes")), None))
    if not codes:
        raise InvalidInputError(f"{what} has no codes")
    return codes


def as_taxonomy(codes: list[Code]) -> list[TaxonomyTag]:
    """Codable codes as taxonomy tags matching their own name; tags the rules give already and
    categories (codes that only group others) stay out."""
    return [TaxonomyTag(name=c.tag, description=c.description, keywords=[c.name])
            for c in codes if c.codable and c.tag not in RULE_TAGS]
