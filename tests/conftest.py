import json
import shutil
from pathlib import Path

import pytest

import pipeline  # noqa: F401  first, as the samenspel command: pins numba and numpy before they load

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def params():
    from pipeline.config import load_params

    return load_params(ROOT / "params.yaml")


@pytest.fixture
def ingest_cfg(params):
    from pipeline.ingest import IngestConfig

    return IngestConfig.from_params(params["ingest"])


@pytest.fixture(scope="session")
def fallback_nlp():
    from pipeline.nlp import load_backend

    return load_backend("fallback")


CODEBOOK = ROOT / "corpora" / "codebook.yaml"


@pytest.fixture(scope="session")
def small_train_cfg(params):
    from pipeline.train import TrainConfig

    cfg = TrainConfig.from_params(params["train"])
    cfg.cv_folds = 3
    cfg.candidates = {"lemma_svm": {"char": False, "model": "linearsvc", "C": 0.3},
                      "lemma_char_svm": {"char": True, "model": "linearsvc", "C": 0.3}}
    return cfg


@pytest.fixture(scope="session")
def annotations_dir(tmp_path_factory):
    """The project's own training annotations plus a few test-split passages."""
    folder = tmp_path_factory.mktemp("ann")
    for f in sorted((ROOT / "corpora" / "annotations").glob("train_*.jsonl")):
        shutil.copy(f, folder / f.name)
    tests = [
        {"id": "t1", "text": "Ik ben penvoerder van het convenant en bereid het bestuurlijk overleg voor.",
         "codes": ["procesmanager"]},
        {"id": "t2", "text": "Iedere gemeente komt op voor het eigen belang, dat schuurt met de regionale opgave.",
         "codes": ["belangen"]},
        {"id": "t3", "text": "Het glasvezelnetwerk in het buitengebied is bijna klaar.", "codes": []},
        {"id": "t4", "text": "We vergaderen al jaren zonder resultaat; niemand durft te stoppen.",
         "codes": ["schijnsamenwerking"]},
    ]
    with (folder / "test.jsonl").open("w", encoding="utf-8") as fh:
        for t in tests:
            fh.write(json.dumps({**t, "register": "enquete", "annotator": "test", "split": "test"},
                                ensure_ascii=False) + "\n")
    return folder


@pytest.fixture(scope="session")
def trained(tmp_path_factory, annotations_dir, small_train_cfg):
    from pipeline.train import run as train_run

    out = tmp_path_factory.mktemp("model")
    clf = train_run(CODEBOOK, annotations_dir, out / "classifier.skops", out / "oof.parquet", out / "train.json",
                    small_train_cfg, "fallback")
    return clf, out


