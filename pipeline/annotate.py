"""Annotation round-trip: export the passages the model is least sure about, import
the coded files back into the annotated corpus.

`export` writes the N classified passages whose probabilities lie closest to their
code thresholds (uncertainty sampling), as an XLSX with one column per code for
people who code in Excel, and as a Label Studio import (JSON tasks with a
multi-label choices config). `import` reads filled-in XLSX or Label Studio exports,
checks every row against the export it came from and the codebook, and appends the
accepted passages to `corpora/annotations/` with annotator and date; `dvc repro` then
retrains and re-evaluates.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.codebook import Codebook, load_codebook
from pipeline.errors import SamenspelError
from pipeline.files import atomic_path, read_table, write_json
from pipeline.model import Classifier
from pipeline.progress import Say, resolve_say

log = logging.getLogger(__name__)

ID, TEXT, REGISTER = "id", "tekst", "register"
LABEL_STUDIO_CONFIG = """<View>
  <Text name="tekst" value="$tekst"/>
  <Choices name="codes" toName="tekst" choice="multiple" showInLine="false">
{choices}
  </Choices>
</View>"""


def uncertainty(proba: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """Smallest distance of any code's probability to its threshold (lower = less sure)."""
    return np.abs(proba - thresholds[None, :]).min(axis=1)


def export(classified_path: Path, model_path: Path, codebook_path: Path, out_xlsx: Path, out_labelstudio: Path,
           n: int, say: Say | None = None) -> pd.DataFrame:
    """Write the `n` least certain classified passages for annotation."""
    from pipeline.schema import CLASSIFIED

    say = resolve_say(say, log)
    codebook = load_codebook(codebook_path)
    clf = Classifier.load(model_path)
    df = read_table(classified_path, CLASSIFIED)
    df = df[df["classified"]].reset_index(drop=True)
    if df.empty:
        raise SamenspelError("geen gecodeerde passages om voor te leggen", path=classified_path)
    codes = codebook.ids
    proba = df[[f"p_{c}" for c in codes]].to_numpy()
    t = np.array([clf.thresholds[c] for c in codes])
    order = np.lexsort((df["passage_id"].to_numpy(), uncertainty(proba, t)))[:n]
    pick = df.iloc[order].reset_index(drop=True)
    sheet = pd.DataFrame({ID: pick["passage_id"], TEXT: pick["text"],
                          REGISTER: np.where(pick["kind"] == "survey", "enquete", "beleid"),
                          "voorstel_model": pick["codes"]})
    for c in codes:
        sheet[c] = ""  # the annotator fills in 1 (code applies) or 0; an untouched row is skipped on import
    with atomic_path(out_xlsx, suffix=".xlsx") as tmp:
        with pd.ExcelWriter(tmp, engine="openpyxl") as xw:
            sheet.to_excel(xw, sheet_name="annoteren", index=False)
            pd.DataFrame({"code": codes, "naam": [codebook[c].name for c in codes],
                          "definitie": [codebook[c].definition for c in codes]}).to_excel(
                xw, sheet_name="codeboek", index=False)
    tasks = [{"data": {"passage_id": r[ID], "tekst": r[TEXT], "register": r[REGISTER]}} for _, r in sheet.iterrows()]
    write_json(out_labelstudio, tasks)
    config = LABEL_STUDIO_CONFIG.format(choices="\n".join(f'    <Choice value="{c}"/>' for c in codes))
    with atomic_path(out_labelstudio.with_suffix(".config.xml")) as tmp:
        tmp.write_text(config, encoding="utf-8")
    say(f"annotate export: {len(sheet)} passages om te coderen → {out_xlsx} en {out_labelstudio} "
        f"(Label Studio-configuratie: {out_labelstudio.with_suffix('.config.xml')})")
    return sheet


def _rows_from_xlsx(path: Path, codes: list[str]) -> list[dict]:
    df = pd.read_excel(path, sheet_name="annoteren", dtype=str, keep_default_na=False)
    unknown = [c for c in df.columns if c not in (ID, TEXT, REGISTER, "voorstel_model") and c not in codes]
    if unknown:
        raise SamenspelError(f"onbekende code(kolom)men {unknown}", path=path,
                             hint="voeg ze eerst toe aan corpora/codebook.yaml")
    rows = []
    for i, r in df.iterrows():
        marks = {c: str(r.get(c, "")).strip().lower() for c in codes}
        bad = {c: v for c, v in marks.items() if v not in ("", "0", "1", "x", "ja", "nee")}
        if bad:
            raise SamenspelError(f"rij {i + 2}: onbekende waarde(n) {bad}", path=path,
                                 hint="zet 1 (of x) als de code geldt en 0 in de andere cellen")
        if not any(marks.values()):
            continue  # nothing filled in: not coded yet (a passage without codes gets 0s)
        rows.append({"id": r[ID], "text": r[TEXT], "register": r.get(REGISTER, ""),
                     "codes": sorted(c for c, v in marks.items() if v in ("1", "x", "ja")),
                     "row": f"rij {i + 2}"})
    return rows


