"""`pipeline.files`: byte-stable zips and skops files (the same content gives the same bytes), folders replaced whole,
formula-safe CSV text."""

from __future__ import annotations

import hashlib
import io
import json
import time
import zipfile

import numpy as np
import pytest
import scipy.sparse as sp
import skops.io as sio
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import Pipeline
from sklearn.svm import LinearSVC

from pipeline.files import ZIP_EPOCH, ZipMember, replace_dir, skops_bytes, stable_zip, write_bytes, write_skops

TEXTS = [f"De regio overlegt over {w} met de partners." for w in ("wonen", "werken", "water", "wegen", "zorg")]
TEXTS += [f"Iedere gemeente kiest voor het eigen belang bij {w}." for w in ("wonen", "werken", "water", "wegen",
                                                                           "zorg")]
Y = np.array([[1, 0]] * 5 + [[0, 1]] * 5)


def fitted_model() -> Pipeline:
    """A model of the project's kind (word and character TF-IDF, calibrated linear SVMs), fitted anew.

    Its own stop-word list: the word vectorizer keeps that list's address as a fitted attribute.
    """
    import pandas as pd

    words = TfidfVectorizer(stop_words=["de", "het", "met"])
    features = ColumnTransformer([("words", words, "text"),
                                  ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 4)), "text")])
    svm = OneVsRestClassifier(CalibratedClassifierCV(LinearSVC(random_state=0), cv=2))
    return Pipeline([("features", features), ("svm", svm)]).fit(pd.DataFrame({"text": TEXTS}), Y)


def load(path):
    return sio.load(path, trusted=sio.get_untrusted_types(file=path))


def test_equal_models_built_apart_give_identical_bytes_that_load_back(tmp_path):
    import pandas as pd

    first, second = fitted_model(), fitted_model()  # both alive: every object at another address
    assert sio.dumps(first) != sio.dumps(second)  # what skops itself writes
    write_skops(tmp_path / "a.skops", first)
    write_skops(tmp_path / "b.skops", second)
    assert (tmp_path / "a.skops").read_bytes() == (tmp_path / "b.skops").read_bytes()

    X = pd.DataFrame({"text": TEXTS + ["De partners werken samen aan water en wegen."]})
    for path in (tmp_path / "a.skops", tmp_path / "b.skops"):
        np.testing.assert_array_equal(load(path).predict_proba(X), first.predict_proba(X))


def test_time_of_writing_is_not_in_the_file(tmp_path, monkeypatch):
    """zip stamps every member with the time of writing; a sparse matrix and bytes get files of their own."""
    matrix = sp.random(20, 30, density=0.2, format="csr", random_state=0)
    contents = []
    for now in (1.0e9, 1.7e9):
        monkeypatch.setattr(time, "time", lambda now=now: now)
        contents.append(skops_bytes({"matrix": matrix.copy(), "raw": b"\x00\x01"}))
    assert contents[0] == contents[1]
    path = tmp_path / "m.skops"
    path.write_bytes(contents[0])
    with zipfile.ZipFile(path) as zf:
        assert {info.date_time for info in zf.infolist()} == {ZIP_EPOCH}
    loaded = load(path)
    assert (loaded["matrix"] != matrix).nnz == 0 and loaded["raw"] == b"\x00\x01"


def test_shared_objects_stay_shared():
    array = np.arange(12.0).reshape(3, 4)
    content = skops_bytes({"a": array, "b": array, "c": array.copy()})
    loaded = sio.loads(content, trusted=sio.get_untrusted_types(data=content))
    assert loaded["a"] is loaded["b"] and loaded["c"] is not loaded["a"]
    np.testing.assert_array_equal(loaded["c"], array)


def test_addresses_become_the_numbers_1_to_n():
    with zipfile.ZipFile(io.BytesIO(skops_bytes(fitted_model()))) as zf:
        names = zf.namelist()
        schema = json.loads(zf.read("schema.json"))
    ids: set[int] = set()

    def collect(node):
        if isinstance(node, dict):
            ids.update(v for k, v in node.items() if k == "__id__")
            for v in node.values():
                collect(v)
        elif isinstance(node, list):
            for v in node:
                collect(v)

    collect(schema)
    files = {int(n.split(".")[0]) for n in names[1:]}
    assert names[0] == "schema.json" and files <= ids
    assert sorted(ids) == list(range(1, len(ids) + 1))


# --------------------------------------------------------------------------- stable_zip

STAMP = (2016, 6, 22, 12, 0, 0)


def test_stable_zip_keeps_members_in_order_and_pins_their_metadata(monkeypatch):
    members = [("b.txt", "tweede\n".encode()), ("a/oriëntatie.xml", b"<x/>" * 40),
               ZipMember("raw.bin", bytes(range(256)), zipfile.ZIP_STORED, 0o100600)]
    contents = []
    for now in (1.0e9, 1.7e9):  # zipfile takes the time of writing when a member has none
        monkeypatch.setattr(time, "time", lambda now=now: now)
        contents.append(stable_zip(members, STAMP))
    assert contents[0] == contents[1]
    with zipfile.ZipFile(io.BytesIO(contents[0])) as zf:
        infos = zf.infolist()
        assert [i.filename for i in infos] == ["b.txt", "a/oriëntatie.xml", "raw.bin"]
        assert [zf.read(i) for i in infos] == [m[1] for m in members]
        assert {i.date_time for i in infos} == {STAMP}
        assert {i.create_system for i in infos} == {3}
        assert [i.compress_type for i in infos] == [zipfile.ZIP_DEFLATED, zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED]
        assert [i.external_attr for i in infos] == [0o644 << 16, 0o644 << 16, 0o100600 << 16]


