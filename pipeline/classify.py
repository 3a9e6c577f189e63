"""Stage `classify`: code every passage with the trained classifier.

Inputs:  scrubbed passages (schema `SCRUBBED`), their NLP annotation (schema `NLP`)
         and the classifier under `models/`.
Outputs: `classified.parquet` (schema `CLASSIFIED`): the passage with, for every code,
         a probability `p_<code>` and a 0/1 column `<code>`, the assigned codes joined
         with ';', and the top evidence terms per assigned code; flat metrics and a
         code co-occurrence table (DVC plot).
Params:  none of its own; the model carries its thresholds.

`classify_file` is the same coding for an ad-hoc file (CSV, XLSX, TXT, PDF, DOCX, ...)
from the command line: `samenspel classify INPUT --output OUT.csv`, written in the dialect
of `export.csv_dialect`.
"""

from __future__ import annotations

import itertools
import logging
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.errors import SamenspelError
from pipeline.files import atomic_path, read_table, write_json, write_table
from pipeline.model import Classifier, feature_frame
from pipeline.progress import resolve_say
from pipeline.schema import CLASSIFIED, NLP, SCRUBBED

log = logging.getLogger(__name__)


def code_passages(clf: Classifier, texts: list[str], lemmas: list[list[str]], mask: np.ndarray | None = None,
                  evidence: bool = True) -> pd.DataFrame:
    """Probabilities, decisions, joined codes and evidence for each text.

    Rows where `mask` is False (empty or filler passages) get probability 0 and no codes.
    """
    n = len(texts)
    mask = np.ones(n, dtype=bool) if mask is None else np.asarray(mask, dtype=bool)
    proba = np.zeros((n, len(clf.codes)))
    relevance = np.zeros(n)
    assigned = np.zeros((n, len(clf.codes)), dtype=int)
    ev: list[list[str]] = [[] for _ in range(n)]
    idx = np.flatnonzero(mask)
    if len(idx):
        X = feature_frame([texts[i] for i in idx], [list(lemmas[i]) for i in idx])
        Xt = clf.transform(X)
        p = clf.predict_proba(Xt=Xt)
        rel = clf.relevance_proba(Xt=Xt)
        proba[idx] = p
        relevance[idx] = rel
        assigned[idx] = clf.decide(p, rel)
        if evidence:
            for i, e in zip(idx, clf.evidence(Xt, assigned[idx])):
                ev[i] = e
    return pd.DataFrame({**decision_columns(clf.codes, proba, assigned), "codes": joined_codes(clf.codes, assigned),
                         "evidence": ev, "relevance": relevance.round(6)})


def decision_columns(codes: list[str], proba: np.ndarray, assigned: np.ndarray) -> dict[str, np.ndarray]:
    """`p_<code>` (rounded to 6 decimals) and then `<code>` (0/1) per code."""
    return {**{f"p_{c}": proba[:, j].round(6) for j, c in enumerate(codes)},
            **{c: assigned[:, j] for j, c in enumerate(codes)}}


def joined_codes(codes: list[str], assigned: np.ndarray) -> list[str]:
    """Per passage, its assigned codes joined with ';' ('' for none)."""
    return [";".join(c for c, a in zip(codes, row) if a) for row in assigned]


def cooccurrence_rows(df: pd.DataFrame, codes: list[str]) -> pd.DataFrame:
    """One row per (code, code) pair assigned together to a passage (incl. the diagonal)."""
    rows = []
    for assigned in df["codes"]:
        got = [c for c in assigned.split(";") if c]
        for a, b in itertools.product(got, got):
            rows.append((a, b))
    return pd.DataFrame(rows, columns=["code", "samen_met"])


