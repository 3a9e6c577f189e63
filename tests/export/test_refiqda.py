"""`pipeline.export.refiqda`: the REFI-QDA codebook and project, checked against QDA-XML 1.0."""

from __future__ import annotations

import re
import zipfile

import pytest
from lxml import etree

from pipeline.codebook import Code, Codebook
from pipeline.export.refiqda import code_guid, codebook_xml, guid
from tests.export.example import EVIL_META

P = "{urn:QDA-XML:project:1.0}"
C = "{urn:QDA-XML:codebook:1.0}"
GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", re.I)
# Element order of the QDA-XML 1.0 schema types used here (Project.xsd, March 2019).
ORDER = {
    "Project": ["Users", "CodeBook", "Variables", "Cases", "Sources", "Notes", "Links", "Sets", "Graphs",
                "Description", "NoteRef"],
    "Code": ["Description", "NoteRef", "Code"],
    "Case": ["Description", "CodeRef", "VariableValue", "SourceRef", "SelectionRef"],
    "TextSource": ["Description", "PlainTextContent", "PlainTextSelection", "Coding", "NoteRef", "VariableValue"],
    "PlainTextSelection": ["Description", "Coding", "NoteRef"],
    "Coding": ["CodeRef", "NoteRef"],
    "VariableValue": ["VariableRef", "TextValue"],
    "Set": ["Description", "MemberCode", "MemberSource", "MemberNote"],
}


def local(el) -> str:
    return etree.QName(el).localname


def assert_schema_order(root) -> None:
    for el in root.iter():
        if not isinstance(el.tag, str) or local(el) not in ORDER:
            continue
        allowed = ORDER[local(el)]
        seen = [allowed.index(local(child)) for child in el]  # ValueError: child not allowed here
        assert seen == sorted(seen), (local(el), [local(c) for c in el])


@pytest.fixture(scope="session")
def qdpx(exported):
    with zipfile.ZipFile(exported["_out"] / "samenspel.qdpx") as zf:
        files = {name: zf.read(name) for name in zf.namelist()}
    return etree.fromstring(files["project.qde"]), files


def test_qdc_structure(exported):
    root = etree.parse(str(exported["_out"] / "samenspel.qdc")).getroot()
    assert root.tag == f"{C}CodeBook" and root.get("origin") == "samenspel"
    codes = root.find(f"{C}Codes")
    parents = codes.findall(f"{C}Code")
    assert [p.get("name") for p in parents] == ["Oriëntaties", "Thema's"]
    assert all(p.get("isCodable") == "false" for p in parents)
    leaves = root.findall(f".//{C}Code/{C}Code")
    assert [c.get("isCodable") for c in leaves] == ["true"] * 3
    assert "De alliantiemanager als <netwerker>" in [c.get("name") for c in leaves]
    assert "& kiest positie" in leaves[0].findtext(f"{C}Description")
    guids = [c.get("guid") for c in root.iter(f"{C}Code")]
    assert all(GUID.match(g) for g in guids) and len(set(guids)) == len(guids)
    for code in root.iter(f"{C}Code"):
        assert code.get("name") and code.get("isCodable") in ("true", "false")
        assert [local(c) for c in code] == sorted((local(c) for c in code), key=["Description", "Code"].index)


