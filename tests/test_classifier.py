"""Codebook, annotations, dictionary baseline, train, evaluate, classify, safe model files."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pipeline import classify, evaluate, train
from pipeline.annotations import load_annotations
from pipeline.codebook import load_codebook
from pipeline.errors import SamenspelError
from pipeline.model import Classifier
from tests.conftest import ROOT

CODEBOOK = ROOT / "corpora" / "codebook.yaml"


def test_codebook_has_the_seven_codes_on_the_articles_axes():
    cb = load_codebook(CODEBOOK)
    assert cb.ids == ["strateeg", "procesmanager", "netwerker", "organisatieontwikkelaar", "belangen",
                      "schijnsamenwerking", "regie"]
    axes = {c.id: (c.axes["niveau"], c.axes["focus"]) for c in cb.group("orientatie")}
    assert axes == {"strateeg": ("richten", "binnen"), "netwerker": ("richten", "buiten"),
                    "organisatieontwikkelaar": ("inrichten/verrichten", "binnen"),
                    "procesmanager": ("inrichten/verrichten", "buiten")}
    assert all(c.definition and c.indicators and c.include and c.exclude and c.examples for c in cb.codes)


def test_codebook_grows_without_code_changes(tmp_path):
    text = CODEBOOK.read_text(encoding="utf-8") + """
  - id: vertrouwen
    groep: thema
    naam: Vertrouwen
    definitie: Onderling vertrouwen tussen partners.
    indicatoren: [vertrouwen]
"""
    path = tmp_path / "codebook.yaml"
    path.write_text(text, encoding="utf-8")
    assert load_codebook(path).ids[-1] == "vertrouwen"


@pytest.mark.parametrize("code_id", ["text", "codes", "wave", "p_regie", "meta_x"])
def test_codebook_refuses_ids_that_clash_with_output_columns(tmp_path, code_id):
    text = CODEBOOK.read_text(encoding="utf-8") + f"""
  - id: {code_id}
    groep: thema
    naam: Botsing
    definitie: Een id die een kolomnaam van de uitvoer is.
    indicatoren: [botsing]
