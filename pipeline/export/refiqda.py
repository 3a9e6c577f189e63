"""The REFI-QDA codebook (`.qdc`) and project (`.qdpx`).

REFI-QDA layout (QDA-XML 1.0, `Project.xsd` of March 2019 and `Codebook.xsd`):

* codes: two non-codable parents, "Oriëntaties" and "Thema's", holding the codebook codes
  (name = codebook name, description = definition); the same GUIDs in `.qdc` and `.qdpx`.
* one TextSource per survey respondent per wave (their answers under a "Vraag: <id>"
  line, separated by blank lines) and one per document (paragraphs separated by blank
  lines); parts of a split answer or paragraph are joined with a space.
* one PlainTextSelection per passage with at least one code, one Coding per code;
  positions count Unicode code points in the source text, end exclusive.
* one Case per respondent and wave, with the wave and the `meta_*` columns as Text
  variables; Sets group the sources per wave and the documents.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from lxml import etree

from pipeline.codebook import Codebook
from pipeline.export.config import ORIGIN, ExportConfig
from pipeline.export.safety import clean_text
from pipeline.export.tables import GROUP_NAMES
from pipeline.export.values import as_list, is_missing
from pipeline.files import stable_zip

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
PROJECT_XSD = f"{PROJECT_NS} http://schema.qdasoftware.org/versions/Project/v1.0/Project.xsd"
CODEBOOK_XSD = f"{CODEBOOK_NS} http://schema.qdasoftware.org/versions/Codebook/v1.0/Codebook.xsd"

#: Root of all GUIDs this stage writes; never change it, or reimports duplicate everything.
GUID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:samenspel:refi-qda")

GROUP_DESCRIPTIONS = {
    "orientatie": "De oriëntaties van de alliantiemanager uit het codeboek van samenspel.",
    "thema": "Thema's in regionale samenwerking uit het codeboek van samenspel.",
}
#: Colours per group (orientations blue-green, themes warm), cycled per code.
PALETTE = {
    "orientatie": ("#1F77B4", "#17BECF", "#2CA02C", "#9467BD", "#4C72B0", "#55A868"),
    "thema": ("#FF7F0E", "#D62728", "#E377C2", "#BCBD22", "#8C564B", "#DD8452"),
}
#: Statuses whose text goes into the QDA sources: what the respondent or document says.
SOURCE_STATUSES = ("ok", "filler", "signature")


def guid(kind: str, key: str, scope: str = "") -> str:
    """A stable RFC 4122 GUID (UUID5) for one object; `scope` separates projects."""
    return str(uuid.uuid5(GUID_NAMESPACE, f"{scope}\x1f{kind}\x1f{key}"))


def code_guid(code_id: str) -> str:
    # Codes are not scoped to a project, so the .qdc and every project share their GUIDs.
    return guid("code", code_id)


def group_guid(group: str) -> str:
    return guid("group", group)


@dataclass
class Selection:
    passage_id: str
    start: int
    end: int
    codes: list[str]
    description: str


@dataclass
class TextSource:
    key: str
    name: str
    text: str
    description: str
    group: str  # wave label or "documenten", for Sets
    selections: list[Selection] = field(default_factory=list)
    case: dict[str, str] | None = None  # variable name -> value, for survey respondents


def _decimal(p: float) -> str:
    return f"{p:.2f}".replace(".", ",")


def _selection_description(rec: dict[str, Any], codes: list[str], evidence: list[str]) -> str:
    assigned = "; ".join(f"{c} (p = {_decimal(float(rec[f'p_{c}']))})" for c in codes)
    text = f"Automatisch gecodeerd door samenspel: {assigned}."
    if evidence:
        text += " Bewijs: " + " | ".join(evidence) + "."
    return text


class _SourceText:
    """Builds a source text and records where each passage lands, in code points."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0

    def add(self, text: str) -> tuple[int, int]:
        start = self.length
        self.parts.append(text)
        self.length += len(text)
        return start, self.length

    def text(self) -> str:
        return "".join(self.parts)


def _add_passage(buf: _SourceText, rec: dict[str, Any], ids: list[str], selections: list[Selection]) -> None:
    """Append one passage; a coded passage becomes a selection over exactly its text."""
    start, end = buf.add(rec["_text"])
    codes = [c for c in ids if int(rec[c]) == 1]
    if codes:
        selections.append(Selection(rec["passage_id"], start, end, codes,
                                    _selection_description(rec, codes, as_list(rec["evidence"]))))