def test_qdpx_structure(exported, qdpx, frame):
    root, files = qdpx
    assert root.tag == f"{P}Project"
    assert root.get("name") == "samenspel test" and root.get("origin") == "samenspel"
    assert root.get("creationDateTime") == "2016-06-22T00:00:00Z"
    assert_schema_order(root)
    users = root.findall(f"{P}Users/{P}User")
    assert [u.get("name") for u in users] == ["samenspel"]
    user = users[0].get("guid")
    assert root.get("creatingUserGUID") == user

    guids = [el.get("guid") for el in root.iter() if isinstance(el.tag, str) and el.get("guid") is not None]
    assert all(GUID.match(g) for g in guids), [g for g in guids if not GUID.match(g)]
    assert len(set(guids)) == len(guids)

    code_els = root.findall(f"{P}CodeBook/{P}Codes//{P}Code")
    codes = {c.get("guid"): c for c in code_els}
    assert all(c.get("name") and c.get("isCodable") in ("true", "false") for c in code_els)
    codable = {g for g, c in codes.items() if c.get("isCodable") == "true"}
    qdc = etree.parse(str(exported["_out"] / "samenspel.qdc")).getroot()
    assert {c.get("guid") for c in qdc.iter(f"{C}Code")} == set(codes)  # same GUIDs as the .qdc

    variables = {v.get("guid"): v.get("name") for v in root.findall(f"{P}Variables/{P}Variable")}
    assert set(variables.values()) == {"golf", "organisatietype", "functie"}
    assert all(v.get("typeOfVariable") == "Text" for v in root.iter(f"{P}Variable"))
    sources = {s.get("guid"): s for s in root.findall(f"{P}Sources/{P}TextSource")}
    for ref in root.iter(f"{P}VariableRef"):
        assert ref.get("targetGUID") in variables
    for ref in root.iter(f"{P}SourceRef"):
        assert ref.get("targetGUID") in sources
    for ref in root.iter(f"{P}MemberSource"):
        assert ref.get("targetGUID") in sources
    for ref in root.iter(f"{P}CodeRef"):
        assert ref.get("targetGUID") in codable

    cases = root.findall(f"{P}Cases/{P}Case")
    assert len(cases) == 8  # 7 respondents in 2016/2018 plus R004 in 2018 (the split answer)
    case = next(c for c in cases if c.get("name") == "2016/R002")
    values = {variables[vv.find(f"{P}VariableRef").get("targetGUID")]: vv.findtext(f"{P}TextValue")
              for vv in case.findall(f"{P}VariableValue")}
    assert values == {"golf": "2016", "organisatietype": "provincie", "functie": EVIL_META}
    assert len(sources) == 8 + 2
    assert {s.get("name") for s in sources.values()} >= {"documents/verslag.pdf", "documents/notitie.docx"}

    by_id = frame.set_index("passage_id")
    selected = {}
    for src in sources.values():
        path = src.get("plainTextPath")
        assert path == f"internal://{src.get('guid')}.txt"
        name = "sources/" + path[len("internal://"):]
        assert name in files
        text = files[name].decode("utf-8")
        assert not text.startswith("\ufeff")
        for sel in src.findall(f"{P}PlainTextSelection"):
            start, end = int(sel.get("startPosition")), int(sel.get("endPosition"))
            assert 0 <= start < end <= len(text)
            pid = sel.get("name")
            assert text[start:end] == by_id.loc[pid, "clean"].strip()
            assert sel.get("creatingUser") == user and sel.get("creationDateTime")
            codings = sel.findall(f"{P}Coding")
            got = {codes[c.find(f"{P}CodeRef").get("targetGUID")].get("name") for c in codings}
            assert len(got) == len(codings) == len(by_id.loc[pid, "codes"].split(";"))
            assert all(c.get("creatingUser") == user for c in codings)
            selected[pid] = got
    coded = frame.loc[frame["codes"] != "", "passage_id"]
    assert set(selected) == set(coded)
    assert selected["verslag/0002.1"] == {"De alliantiemanager als strateeg", "De alliantiemanager als <netwerker>"}
    referenced = {"sources/" + s.get("plainTextPath")[len("internal://"):] for s in sources.values()}
    assert referenced == {n for n in files if n.startswith("sources/")}


def test_qdpx_source_layout(qdpx):
    root, files = qdpx
    sources = {s.get("name"): s for s in root.iter(f"{P}TextSource")}

    def text(name):
        return files["sources/" + sources[name].get("plainTextPath")[len("internal://"):]].decode("utf-8")

    assert text("2016/R002") == ("Vraag: rol\nIk ben verbinder tussen de gemeenten; [NAAM] en ik kennen het "
                                 "netwerk.\n\nVraag: uitdaging\nweet niet")
    assert text("2018/R004") == ("Vraag: rol\nEerst de strategie: waar doen we mee? Daarna het netwerk "
                                 "onderhouden, met 😀 erbij.")
    paragraphs = text("documents/verslag.pdf").split("\n\n")
    assert paragraphs[1] == "De secretaris zet de koers uit. Hij onderhoudt het netwerk."
    assert "\r" not in text("2018/R001")
    sets = {s.get("name") for s in root.iter(f"{P}Set")}
    assert sets == {"Enquête golf 2016", "Enquête golf 2018", "Documenten"}


def test_guids_are_stable_and_scoped_to_the_project_except_codes():
    assert guid("source", "survey:2016/R001", "a") == guid("source", "survey:2016/R001", "a")
    assert guid("source", "survey:2016/R001", "a") != guid("source", "survey:2016/R001", "b")
    assert GUID.match(code_guid("regie")) and code_guid("regie") == guid("code", "regie")
    # Never change: a QDA program that imported an earlier export would duplicate every code.
    assert code_guid("regie") == "97ced19e-0252-5840-b878-ddddbf0325f0"


def test_a_code_named_like_a_group_gets_its_id_in_the_name():
    book = Codebook((Code("regie", "thema", "Thema's", "Wie regisseert.", ("regie",)),
                     Code("strateeg", "orientatie", "Strateeg", "Koers.", ("koers",))))
    root = etree.fromstring(codebook_xml(book))
    names = [c.get("name") for c in root.iter(f"{C}Code")]
    assert names == ["Oriëntaties", "Strateeg", "Thema's", "Thema's (regie)"]
