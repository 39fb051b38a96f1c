"""Reading REFI-QDA files in the tests: the schema beside the checkout, the zip, the selections."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# the REFI-QDA project schema lives in shared/ beside the checkout (MIT, REFI 2019); not copied here
XSD_PLACES = [base / "shared" / "refi-qda" / "Project-mrt2019.xsd" for base in (ROOT.parent, ROOT.parents[1])]
PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
Q = {"q": PROJECT_NS}


def project_schema():
    etree = pytest.importorskip("lxml.etree")
    path = next((p for p in XSD_PLACES if p.exists()), None)
    if path is None:
        pytest.skip("the REFI-QDA schema (shared/refi-qda/Project-mrt2019.xsd) is not beside the checkout")
    return etree.XMLSchema(etree.parse(str(path)))


def assert_valid(xml: bytes) -> None:
    from lxml import etree

    schema = project_schema()
    doc = etree.fromstring(xml)
    assert schema.validate(doc), "\n".join(str(e) for e in schema.error_log)


def assert_valid_codebook(qdc: bytes) -> None:
    """A QDC checked against the project schema's CodeBook: the codebook schema itself is not in
    shared/, and its <Codes>/<Code> are the project schema's (which also allows NoteRef).
    The QDC's elements are moved to the project namespace and wrapped in a <Project>."""
    from lxml import etree

    schema = project_schema()
    root = etree.fromstring(qdc)
    assert root.tag == f"{{{CODEBOOK_NS}}}CodeBook"
    assert [etree.QName(c).localname for c in root] == ["Codes"]
    for el in root.iter():
        el.tag = f"{{{PROJECT_NS}}}{etree.QName(el).localname}"
    project = etree.Element(f"{{{PROJECT_NS}}}Project", name="codebook check", nsmap={None: PROJECT_NS})
    book = etree.SubElement(project, f"{{{PROJECT_NS}}}CodeBook")
    book.append(root[0])
    etree.cleanup_namespaces(project)
    assert schema.validate(project), "\n".join(str(e) for e in schema.error_log)


def unpack(data: bytes):
    """(project.qde root, {member name: bytes}) of a .qdpx."""
    from lxml import etree

    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        files = {n: zf.read(n) for n in zf.namelist()}
    return etree.fromstring(files["project.qde"]), files


def selections(data: bytes) -> list[dict]:
    """Every PlainTextSelection with the text of its source file (decoded strictly as UTF-8)."""
    root, files = unpack(data)
    codes = {c.get("guid"): c.get("name") for c in root.iterfind(".//q:Code", Q)}
    users = {u.get("guid"): u.get("name") for u in root.iterfind(".//q:User", Q)}
    out = []
    for src in root.iterfind(".//q:TextSource", Q):
        path = src.get("plainTextPath")
        assert path.startswith("internal://"), path
        raw = files["Sources/" + path[len("internal://"):]]
        text = raw.decode("utf-8")
        for sel in src.iterfind("q:PlainTextSelection", Q):
            out.append({"source": src.get("name"), "raw": raw, "text": text, "guid": sel.get("guid"),
                        "start": int(sel.get("startPosition")), "end": int(sel.get("endPosition")),
                        "name": sel.get("name"),
                        "codings": [(codes[c.find("q:CodeRef", Q).get("targetGUID")],
                                     users[c.get("creatingUser")], c.get("creationDateTime"))
                                    for c in sel.iterfind("q:Coding", Q)]})
    return out


def cases(data: bytes) -> dict[str, dict]:
    """Every Case by name: its variable values, the names of its sources, its selections."""
    root, _ = unpack(data)
    variables = {v.get("guid"): v.get("name") for v in root.iterfind(".//q:Variable", Q)}
    sources = {s.get("guid"): s.get("name") for s in root.iterfind(".//q:TextSource", Q)}
    sels = {s["guid"]: s for s in selections(data)}
    out = {}
    for case in root.iterfind(".//q:Case", Q):
        out[case.get("name")] = {
            "values": {variables[v.find("q:VariableRef", Q).get("targetGUID")]:
                       v.findtext("q:TextValue", namespaces=Q) for v in case.iterfind("q:VariableValue", Q)},
            "sources": {sources[r.get("targetGUID")] for r in case.iterfind("q:SourceRef", Q)},
            "selections": [sels[r.get("targetGUID")] for r in case.iterfind("q:SelectionRef", Q)]}
    return out