"""
    path = tmp_path / "codebook.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SamenspelError, match="gereserveerd"):
        load_codebook(path)


def test_annotations_reject_unknown_codes(tmp_path):
    (tmp_path / "a.jsonl").write_text(json.dumps({"id": "x", "text": "t", "codes": ["onbekend"], "register": "enquete",
                                                  "annotator": "a", "split": "train"}) + "\n", encoding="utf-8")
    with pytest.raises(SamenspelError, match="onbekende code"):
        load_annotations(tmp_path, load_codebook(CODEBOOK))


def test_project_annotations_meet_the_corpus_requirements():
    cb = load_codebook(CODEBOOK)
    ann = load_annotations(ROOT / "corpora" / "annotations", cb)
    assert len(ann) >= 1000
    for code in cb.ids:
        assert sum(code in c for c in ann["codes"]) >= 120, code
    assert sum(len(c) == 0 for c in ann["codes"]) >= 250
    assert set(ann["register"]) == {"enquete", "beleid"}
    assert (ann["split"] == "test").sum() >= 200


def test_dictionary_baseline_matches_lemmas_and_word_forms(fallback_nlp):
    from pipeline.dictionary import DictionaryCoder

    nlp, _ = fallback_nlp
    coder = DictionaryCoder(load_codebook(CODEBOOK), nlp).fit()
    pred = coder.predict(["Het ontbreekt aan regie en sturing.", "Het weer was mooi."])
    j = coder.codes_.index("regie")
    assert pred[0, j] == 1 and pred[1].sum() == 0


def test_train_never_uses_the_test_split(tmp_path, annotations_dir, small_train_cfg, trained):
    clf, _ = trained
    other = tmp_path / "ann"
    shutil.copytree(annotations_dir, other)
    # Relabel every held-out passage: the model must not change.
    lines = [json.loads(l) for l in (other / "test.jsonl").read_text(encoding="utf-8").splitlines()]
    with (other / "test.jsonl").open("w", encoding="utf-8") as fh:
        for rec in lines:
            fh.write(json.dumps({**rec, "codes": ["regie"]}, ensure_ascii=False) + "\n")
    clf2 = train.run(CODEBOOK, other, tmp_path / "m.skops", tmp_path / "oof.parquet", tmp_path / "t.json",
                     small_train_cfg, "fallback")
    assert clf2.thresholds == clf.thresholds
    X = classify.feature_frame(["Ik organiseer de stuurgroep."], [["ik", "organiseren", "de", "stuurgroep"]])
    np.testing.assert_allclose(clf2.predict_proba(X), clf.predict_proba(X))


def test_trained_model_beats_chance_in_cross_validation(trained):
    clf, out = trained
    metrics = json.loads((out / "train.json").read_text())
    assert metrics["train_passages"] >= 1000
    # Honest CV on >1000 passages: far above what random labels would give.
    assert max(v for k, v in metrics.items() if k.endswith("macro_f1")) > 0.6
    assert all(0.05 <= t <= 0.95 for t in clf.thresholds.values())


def test_model_round_trip_and_tampered_file_is_refused(tmp_path, trained):
    clf, out = trained
    loaded = Classifier.load(out / "classifier.skops")
    assert loaded.codes == clf.codes and loaded.thresholds == clf.thresholds
    bad = tmp_path / "classifier.skops"
    shutil.copy(out / "classifier.json", tmp_path / "classifier.json")
    with zipfile.ZipFile(out / "classifier.skops") as src, zipfile.ZipFile(bad, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "schema.json":
                schema = json.loads(data)
                schema["__module__"], schema["__class__"] = "os", "system"  # a tampered top-level object
                data = json.dumps(schema).encode()
            dst.writestr(item, data)
    with pytest.raises(SamenspelError, match="geweigerd"):
        Classifier.load(bad)


@pytest.mark.parametrize("ngrams,min_df", [((3, 6), 1), ((2, 4), 2), ((1, 3), 1)])
def test_fast_char_features_equal_scikit_learns(ngrams, min_df):
    from sklearn.feature_extraction.text import TfidfVectorizer

    from pipeline.model import char_wb_transform

    train_texts = ["De regio werkt samen aan de agenda.", "Gemeenten bespreken hun belangen in de stuurgroep.",
                   "Ik verbind partijen  in het netwerk\tvan de regio.", "Één ambitie, geen praatclub!",
                   "a b c", "co\u00f6rdinatie en regie bij de provincie Gelderland", ""]
    new_texts = ["Samenwerking   tussen gemeenten\nen provincie", "", "   ", "x", "ab", "Regie! Regie? REGIE.",
                 "Het netwerk (IT) ligt eruit", "naïeve coördinatie\u00a0met\u2003spaties", "belangen belangen belangen",
                 "woordzonderspatiesdatheellangisomdengramstetesten", "€ 12,50 per inwoner; 3e tranche"]
    vec = TfidfVectorizer(analyzer="char_wb", ngram_range=ngrams, min_df=min_df, sublinear_tf=True,
                          max_features=300).fit(train_texts)
    for texts in (new_texts, train_texts):
        fast = char_wb_transform(vec, texts)
        slow = vec.transform(texts)
        assert fast.shape == slow.shape
        np.testing.assert_allclose(fast.toarray(), slow.toarray(), rtol=0, atol=1e-12)


def test_classifier_features_and_probabilities_equal_the_pipelines(trained):
    clf, out = trained
    texts = ["Ik organiseer de stuurgroep en bewaak de planning.", "Gemeenten hebben elk hun eigen belang.",
             "De server van het netwerk lag eruit.", "", "Wij zoeken verbinding met   maatschappelijke partners!"]
    X = classify.feature_frame(texts, [t.lower().split() for t in texts])
    features = clf.model.named_steps["features"]
    np.testing.assert_allclose(clf.transform(X).toarray(), features.transform(X).toarray(), rtol=0, atol=1e-12)
    np.testing.assert_allclose(clf.predict_proba(X), clf.model.predict_proba(X), rtol=0, atol=1e-12)
    np.testing.assert_allclose(clf.relevance_proba(X), clf.relevance.predict_proba(features.transform(X))[:, 1],
                               rtol=0, atol=1e-12)


def test_evidence_terms_are_lemmas_that_raise_the_assigned_codes_score(trained):
    clf, _ = trained
    texts = ["Ik verbind partijen in het netwerk en onderhoud relaties met maatschappelijke organisaties.",
             "Elke gemeente kijkt vooral naar het eigen lokale belang in plaats van het regionale belang."]
    lemmas = [t.lower().rstrip(".").split() for t in texts]
    coded = classify.code_passages(clf, texts, lemmas)
    from spacy.lang.nl.stop_words import STOP_WORDS

    terms, coefs = clf._evidence_weights()
    names = clf.model.named_steps["features"].get_feature_names_out()
    index = {t: j for j, (t, n) in enumerate(zip(terms, names)) if n.startswith("lemma__")}
    for row, words in zip(coded.itertuples(), lemmas):
        assigned = row.codes.split(";") if row.codes else []
        assert [e.split(":")[0] for e in row.evidence] == [c for c in assigned if any(
            e.startswith(c + ":") for e in row.evidence)]
        for item in row.evidence:
            code, got = item.split(": ", 1)
            k = clf.codes.index(code)
            for term in got.split(", "):
                assert set(term.split()) <= set(words)  # a lemma (or bigram) of this passage
                assert coefs[k, index[term]] > 0  # that pushes this code's score up
                assert not all(w in STOP_WORDS for w in term.split())
    assert any(coded["evidence"])


def test_lazy_classifier_reads_the_model_on_first_use(trained):
    clf, out = trained
    lazy = Classifier.load(out / "classifier.skops", lazy=True)
    assert lazy.model is None and lazy.codes == clf.codes and lazy.thresholds == clf.thresholds
    X = classify.feature_frame(["Ik verbind partijen in de regio."], [["ik", "verbinden", "partij", "in", "de", "regio"]])
    np.testing.assert_allclose(lazy.predict_proba(X), clf.predict_proba(X))
    assert lazy.model is not None


def test_saved_vocabularies_hold_plain_ints(trained):
    _, out = trained
    loaded = Classifier.load(out / "classifier.skops")
    for _, transformer, _ in loaded.model.named_steps["features"].transformers_:
        if hasattr(transformer, "vocabulary_"):
            assert all(type(i) is int for i in transformer.vocabulary_.values())


def test_missing_model_gives_clear_error(tmp_path):
    with pytest.raises(SamenspelError, match="nog geen getraind model"):
        Classifier.load(tmp_path / "classifier.skops")


def test_evaluate_reports_consistent_scores(tmp_path, annotations_dir, trained):
    from sklearn.metrics import f1_score

    _, out = trained
    m = evaluate.run(CODEBOOK, annotations_dir, out / "classifier.skops", out / "oof.parquet", tmp_path / "e.json",
                     tmp_path / "e.md", tmp_path / "pr", "fallback")
    codes = load_codebook(CODEBOOK).ids
    for prefix in ("heldout.classifier", "heldout.baseline", "cv.classifier"):
        for c in codes + ["macro", "micro"]:
            assert 0.0 <= m[f"{prefix}.{c}.f1"] <= 1.0
    oof = pd.read_parquet(out / "oof.parquet")
    expected = f1_score(oof[[f"y_{c}" for c in codes]], oof[[f"cv_{c}" for c in codes]], average="macro",
                        zero_division=0)
    assert m["cv.classifier.macro.f1"] == pytest.approx(expected, abs=1e-4)
    assert (tmp_path / "pr" / "regie.csv").exists() and "| macro |" in (tmp_path / "e.md").read_text()
REAL_REGISTER_NEGATIVES = [line for line in (ROOT / "tests" / "fixtures" / "real_register_negatives.txt")
                           .read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]


def test_real_register_negatives_get_no_code(trained, fallback_nlp):
    """Signature lines, budget and voting articles, headings, table rows and off-topic
    answers are not about collaboration: the model trained on the project's annotations
    gives none of them a code, and their p_<code> stays low."""
    clf, _ = trained
    nlp, _ = fallback_nlp
    texts = REAL_REGISTER_NEGATIVES
    coded = classify.code_passages(clf, texts, train.lemmatise(texts, nlp), evidence=False)
    wrong = [(t[:60], c) for t, c in zip(texts, coded["codes"]) if c]
    assert not wrong, f"gecodeerd: {wrong}"
    assert coded[[f"p_{c}" for c in clf.codes]].to_numpy().max() < 0.5


def test_relevance_gates_every_code(trained, fallback_nlp):
    """No code without p(relevant) at the relevance threshold, whatever p_<code> says."""
    clf, _ = trained
    assert clf.two_stage
    proba = np.full((3, len(clf.codes)), 0.99)
    got = clf.decide(proba, np.array([clf.relevance_threshold - 0.01, clf.relevance_threshold, 1.0]))
    assert got[0].sum() == 0 and got[1].sum() == len(clf.codes) and got[2].sum() == len(clf.codes)