def run(scrubbed_path: Path, nlp_path: Path, model_path: Path, output: Path, metrics_path: Path,
        cooccurrence_path: Path, say=None, cache_dir: Path | None = None) -> pd.DataFrame:
    """Code every passage. With `cache_dir`, passages coded before by the same model
    (same text and lemmas) are read back from the content-hash cache."""
    import sys

    from pipeline import model as model_module
    from pipeline.cache import ContentCache, file_digest, module_digest
    from pipeline.ingest import codable

    say = resolve_say(say, log)
    clf = Classifier.load(model_path, lazy=True)  # the model itself only on cache misses
    passages = read_table(scrubbed_path, SCRUBBED)
    nlp = read_table(nlp_path, NLP).set_index("passage_id")
    missing = set(passages["passage_id"]) - set(nlp.index)
    if missing:
        raise SamenspelError(f"{len(missing)} passages hebben geen NLP-uitvoer", path=nlp_path,
                             hint="draai de nlp-stage opnieuw (dvc repro nlp)")
    backends = set(nlp["backend"])
    if clf.meta.get("backend") not in backends:
        say(f"let op: model getraind met {clf.meta.get('backend')}, passages verwerkt met {', '.join(backends)}",
            warn=True)
    lemmas = nlp.loc[passages["passage_id"], "lemmas"].tolist()
    ok = codable(passages["status"])
    texts = passages["text"].tolist()
    SEP = "\x00"  # text and lemmas together are the cache key: both determine the codes

    def compute(batch: list[str]) -> list[list]:
        parts = [b.split(SEP, 1) for b in batch]
        part = code_passages(clf, [t for t, _ in parts], [l.split(" ") if l else [] for _, l in parts])
        probs = part[[f"p_{c}" for c in clf.codes]].to_numpy().tolist()
        return [[p, e, r] for p, e, r in zip(probs, part["evidence"], part["relevance"])]

    fingerprint = [file_digest(model_path, Path(model_path).with_suffix(".json")),
                   module_digest(sys.modules[__name__], model_module)]
    cache = ContentCache(cache_dir, "classify", fingerprint)
    ok_idx = np.flatnonzero(ok)
    results = cache.map([texts[i] + SEP + " ".join(lemmas[i]) for i in ok_idx], compute)
    cache.close()
    proba = np.zeros((len(texts), len(clf.codes)))
    relevance = np.zeros(len(texts))
    evidence: list[list[str]] = [[] for _ in texts]
    for i, (p, e, r) in zip(ok_idx, results):
        proba[i] = p
        evidence[i] = list(e)
        relevance[i] = r
    assigned = clf.decide(proba, relevance) * ok[:, None]
    coded = pd.DataFrame({**decision_columns(clf.codes, proba, assigned), "relevance": relevance.round(6),
                          "codes": joined_codes(clf.codes, assigned), "evidence": evidence})
    out = pd.concat([passages.reset_index(drop=True), coded], axis=1)
    out.insert(len(SCRUBBED.columns), "classified", ok)
    out.insert(len(SCRUBBED.columns) + 1, "lang", nlp.loc[passages["passage_id"], "lang"].to_numpy())
    write_table(output, out, CLASSIFIED)
    co = cooccurrence_rows(out, clf.codes)
    with atomic_path(cooccurrence_path, suffix=".csv") as tmp:
        co.to_csv(tmp, index=False)
    metrics = {"passages": len(out), "classified": int(ok.sum()), "not_classified": int((~ok).sum()),
               "not_dutch": int((~out["lang"].isin(["nl", "und"])).sum()),
               "with_code": int((out["codes"] != "").sum()), "cache_hits": cache.hits,
               "cache_misses": cache.misses}
    for c in clf.codes:
        metrics[f"share.{c}"] = round(float(out.loc[ok, c].mean()) if ok.any() else 0.0, 4)
    write_json(metrics_path, metrics)
    say(f"classify: {metrics['classified']} passages gecodeerd ({metrics['not_classified']} leeg/opvulling, "
        f"{metrics['with_code']} met minstens één code) → {output}")
    return out


# ------------------------------------------------------------------ ad-hoc files


#: Provenance columns of `samenspel classify INPUT` output, per kind of input.
PROVENANCE = {"survey": ["id", "column"], "document": ["id", "page", "paragraph", "section"]}


