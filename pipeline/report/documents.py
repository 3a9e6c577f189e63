"""The document scan: per regional document, the codes found (with the page and
paragraph of each and the strongest quote) and the places it names.

Places come from the gazetteer of municipalities, provinces and collaborations
(`pipeline.places`) and, when the nlp stage ran with NER and `report.ner` is on, from
spaCy's GPE/LOC entities that the gazetteer did not find.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from pipeline.codebook import Codebook
from pipeline.dutch import distinct_places
from pipeline.places import Gazetteer, default_gazetteer, find_places, ner_places
from pipeline.report.config import ReportConfig
from pipeline.report.tables import strongest
from pipeline.report.text import distinct_labels, file_name, location, truncate


def scan_documents(df: pd.DataFrame, codebook: Codebook, cfg: ReportConfig,
                   entities: dict[str, list[str]]) -> list[dict[str, Any]]:
    """Per document: codes with locations and best quote; places named."""
    gazetteer = default_gazetteer()
    docs = []
    part_all = df[df["kind"] == "document"]
    by_source = dict(tuple(part_all.groupby("source", sort=False)))  # each in table order
    for source in sorted(set(part_all["source"])):
        part = by_source[source].sort_values(["paragraph", "chunk", "passage_id"], kind="mergesort",
                                             na_position="last")
        ok = part[part["classified"].astype(bool)]
        by_kind, ner = document_places(part, gazetteer, entities if cfg.ner else None)
        pages = part["page"].dropna()
        docs.append({"source": source, "name": file_name(source), "paragraphs": int(part["paragraph"].nunique()),
                     "passages": len(part), "pages": int(pages.max()) if len(pages) else None,
                     "codes": document_codes(ok, codebook, cfg), "places": by_kind, "ner": ner,
                     "code_counts": {c.id: int(ok.loc[ok[c.id] == 1, "paragraph"].nunique())
                                     for c in codebook.codes}})
    for d, label in zip(docs, distinct_labels([d["name"] for d in docs], 48)):
        d["label"] = label  # the row label in the chart
    return docs


def document_codes(ok: pd.DataFrame, codebook: Codebook, cfg: ReportConfig) -> list[dict[str, Any]]:
    """The codes of one document's classified passages (in paragraph order): where each is
    found, at most `cfg.max_locations` places, and the quote with the highest probability."""
    codes = []
    for code in codebook.codes:
        coded = ok[ok[code.id] == 1]
        if coded.empty:
            continue
        best = strongest(coded, code.id).iloc[0]
        locs = distinct_places(coded, "short")  # a paragraph split into parts is one location
        more = len(locs) - cfg.max_locations
        codes.append({"code": code, "n": len(locs), "locations": locs[: cfg.max_locations],
                      "more": max(0, more), "quote": truncate(best["text"], cfg.quote_chars),
                      "where": location(best), "p": float(best[f"p_{code.id}"])})
    return codes


def document_places(part: pd.DataFrame, gazetteer: Gazetteer, entities: dict[str, list[str]] | None
                    ) -> tuple[dict[str, list[dict[str, Any]]], list[tuple[str, int]]]:
    """Places one document names: gazetteer places per kind (most often named first), and
    the NER places the gazetteer did not find with their counts (None `entities`: none)."""
    places: dict[tuple[str, str], dict[str, Any]] = {}
    seen_surfaces: set[str] = set()
    for text in part["text"].tolist():
        for m in find_places(str(text), gazetteer):
            key = (m.place.kind, m.place.name)
            entry = places.setdefault(key, {"name": m.place.name, "kind": m.place.kind,
                                            "province": m.place.province, "n": 0})
            entry["n"] += 1
            seen_surfaces.add(m.surface.casefold())
            seen_surfaces.add(m.place.name.casefold())
    ner: dict[str, int] = {}
    if entities is not None:
        for pid in part["passage_id"].tolist():
            for name in ner_places(entities.get(pid, [])):
                if name.casefold() not in seen_surfaces:
                    ner[name] = ner.get(name, 0) + 1
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for (kind, _), entry in sorted(places.items(), key=lambda kv: (kv[0][0], -kv[1]["n"], kv[1]["name"])):
        by_kind.setdefault(kind, []).append(entry)
    return by_kind, sorted(ner.items(), key=lambda kv: (-kv[1], kv[0]))
