"""pipeline/model.py: features, decisions and evidence of the classifier, safe model files,
and the same file on any machine."""

from __future__ import annotations

import hashlib
import json
import shutil
import zipfile

import numpy as np
import pytest

from pipeline import classify
from pipeline.errors import SamenspelError
from pipeline.model import Classifier


def _calibrators(estimator):
    return [cal for cc in estimator.calibrated_classifiers_ for cal in cc.calibrators]


def test_round_calibration_removes_last_bit_differences():
    """Two fits that differ only in the last bits of Platt scaling (another BLAS kernel)
    are equal after rounding, and so are their skops bytes."""
    from pipeline.files import skops_bytes
    from pipeline.model import CALIBRATION_DECIMALS, build_estimator, round_calibration

    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 5))
    y = (X[:, 0] + rng.normal(scale=0.5, size=120) > 0).astype(int)
    spec = {"model": "linearsvc", "C": 0.5}
    a, b = (build_estimator(spec, 0).fit(X, y) for _ in range(2))
    for cal in _calibrators(b):  # what another CPU gives: one unit in the last place
        cal.a_, cal.b_ = np.nextafter(cal.a_, np.inf), np.nextafter(cal.b_, -np.inf)
    assert skops_bytes(a) != skops_bytes(b)

    round_calibration(a), round_calibration(b)
    assert hashlib.md5(skops_bytes(a)).digest() == hashlib.md5(skops_bytes(b)).digest()
    for cal in _calibrators(a):
        assert isinstance(cal.a_, np.float64)
        assert cal.a_ == round(float(cal.a_), CALIBRATION_DECIMALS)


def test_rounded_calibration_keeps_the_probabilities():
    from pipeline.model import CALIBRATION_DECIMALS, build_estimator, round_calibration

    rng = np.random.default_rng(1)
    X = rng.normal(size=(150, 4))
    y = (X[:, 1] > 0).astype(int)
    est = build_estimator({"model": "logreg", "C": 1.0}, 0).fit(X, y)
    before = est.predict_proba(X)
    assert any(c.a_ != round(float(c.a_), CALIBRATION_DECIMALS) for c in _calibrators(est))
    after = round_calibration(est).predict_proba(X)
    assert np.abs(before - after).max() < 1e-9


@pytest.mark.parametrize("relevance", [True, False])
def test_fit_two_stage_returns_rounded_calibrations(relevance):

    from pipeline.model import CALIBRATION_DECIMALS, feature_frame, fit_two_stage

    texts = [f"de regio werkt samen aan thema {i}" if i % 2 else f"de fiets staat buiten {i}" for i in range(40)]
    lemmas = [t.split() for t in texts]
    y = np.array([[i % 2, (i // 2) % 2] for i in range(40)])
    model, rel = fit_two_stage({"model": "linearsvc"}, feature_frame(texts, lemmas), y, (1, 1), (3, 4), 1, 0,
                               relevance=relevance)
    ests = list(model.named_steps["clf"].estimators_) + ([rel] if rel is not None else [])
    assert (rel is not None) == relevance
    for est in ests:
        for cal in _calibrators(est):
            assert cal.a_ == round(float(cal.a_), CALIBRATION_DECIMALS)
            assert cal.b_ == round(float(cal.b_), CALIBRATION_DECIMALS)


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


def test_relevance_gates_every_code(trained, fallback_nlp):
    """No code without p(relevant) at the relevance threshold, whatever p_<code> says."""
    clf, _ = trained
    assert clf.two_stage
    proba = np.full((3, len(clf.codes)), 0.99)
    got = clf.decide(proba, np.array([clf.relevance_threshold - 0.01, clf.relevance_threshold, 1.0]))
    assert got[0].sum() == 0 and got[1].sum() == len(clf.codes) and got[2].sum() == len(clf.codes)
