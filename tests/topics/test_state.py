"""`pipeline.topics.state`: saved models, and incremental runs on a kept fit."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from pipeline.topics.state import TopicState
from tests.topics.helpers import (CONFIG, THEMES, WAVE, build_inputs, config, copy_cache, corpus_texts, run_stage, said,
                                  scrubbed_table)


def test_models_are_safetensors_and_load(first):
    from bertopic import BERTopic

    df, _, out = first
    folder = out / "models" / "alles"
    names = {p.name for p in folder.iterdir()}
    assert {"topic_embeddings.safetensors", "ctfidf.safetensors", "ctfidf_config.json", "topics.json"} <= names
    assert not [p for p in folder.rglob("*") if p.suffix in (".pkl", ".pickle", ".bin")]
    model = BERTopic.load(str(folder))
    alles = df[df["corpus"] == "alles"]
    fitted = set(alles.loc[alles["assigned_by"].isin(["model", "outlier_reduction"]), "topic"])
    assert fitted == set(model.topics_)
    assert model.custom_labels_  # the Dutch labels travel with the model


def test_incremental_run_keeps_old_topics_and_places_the_new_wave(waves):
    (fit, fm, fout), (inc, im, iout) = waves["fit"], waves["inc"]
    assert (fm["alles_mode"], fm["alles_fitted_on"], fm["alles_transformed"]) == ("fit", fm["alles_unique"], 0)
    assert (im["alles_mode"], im["alles_fitted_on"], im["alles_transformed"]) == ("incremental", fm["alles_unique"], 5)
    assert (im["vraag_a_mode"], im["vraag_a_transformed"]) == ("incremental", 3)
    assert im["alles_passages"] == fm["alles_passages"] + 5  # summaries and quality are about the whole corpus
    assert im["alles_defaults_npmi"] == fm["alles_defaults_npmi"]  # the comparison is the fit's
    assert "nieuwe passages ingedeeld met de eerdere fit: alles +5, vraag_a +3" in waves["lines"][-1]
    # every earlier passage keeps topic, probability and how it got it, exactly
    both = fit.merge(inc, on=["corpus", "passage_id"], suffixes=("_fit", "_inc"), validate="one_to_one")
    assert len(both) == len(fit)
    for col in ("topic", "probability", "assigned_by", "label"):
        pd.testing.assert_series_equal(both[f"{col}_fit"], both[f"{col}_inc"], check_names=False)
    # each new passage is placed by the saved model, in the topic that holds its theme
    texts = corpus_texts() + WAVE
    text_of = dict(zip(scrubbed_table(texts)["passage_id"], texts))
    theme_of = {t: theme for theme, ts in THEMES.items() for t in ts}
    theme_of.update(zip(WAVE, ["wonen", "jeugd", "energie", "vervoer", "wonen"]))
    for corpus in ("alles", "vraag_a"):
        rows = inc[inc["corpus"] == corpus].assign(text=lambda d: d["passage_id"].map(text_of))
        rows = rows.assign(theme=rows["text"].map(theme_of))
        home = rows[rows["assigned_by"] != "transform"].dropna(subset=["theme"]).groupby("theme")["topic"].agg(
            lambda s: s.mode().iloc[0])
        new = rows[rows["text"].isin(WAVE)]
        assert len(new) == im[f"{corpus}_transformed"] and set(new["assigned_by"]) == {"transform"}
        assert (new["topic"].to_numpy() == new["theme"].map(home).to_numpy()).all(), new[["text", "topic"]]
    # the model is the earlier fit's, so topic ids and words mean the same in both runs
    for name in ("topics.json", "ctfidf.safetensors", "topic_embeddings.safetensors"):
        assert (iout / "models" / "alles" / name).read_bytes() == (fout / "models" / "alles" / name).read_bytes()


def test_incremental_run_without_new_passages_reproduces_the_fit(waves, inputs, tmp_path):
    df, metrics, out = run_stage(tmp_path, inputs, config(), cache_dir=copy_cache(waves, tmp_path))
    fit, fm, fout = waves["fit"]
    assert metrics["alles_mode"] == "incremental" and metrics["alles_transformed"] == 0
    pd.testing.assert_frame_equal(df, fit)
    assert {k: v for k, v in metrics.items() if not k.endswith("_mode")} == \
        {k: v for k, v in fm.items() if not k.endswith("_mode")}
    for name in ("alles.md", "alles.html", "breakdown.csv"):
        page = (out / "reports" / name).read_text(encoding="utf-8")
        if name == "breakdown.csv":
            assert page == (fout / "reports" / name).read_text(encoding="utf-8")
        else:
            assert "Incrementele run" in page


@pytest.mark.parametrize("case", ["share", "settings", "removed", "disabled", "damaged", "damaged_embedder"])
def test_incremental_falls_back_to_a_refit(waves, inputs, params, tmp_path, case):
    cache = copy_cache(waves, tmp_path)
    state = cache / "topics" / "alles" / "state.json"
    before = state.read_text(encoding="utf-8")
    data, cfg, reason = waves["wave_inputs"], config(), None
    if case == "share":  # 5 new of 56 unique passages is more than 5 %
        cfg = config(incremental={"enabled": True, "refit_share": 0.05})
        reason = "meer dan refit_share 5,0 %"
    elif case == "settings":
        cfg = config(hdbscan={**CONFIG["hdbscan"], "min_samples": 3})
        reason = "instellingen, code of bibliotheken gewijzigd"
    elif case == "removed":  # an answer of the fitted corpus is gone
        data = build_inputs(tmp_path / "in", params, [t for t in corpus_texts() if t != THEMES["wonen"][3]])
        reason = "1 passages uit de vorige fit zijn er niet meer"
    elif case == "disabled":
        cfg = config(incremental={"enabled": False, "refit_share": 0.25})
    elif case == "damaged":
        (cache / "topics" / "alles" / "passages.parquet").write_bytes(b"not parquet")
        reason = "opgeslagen fit onleesbaar"
    else:
        (cache / "topics" / "alles" / "embedder" / "tfidf_svd.safetensors").write_bytes(b"\0" * 16)
        reason = "opgeslagen fit onleesbaar"
    lines, say = said()
    df, metrics, _ = run_stage(tmp_path, data, cfg, cache_dir=cache, say=say)
    assert metrics["alles_mode"] == "fit" and metrics["alles_transformed"] == 0
    assert metrics["alles_fitted_on"] == metrics["alles_unique"]
    assert "transform" not in set(df.loc[df["corpus"] == "alles", "assigned_by"])
    if reason:
        assert reason in lines[-1] and "opnieuw gefit" in lines[-1]
    if case == "disabled":
        assert state.read_text(encoding="utf-8") == before  # neither read nor replaced
    else:  # the new fit replaced the state
        saved = TopicState.read(cache / "topics" / "alles")
        assert saved.fingerprint != json.loads(before)["fingerprint"] or len(saved.passages) == metrics["alles_unique"]
        assert len(saved.passages) == metrics["alles_unique"]