def read_input(path: Path, text_columns: list[str] | None, id_column: str | None, ingest_cfg) -> pd.DataFrame:
    """Any supported file as one row per text to code, with its provenance and status.

    Tables: one row per record and text column (`id`, `column`), record by record; without
    `text_columns` every column that ingest would take as open answers. Documents: one row
    per paragraph (`id`, `page`, `paragraph`, `section`). Every row has the raw `text`, a
    `status` set as ingest sets it (answers: ok, empty, na or filler; paragraphs: ok or
    signature) and `kind`.
    """
    from pipeline import readers
    from pipeline.ingest import AnswerStatus, detect_id_column, detect_open_columns
    from pipeline.readers.tabular import SurveyOptions

    ext = path.suffix.lower()
    if ext in readers.SURVEY_READERS:
        table = readers.SURVEY_READERS[ext](path, SurveyOptions())
        df = table.data
        available = f"beschikbaar: {', '.join(map(str, df.columns[:25]))}"
        if id_column is None:
            id_column = detect_id_column(df)
        elif id_column not in df.columns:
            raise SamenspelError(f"kolom '{id_column}' bestaat niet", path=path, hint=available)
        if text_columns:
            columns = list(dict.fromkeys(text_columns))  # a column named twice is coded once
            missing = [c for c in columns if c not in df.columns]
            if missing:
                raise SamenspelError(f"kolom(men) {', '.join(repr(c) for c in missing)} bestaan niet", path=path,
                                     hint=available)
        else:
            columns = detect_open_columns(df, ingest_cfg, {id_column} if id_column else set())
            if not columns:
                raise SamenspelError("geen kolom met open antwoorden herkend", path=path,
                                     hint=f"geef --text-column op; {available}")
        ids = df[id_column].astype(str).str.strip() if id_column else pd.Series([str(r) for r in table.rows])
        texts = df[columns].astype(str).to_numpy().reshape(-1)  # row-major: record by record
        answer_status = AnswerStatus.from_config(ingest_cfg)
        return pd.DataFrame({"id": np.repeat(ids.to_numpy(), len(columns)),
                             "column": np.tile(np.array([str(c) for c in columns], dtype=object), len(df)),
                             "text": [t.strip() for t in texts],
                             "status": [answer_status(t) for t in texts],
                             "kind": "survey"})
    if ext in readers.DOCUMENT_READERS:
        paras = readers.DOCUMENT_READERS[ext](path)
        return pd.DataFrame({"id": [f"{path.stem}/{n:04d}" for n in range(1, len(paras) + 1)],
                             "page": pd.array([p.page for p in paras], dtype="Int64"),
                             "paragraph": pd.array(range(1, len(paras) + 1), dtype="Int64"),
                             "section": pd.Series([p.section for p in paras], dtype=object),
                             "text": [p.text for p in paras], "status": [p.status for p in paras],
                             "kind": "document"})
    raise SamenspelError(f"onbekend bestandsformaat '{path.suffix}'", path=path,
                         hint=f"ondersteund: {', '.join(sorted(set(readers.SURVEY_READERS) | set(readers.DOCUMENT_READERS)))}")


def classify_file(path: Path, output: Path, model_path: Path, text_columns: list[str] | None, id_column: str | None,
                  ingest_cfg, scrub_cfg, nlp_cfg, csv_dialect: str, say=None) -> pd.DataFrame:
    """Code an ad-hoc file and write OUT.csv in `csv_dialect` (a key of `CSV_DIALECTS`).

    Columns: the provenance of `PROVENANCE` for the kind of input, `text` (scrubbed),
    `status`, `p_<code>` and `<code>` per code, and `codes`. Only rows with status 'ok'
    are coded; the others keep probability 0 and no codes, and their status says why.
    """
    from pipeline import readers
    from pipeline.files import csv_dialect as dialect_named
    from pipeline.files import write_csv
    from pipeline.ingest import codable
    from pipeline.nlp import lemmatise, load_backend
    from pipeline.scrub import Scrubber

    say = resolve_say(say, log)
    dialect = dialect_named(csv_dialect)
    if not path.exists():
        raise SamenspelError("bestand niet gevonden", path=path)
    if text_columns and path.suffix.lower() in readers.DOCUMENT_READERS:
        say("let op: --text-column geldt alleen voor tabellen (CSV, XLSX, SAV); genegeerd", warn=True)
    clf = Classifier.load(model_path)
    df = read_input(path, text_columns, id_column, ingest_cfg)
    kind = "survey" if path.suffix.lower() in readers.SURVEY_READERS else "document"
    scrub = scrub_cfg.surveys if kind == "survey" else scrub_cfg.documents
    if scrub and len(df):
        scrubber = Scrubber(use_deduce=scrub_cfg.deduce).fit()
        df["text"] = [t for t, _ in scrubber.scrub_many(df["text"].tolist())]
    nlp, backend = load_backend(nlp_cfg.backend, say)
    ok = codable(df["status"])
    lemmas: list[list[str]] = [[] for _ in range(len(df))]  # only coded rows need lemmas
    texts = df["text"].tolist()
    coded_rows = np.flatnonzero(ok)
    for i, row_lemmas in zip(coded_rows, lemmatise([texts[i] for i in coded_rows], nlp, nlp_cfg.batch_size)):
        lemmas[i] = row_lemmas
    coded = code_passages(clf, texts, lemmas, ok, evidence=False)
    out = df[PROVENANCE[kind] + ["text", "status"]].reset_index(drop=True)
    for c in clf.codes:
        out[f"p_{c}"] = coded[f"p_{c}"]
    for c in clf.codes:
        out[c] = coded[c]
    out["relevance"] = coded["relevance"]
    out["codes"] = coded["codes"]
    write_csv(output, out, dialect)
    columns = ""
    if kind == "survey":
        names = list(dict.fromkeys(df["column"]))
        columns = f" uit {', '.join(names)}" if len(names) <= 3 else f" uit {len(names)} kolommen"
    say(f"classify: {int(ok.sum())} van {len(out)} teksten{columns} gecodeerd ({backend}; "
        f"CSV-dialect {csv_dialect}) → {output}")
    return out
