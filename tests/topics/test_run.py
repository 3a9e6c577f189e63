"""`pipeline.topics.run`: the stage on the test corpus, end to end."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from pipeline.errors import SamenspelError
from pipeline.files import read_table
from pipeline.schema import SCRUBBED
from pipeline.topics.corpus import normalise
from tests.topics.helpers import (CONFIG, DUPLICATES, ENGLISH, FILLERS, THEMES, build_inputs, config, corpus_texts,
                                  run_stage, scrubbed_table)


def test_every_ok_passage_gets_exactly_one_row_per_corpus(first, inputs):
    df, metrics, _ = first
    scrubbed = read_table(inputs[0], SCRUBBED)
    ok = scrubbed[scrubbed["status"] == "ok"]
    alles = df[df["corpus"] == "alles"]
    assert sorted(alles["passage_id"]) == sorted(ok["passage_id"])
    vraag_a = df[df["corpus"] == "vraag_a"]
    assert sorted(vraag_a["passage_id"]) == sorted(ok.loc[ok["question_id"] == "a", "passage_id"])
    assert not df.duplicated(["corpus", "passage_id"]).any()
    assert "2016/r999/a" not in set(df["passage_id"])  # status 'empty'
    assert df["topic"].notna().all() and df["label"].notna().all()
    assert metrics["alles_topics"] >= 2


def test_same_seed_gives_identical_assignments(first, second):
    a = first[0].sort_values(["corpus", "passage_id"]).reset_index(drop=True)
    b = second[0].sort_values(["corpus", "passage_id"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)
    assert first[1] == second[1]  # metrics hold no timings, so they must be identical too


def test_duplicates_fillers_and_other_languages_are_set_aside_then_assigned(first):
    from bertopic import BERTopic

    df, metrics, out = first
    alles = df[df["corpus"] == "alles"].set_index("passage_id")
    assert metrics["alles_duplicates"] == 2 and metrics["alles_fillers"] == 2 and metrics["alles_other_language"] == 1
    assert metrics["alles_unique"] == metrics["alles_passages"] - 5
    # the model saw the unique passages only
    assert len(BERTopic.load(str(out / "models" / "alles")).topics_) == metrics["alles_unique"]
    texts = corpus_texts()
    ids = {t: pid for t, pid in zip(texts, scrubbed_table(texts)["passage_id"])}
    for dup in DUPLICATES:
        original = next(t for t in texts if normalise(t) == normalise(dup) and t != dup)
        assert alles.at[ids[dup], "assigned_by"] == "duplicate"
        assert alles.at[ids[dup], "topic"] == alles.at[ids[original], "topic"]
    for filler in FILLERS:
        assert alles.at[ids[filler], "assigned_by"] == "filler" and alles.at[ids[filler], "topic"] == -1
    assert alles.at[ids[ENGLISH], "assigned_by"] == "other_language" and alles.at[ids[ENGLISH], "topic"] == -1
    assert set(alles["assigned_by"]) <= {"model", "outlier_reduction", "duplicate", "filler", "other_language"}


def test_small_and_empty_corpora_are_skipped_with_the_reason(first, tmp_path, params):
    df, metrics, out = first
    # the documents corpus has no passages at all
    assert metrics["documenten_skipped"] == "geen passages in dit corpus"
    small = build_inputs(tmp_path / "in", params, [THEMES[t][i] for i in range(4) for t in THEMES][:15], extra_status=False)
    df, metrics, out = run_stage(tmp_path, small, config(corpora=[{"name": "klein", "kind": "survey"}]))
    assert "te weinig passages voor onderwerpen" in metrics["klein_skipped"]
    assert metrics["corpora_skipped"] == 1 and metrics["klein_topics"] == 0
    assert len(df) == 15 and set(df["assigned_by"]) == {"skipped"} and set(df["topic"]) == {-1}
    assert "te weinig passages" in (out / "reports" / "klein.md").read_text(encoding="utf-8")
    assert not (out / "models" / "klein").exists()


def test_default_corpora_are_fitted_and_named_in_the_output(inputs, tmp_path):
    df, metrics, out = run_stage(tmp_path, inputs, config(corpora=[], question_corpora_min_answers=30))
    per_question = pd.read_parquet(inputs[0]).query("status == 'ok'")["question_id"].value_counts()
    assert per_question["a"] >= 30 > per_question["b"]  # so 'a' gets a corpus and 'b' does not
    assert list(dict.fromkeys(df["corpus"])) == ["enquete", "enquete_a"]
    assert metrics["corpora"] == 2 and metrics["enquete_topics"] >= 2
    assert json.loads((out / "models" / "index.json").read_text())["corpora"].keys() == {"enquete", "enquete_a"}


def test_sentence_transformers_backend_stops_the_run_before_fitting(inputs, tmp_path):
    cfg = config(embedding={**CONFIG["embedding"], "backend": "sentence_transformers"})
    with pytest.raises(SamenspelError, match="embeddingmodel niet gevonden"):
        run_stage(tmp_path, inputs, cfg)
    assert not (tmp_path / "out" / "topics.parquet").exists()


def test_importing_the_stage_leaves_bertopic_unloaded():
    """The schema and the settings are used without a fit (export, report, the CLI's help)."""
    import os
    import subprocess
    import sys

    from tests.conftest import ROOT

    heavy = ("bertopic", "umap", "hdbscan", "torch", "sentence_transformers")
    code = f"import sys, pipeline.topics; print([m for m in {heavy!r} if m in sys.modules])"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT, env=env)
    assert out.stdout.strip() == "[]"