def test_stable_zip_defaults_to_the_zip_epoch():
    with zipfile.ZipFile(io.BytesIO(stable_zip([("a", b"x")]))) as zf:
        assert zf.infolist()[0].date_time == ZIP_EPOCH


def test_stable_zip_bytes_do_not_change():
    """The committed example corpora and the DVC outputs hold these bytes: a change rewrites them all.

    Stored members only, so the digest does not depend on the zlib build.
    """
    content = stable_zip([("a.txt", b"samenspel\n", zipfile.ZIP_STORED),
                          ZipMember("b/c.xml", b"<x/>", zipfile.ZIP_STORED, 0o100600)], STAMP)
    assert hashlib.sha256(content).hexdigest() == "1cc18bb34be6fbfc6bffcd2598a844562aa054d989433c41062e83805007b59f"


# --------------------------------------------------------------------------- CSV safety


@pytest.mark.parametrize("value, risky", [
    ("=1+1", True), ("+31 6 1234", True), ("-1", True), ("@SUM(A1)", True), ("  =A1", True),
    ("\t=A1", True), ("\rx", True), ("\u00a0=A1", True), ("gewoon", False), ("", False), ("a=b", False),
    ("[NAAM] zegt -1", False),
])
def test_is_formula_like(value, risky):
    from pipeline.files import is_formula_like, neutralise

    assert is_formula_like(value) is risky
    assert neutralise(value) == ("'" + value if risky else value)


def test_write_bytes_replaces_the_file_and_leaves_no_temporary_file(tmp_path):
    path = tmp_path / "uit" / "samenspel.qdc"
    write_bytes(path, b"eerst")
    write_bytes(path, b"daarna")
    assert path.read_bytes() == b"daarna" and [p.name for p in path.parent.iterdir()] == ["samenspel.qdc"]


# --------------------------------------------------------------------------- folders (replace_dir)


def _folder(path, files: dict[str, str]):
    path.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (path / name).write_text(text)
    return path


def _contents(path) -> dict[str, str]:
    return {p.name: p.read_text() for p in sorted(path.iterdir())}


def test_replace_dir_swaps_in_the_new_folder_when_the_write_succeeds(tmp_path):
    target = _folder(tmp_path / "model", {"old.json": "oud", "shared.json": "1"})
    with replace_dir(target) as tmp:
        assert tmp != target and tmp.parent == target.parent and not list(tmp.iterdir())
        _folder(tmp, {"shared.json": "2", "new.json": "nieuw"})
    assert _contents(target) == {"new.json": "nieuw", "shared.json": "2"}  # nothing of the old folder left
    assert [p.name for p in tmp_path.iterdir()] == ["model"]
    with replace_dir(tmp_path / "deeper" / "fresh") as tmp:  # a folder that did not exist yet, parents too
        _folder(tmp, {"a": "b"})
    assert _contents(tmp_path / "deeper" / "fresh") == {"a": "b"}


def test_replace_dir_keeps_the_old_folder_when_the_write_fails_halfway(tmp_path):
    target = _folder(tmp_path / "model", {"topics.json": "oud", "ctfidf.safetensors": "oud"})

    def write_and_fail(folder):
        """Like a save that dies after its first file."""
        (folder / "topics.json").write_text("half nieuw")
        raise RuntimeError("stopped while writing")

    with pytest.raises(RuntimeError, match="stopped while writing"):
        with replace_dir(target) as tmp:
            write_and_fail(tmp)
    assert _contents(target) == {"ctfidf.safetensors": "oud", "topics.json": "oud"}
    assert [p.name for p in tmp_path.iterdir()] == ["model"]  # and no half-written folder beside it


def test_replace_dir_removes_what_a_killed_run_left_behind(tmp_path):
    _folder(tmp_path / ".model.tmp", {"topics.json": "van een gestopte run"})
    with replace_dir(tmp_path / "model") as tmp:
        assert not list(tmp.iterdir())
        _folder(tmp, {"topics.json": "nieuw"})
    assert _contents(tmp_path / "model") == {"topics.json": "nieuw"}
    assert not (tmp_path / ".model.tmp").exists()


def test_read_table_names_the_file_of_a_stale_or_broken_table(tmp_path):
    """A schema error or a file that is no Parquet: one line that starts with the file."""
    import pandas as pd

    from pipeline.errors import SamenspelError
    from pipeline.files import read_table
    from pipeline.schema import TOPICS

    stale = tmp_path / "topics.parquet"
    pd.DataFrame({"passage_id": ["p1"], "corpus": ["c"]}).to_parquet(stale)
    with pytest.raises(SamenspelError, match="misses columns") as info:
        read_table(stale, TOPICS)
    assert info.value.one_line().startswith(f"{stale}: table 'topics' misses columns")
    broken = tmp_path / "broken.parquet"
    broken.write_bytes(b"dit is geen parquet")
    with pytest.raises(SamenspelError, match="not a readable 'topics' table") as info:
        read_table(broken, TOPICS)
    assert info.value.path == str(broken) and "dvc repro" in info.value.hint