def build_sources(df: pd.DataFrame, codebook: Codebook) -> list[TextSource]:
    """Survey respondents (per wave) and documents as text sources with coded selections.

    A respondent's source has a "Vraag: <id>" line before each answer and a blank line
    between answers; a document's source has a blank line between paragraphs. The parts
    of an answer or paragraph that ingest split on sentences are joined with a space.
    Sources keep the order in which they first occur in the table.
    """
    ids = codebook.ids
    metas = sorted(c for c in df.columns if c.startswith("meta_"))
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for rec in df.to_dict("records"):
        rec["_text"] = clean_text(str(rec["text"])).strip()
        if rec["status"] not in SOURCE_STATUSES or not rec["_text"]:
            continue
        if rec["kind"] == "survey":
            key = ("survey", f"{rec['wave']}/{rec['respondent_id']}")
        else:
            key = ("document", str(rec["source"]))
        groups.setdefault(key, []).append(rec)

    sources: list[TextSource] = []
    for (kind, name), recs in groups.items():
        buf, selections = _SourceText(), []
        first = recs[0]
        if kind == "survey":
            previous = None
            for rec in recs:  # ingest order: question by question, parts in order
                if rec["question_id"] != previous:
                    buf.add(("\n\n" if buf.length else "") + f"Vraag: {rec['question_id']}\n")
                else:
                    buf.add(" ")
                previous = rec["question_id"]
                _add_passage(buf, rec, ids, selections)
            variables = {"golf": str(first["wave"])}
            for meta in metas:
                value = next((r[meta] for r in recs if not is_missing(r[meta])), None)
                if value is not None:
                    variables[meta[len("meta_"):]] = str(value)
            sources.append(TextSource(
                key=f"survey:{name}", name=name, text=buf.text(),
                description=f"Enquête golf {first['wave']}, respondent {first['respondent_id']} ({first['source']}).",
                group=str(first["wave"]), selections=selections, case=variables))
        else:
            previous = None
            for rec in sorted(recs, key=lambda r: (_sort_int(r["paragraph"]), _sort_int(r["chunk"]))):
                if buf.length:
                    buf.add(" " if rec["paragraph"] == previous else "\n\n")
                previous = rec["paragraph"]
                _add_passage(buf, rec, ids, selections)
            sources.append(TextSource(key=f"document:{name}", name=name, text=buf.text(),
                                      description=f"Document {name}.", group="documenten", selections=selections))
    return sources


def _sort_int(value: Any) -> int:
    return -1 if is_missing(value) else int(value)


def _sub(parent, ns: str, tag: str, attrs: dict[str, str] | None = None, text: str | None = None):
    el = etree.SubElement(parent, f"{{{ns}}}{tag}")
    for k, v in (attrs or {}).items():
        el.set(k, clean_text(v))
    if text is not None:
        el.text = clean_text(text)
    return el


def _unique_names(codebook: Codebook) -> dict[str, str]:
    names: dict[str, str] = {}
    seen = set(GROUP_NAMES.values())
    for code in codebook.codes:
        name = code.name if code.name not in seen else f"{code.name} ({code.id})"
        seen.add(name)
        names[code.id] = name
    return names


def _add_codes(codes_el, ns: str, codebook: Codebook) -> None:
    """Two non-codable parents (the codebook groups) with the codable codes below them."""
    names = _unique_names(codebook)
    for group, parent_name in GROUP_NAMES.items():
        members = codebook.group(group)
        if not members:
            continue
        parent = _sub(codes_el, ns, "Code", {"guid": group_guid(group), "name": parent_name, "isCodable": "false"})
        _sub(parent, ns, "Description", text=GROUP_DESCRIPTIONS[group])
        for i, code in enumerate(members):
            colour = PALETTE[group][i % len(PALETTE[group])]
            el = _sub(parent, ns, "Code", {"guid": code_guid(code.id), "name": names[code.id],
                                           "isCodable": "true", "color": colour})
            _sub(el, ns, "Description", text=f"{code.definition}\n(samenspel-id: {code.id})")


def _xml_bytes(root) -> bytes:
    # The declaration by hand: lxml writes it with single quotes, the QDA programs with double.
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + etree.tostring(root, encoding="UTF-8", pretty_print=True)


def codebook_xml(codebook: Codebook) -> bytes:
    """The REFI-QDA codebook (.qdc)."""
    root = etree.Element(f"{{{CODEBOOK_NS}}}CodeBook", nsmap={None: CODEBOOK_NS, "xsi": XSI_NS})
    root.set("origin", ORIGIN)
    root.set(f"{{{XSI_NS}}}schemaLocation", CODEBOOK_XSD)
    _add_codes(_sub(root, CODEBOOK_NS, "Codes"), CODEBOOK_NS, codebook)
    return _xml_bytes(root)