def _rows_from_labelstudio(path: Path, codes: list[str]) -> list[dict]:
    tasks = json.loads(path.read_text(encoding="utf-8"))
    rows = []
    for i, task in enumerate(tasks, start=1):
        data = task.get("data", {})
        anns = [a for a in task.get("annotations", []) if not a.get("was_cancelled")]
        if not anns:
            continue  # not annotated yet
        chosen: set[str] = set()
        for res in anns[-1].get("result", []):
            chosen.update(res.get("value", {}).get("choices", []))
        unknown = chosen - set(codes)
        if unknown:
            raise SamenspelError(f"taak {i}: onbekende code(s) {sorted(unknown)}", path=path,
                                 hint="voeg ze eerst toe aan corpora/codebook.yaml")
        rows.append({"id": data.get("passage_id"), "text": data.get("tekst"), "register": data.get("register", ""),
                     "codes": sorted(chosen), "row": f"taak {i}"})
    return rows


def import_(files: list[Path], classified_path: Path, codebook_path: Path, annotations_dir: Path,
            annotator: str, date: str | None = None, say: Say | None = None) -> Path:
    """Merge filled-in annotation files into `annotations_dir`; return the file written."""
    from pipeline.annotations import load_annotations
    from pipeline.schema import CLASSIFIED

    say = resolve_say(say, log)
    if not annotator.strip():
        raise SamenspelError("geef de naam van de annotator op (--annotator)")
    codebook: Codebook = load_codebook(codebook_path)
    codes = codebook.ids
    passages = read_table(classified_path, CLASSIFIED).set_index("passage_id")
    existing = load_annotations(annotations_dir, codebook)
    seen = set(existing["id"])
    date = date or dt.date.today().isoformat()
    accepted = []
    for path in files:
        if not path.exists():
            raise SamenspelError("bestand niet gevonden", path=path)
        if path.suffix.lower() == ".xlsx":
            rows = _rows_from_xlsx(path, codes)
        elif path.suffix.lower() == ".json":
            rows = _rows_from_labelstudio(path, codes)
        else:
            raise SamenspelError("onbekend formaat; verwacht .xlsx (uit annotate export) of .json (Label Studio)",
                                 path=path)
        for row in rows:
            pid = row["id"]
            if pid not in passages.index:
                raise SamenspelError(f"{row['row']}: passage '{pid}' bestaat niet (meer) in de gecodeerde passages",
                                     path=path, hint="gebruik een export van dezelfde pipeline-run")
            if " ".join(str(row["text"]).split()) != " ".join(str(passages.at[pid, "text"]).split()):
                raise SamenspelError(f"{row['row']}: tekst van '{pid}' wijkt af van de passage", path=path,
                                     hint="pas de tekst niet aan in het annotatiebestand")
            ann_id = f"ann-{pid}"
            if ann_id in seen:
                raise SamenspelError(f"{row['row']}: passage '{pid}' is al geannoteerd", path=path)
            seen.add(ann_id)
            register = row["register"] or ("enquete" if passages.at[pid, "kind"] == "survey" else "beleid")
            accepted.append({"id": ann_id, "text": passages.at[pid, "text"], "codes": row["codes"],
                             "register": register, "annotator": annotator, "split": "train", "date": date})
    if not accepted:
        raise SamenspelError("geen ingevulde passages gevonden", hint="vul de codekolommen in of annoteer in Label Studio")
    out = annotations_dir / f"train_annotatieronde_{date}_{annotator}.jsonl".replace(" ", "_")
    lines = out.read_text(encoding="utf-8").splitlines() if out.exists() else []
    lines += [json.dumps(r, ensure_ascii=False) for r in accepted]
    with atomic_path(out, suffix=".jsonl") as tmp:
        tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    say(f"annotate import: {len(accepted)} passages toegevoegd → {out}; draai `dvc repro` om opnieuw te trainen")
    return out
