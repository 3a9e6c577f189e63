"""Tests for `pipeline.language`: language flags per passage, batch scoring equal to one by one."""

from __future__ import annotations

import pytest

from tests.nlp.helpers import TRICKY


@pytest.fixture(scope="module")
def detector(params):
    from pipeline.language import LanguageDetector

    p = params["nlp"]
    return LanguageDetector(p["languages"], p["language_min_confidence"], p["language_min_letters"]).fit()


LANGUAGES = TRICKY + [
    "Wir arbeiten in der Region eng mit den Nachbargemeinden zusammen, auch bei der Mobilität.",
    "Nous travaillons ensemble avec les communes voisines de la région depuis des années.",
    "Wy wurkje yn de regio gear oan wenningbou en berikberens, mar it giet net fluch.",
    "Bölgedeki belediyelerle birlikte çalışıyoruz ve bu çok önemli.",
    "Współpracujemy z gminami w regionie od wielu lat.",
    "Trabajamos juntos con los municipios vecinos de la región.",
    "Lavoriamo insieme ai comuni vicini della regione da molti anni.",
    "نعمل معًا في المنطقة على الإسكان والتنقل منذ سنوات",
    "verbinden, coaching",
    "training procesmanagement, intervisie",
    "Programmamanager bij de gemeente voor het Nationaal Programma Súdwest-Fryslân.",
    "x" * 30,
    "Samenwerking " * 800,  # longer than LONG_TEXT_BYTES: scored by py3langid itself
]


def test_detect_many_equals_detect_one_by_one(monkeypatch, detector):
    from pipeline import language

    assert detector.batch_ is not None, "py3langid's model layout changed: batch scoring is off"
    monkeypatch.setattr(language, "BATCH_BYTES", 400)  # several batches
    expected = [detector.detect(t) for t in LANGUAGES]
    assert detector.detect_many(LANGUAGES) == expected
    assert {"nl", "en", "de", "fr", "und"} <= set(expected)
    for (lang, p), t in zip(detector.batch_.classify_many(LANGUAGES[:-1]), LANGUAGES[:-1]):
        want = detector.identifier_.classify(t)
        assert lang == want[0] and abs(p - want[1]) < 1e-5


def test_clearly_dutch_passages_skip_the_model_and_are_dutch(detector):
    from pipeline.language import DUTCH_WORDS, OTHER_WORDS, LanguageDetector, clearly_dutch

    assert not set(DUTCH_WORDS) & OTHER_WORDS
    clear = [t for t in LANGUAGES if clearly_dutch(t.replace(".", " ").split())]
    assert clear and all(detector.detect(t) == "nl" for t in clear)
    lazy = LanguageDetector(detector.languages, detector.min_confidence, detector.min_letters)
    assert lazy.detect_many(clear, dutch=[True] * len(clear)) == ["nl"] * len(clear)
    assert not lazy.fitted  # nothing was left for the model
    assert lazy.detect_many(["kort", "x"]) == ["und", "und"] and not lazy.fitted


def test_batch_scoring_steps_aside_for_an_unknown_model_layout():
    from pipeline.language import BatchScorer

    class OtherLayout:
        def classify(self, text):
            return "nl", 1.0

    assert BatchScorer.for_identifier(OtherLayout()) is None