def project_xml(sources: list[TextSource], codebook: Codebook, cfg: ExportConfig) -> tuple[bytes, dict[str, str]]:
    """project.qde and the source file name per source key (sources/<guid>.txt)."""
    ns, scope = PROJECT_NS, cfg.project_name
    when = cfg.timestamp.isoformat() + "Z"
    user = guid("user", ORIGIN, scope)
    created = {"creatingUser": user, "creationDateTime": when}  # of every source, selection and coding
    root = etree.Element(f"{{{ns}}}Project", nsmap={None: ns, "xsi": XSI_NS})
    for k, v in (("name", cfg.project_name), ("origin", ORIGIN), ("creatingUserGUID", user),
                 ("creationDateTime", when), (f"{{{XSI_NS}}}schemaLocation", PROJECT_XSD)):
        root.set(k, v)
    # Children in the order of ProjectType: Users, CodeBook, Variables, Cases, Sources,
    # Notes, Links, Sets, Graphs, Description; empty containers are left out (the schema
    # requires at least one child in each).
    _sub(_sub(root, ns, "Users"), ns, "User", {"guid": user, "name": ORIGIN})
    _add_codes(_sub(_sub(root, ns, "CodeBook"), ns, "Codes"), ns, codebook)

    variables: dict[str, str] = {}
    for src in sources:
        for name in (src.case or {}):
            variables.setdefault(name, guid("variable", name, scope))
    if variables:
        vars_el = _sub(root, ns, "Variables")
        for name, var_guid in variables.items():
            var = _sub(vars_el, ns, "Variable", {"guid": var_guid, "name": name, "typeOfVariable": "Text"})
            what = "de enquêtegolf" if name == "golf" else f"respondentkenmerk uit de enquête (meta_{name})"
            _sub(var, ns, "Description", text=f"Samenspel: {what}.")

    source_guids = {src.key: guid("source", src.key, scope) for src in sources}
    cases = [src for src in sources if src.case is not None]
    if cases:
        cases_el = _sub(root, ns, "Cases")
        for src in cases:
            case = _sub(cases_el, ns, "Case", {"guid": guid("case", src.key, scope), "name": src.name})
            for name, value in src.case.items():
                vv = _sub(case, ns, "VariableValue")
                _sub(vv, ns, "VariableRef", {"targetGUID": variables[name]})
                _sub(vv, ns, "TextValue", text=value)
            _sub(case, ns, "SourceRef", {"targetGUID": source_guids[src.key]})

    files: dict[str, str] = {}
    if sources:
        sources_el = _sub(root, ns, "Sources")
        for src in sources:
            sg = source_guids[src.key]
            files[src.key] = f"sources/{sg}.txt"
            el = _sub(sources_el, ns, "TextSource", {"guid": sg, "name": src.name,
                                                      "plainTextPath": f"internal://{sg}.txt", **created})
            _sub(el, ns, "Description", text=src.description)
            for sel in src.selections:
                sel_el = _sub(el, ns, "PlainTextSelection", {
                    "guid": guid("selection", sel.passage_id, scope), "name": sel.passage_id,
                    "startPosition": str(sel.start), "endPosition": str(sel.end), **created})
                _sub(sel_el, ns, "Description", text=sel.description)
                for code in sel.codes:
                    coding_guid = guid("coding", f"{sel.passage_id}\x1f{code}", scope)
                    coding = _sub(sel_el, ns, "Coding", {"guid": coding_guid, **created})
                    _sub(coding, ns, "CodeRef", {"targetGUID": code_guid(code)})

    groups = list(dict.fromkeys(src.group for src in sources))
    if groups:
        sets_el = _sub(root, ns, "Sets")
        for group in groups:
            name = "Documenten" if group == "documenten" else f"Enquête golf {group}"
            set_el = _sub(sets_el, ns, "Set", {"guid": guid("set", group, scope), "name": name})
            for src in sources:
                if src.group == group:
                    _sub(set_el, ns, "MemberSource", {"targetGUID": source_guids[src.key]})

    _sub(root, ns, "Description", text=(
        f"{cfg.project_name}: passages uit samenspel met de codes die de classifier toekende. Elke code is "
        "een voorstel: controleer en verbeter de codering in je QDA-programma. Enquêteantwoorden zijn gescrubd "
        "(persoonsgegevens vervangen door plaatshouders zoals [NAAM])."))
    return _xml_bytes(root), files


def qdpx_bytes(sources: list[TextSource], codebook: Codebook, cfg: ExportConfig) -> bytes:
    project, files = project_xml(sources, codebook, cfg)
    entries = [("project.qde", project)]
    entries += [(files[src.key], src.text.encode("utf-8")) for src in sources]
    return stable_zip(entries, cfg.timestamp.timetuple()[:6])
