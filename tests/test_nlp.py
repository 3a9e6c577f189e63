"""Stage `nlp`: the built-in backends, the automatic fallback, other spaCy pipelines, the stage outputs."""

from __future__ import annotations

import gc
import json
import re

import pandas as pd
import pytest
import spacy

from pipeline import nlp as nlp_stage
from pipeline.errors import SamenspelError
from pipeline.files import read_table, write_table
from pipeline.schema import NLP, SCRUBBED


def scrubbed_table(texts):
    n = len(texts)
    return pd.DataFrame({
        "passage_id": [f"w/r{i}/q" for i in range(n)], "source": "s.csv", "kind": "survey", "wave": "w",
        "respondent_id": [f"r{i}" for i in range(n)], "question_id": "q", "row": pd.array(range(2, n + 2), "Int64"),
        "page": pd.array([None] * n, "Int64"), "paragraph": pd.array([None] * n, "Int64"),
        "chunk": pd.array([0] * n, "Int64"), "section": None, "text": texts,
        "status": ["ok" if t else "empty" for t in texts], "scrubbed": True, "pii_types": [[] for _ in texts],
    })


@pytest.fixture
def cfg(params):
    return nlp_stage.NlpConfig.from_params(params["nlp"])


def test_fallback_lemmas_and_content_words(fallback_nlp):
    nlp, label = fallback_nlp
    assert label.startswith("fallback")
    doc = nlp("Wij werkten samen met [NAAM] en hebben de regionale opgaven besproken. Daarna gingen we naar huis.")
    assert "[NAAM]" in [t.text for t in doc]
    assert len(list(doc.sents)) == 2
    lemmas = nlp_stage.content_lemmas(doc, nlp_stage.stop_words_for(nlp, ["daarna"]))
    assert "werken" in lemmas and "bespreken" in lemmas
    assert not {"wij", "en", "de", "[naam]", "naam", "daarna", "."} & set(lemmas)


def test_every_placeholder_scrub_writes_is_one_token_and_no_content_word(fallback_nlp):
    from pipeline.scrub import PLACEHOLDERS

    nlp, _ = fallback_nlp
    for ph in PLACEHOLDERS:
        doc = nlp(f"Stuur het naar {ph}, graag vandaag.")
        assert ph in [t.text for t in doc], ph
        assert not {ph.lower(), ph[1:-1].lower()} & set(nlp_stage.content_lemmas(doc, set())), ph


@pytest.fixture(autouse=True)
def fresh_warnings(monkeypatch):
    """Each test starts as a fresh process: no warning given yet."""
    monkeypatch.setattr(nlp_stage, "_WARNED", set())


def test_auto_falls_back_with_visible_warning(monkeypatch):
    monkeypatch.setattr(nlp_stage, "model_installed", lambda: False)
    warnings = []
    nlp, label = nlp_stage.load_backend("auto", lambda m, warn=False: warnings.append((m, warn)))
    assert label.startswith("fallback")
    assert warnings and warnings[0][1] is True and "nl_core_news_sm" in warnings[0][0]


def test_fallback_warning_is_given_once_per_process(monkeypatch):
    """nlp, train and evaluate each resolve the backend; in one process the warning comes once."""
    monkeypatch.setattr(nlp_stage, "model_installed", lambda: False)
    said = []
    for _ in range(3):
        assert nlp_stage.resolve_backend("auto", lambda m, warn=False: said.append(m)) == "fallback"
    assert said == [nlp_stage.FALLBACK_WARNING]


def fake_model():
    """A stand-in for nl_core_news_sm with the same kind of components (lemmas, sentences, NER)."""
    nlp = spacy.blank("nl")
    nlp.add_pipe("sentencizer")
    ruler = nlp.add_pipe("entity_ruler")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    ruler.add_patterns([{"label": "GPE", "pattern": "Utrecht"}, {"label": "PER", "pattern": "Sanne"}])
    nlp.meta["version"] = "3.8.0"
    return nlp


def test_model_backend_is_preferred_and_records_entities(monkeypatch, tmp_path, cfg):
    monkeypatch.setattr(nlp_stage, "model_installed", lambda: True)
    monkeypatch.setattr(spacy, "load", lambda name: fake_model())
    src = tmp_path / "scrubbed.parquet"
    write_table(src, scrubbed_table(["Sanne werkt in Utrecht samen met de regio.", ""]), SCRUBBED)
    out = nlp_stage.run(src, tmp_path / "nlp.parquet", tmp_path / "m.json", cfg)
    assert out["backend"].iloc[0] == "nl_core_news_sm-3.8.0"
    assert out["entities"].iloc[0] == ["PER:Sanne", "GPE:Utrecht"]
    metrics = json.loads((tmp_path / "m.json").read_text())
    assert metrics["backend"] == "nl_core_news_sm-3.8.0" and metrics["fallback"] is False


def test_missing_model_gives_clear_error(monkeypatch):
    def boom(name):
        raise OSError("[E050] Can't find model 'nl_core_news_sm'")

    monkeypatch.setattr(spacy, "load", boom)
    with pytest.raises(SamenspelError, match="pip install"):
        nlp_stage.load_backend("nl_core_news_sm")


def test_stage_writes_one_row_per_passage_with_backend(tmp_path, cfg):
    cfg.backend = "fallback"
    src = tmp_path / "scrubbed.parquet"
    texts = ["De gemeenten werkten samen.", "", "Bel [TELEFOON] of mail [EMAIL]."]
    write_table(src, scrubbed_table(texts), SCRUBBED)
    nlp_stage.run(src, tmp_path / "nlp.parquet", tmp_path / "m.json", cfg)
    out = read_table(tmp_path / "nlp.parquet", NLP)
    assert out["passage_id"].tolist() == [f"w/r{i}/q" for i in range(3)]
    assert list(out["tokens"].iloc[1]) == [] and out["n_sentences"].iloc[1] == 0
    assert "[TELEFOON]" in list(out["tokens"].iloc[2])
    assert set(out["backend"]) == {json.loads((tmp_path / "m.json").read_text())["backend"]}


def test_unknown_backend_is_a_user_error(params):
    with pytest.raises(SamenspelError, match="backend"):
        nlp_stage.NlpConfig.from_params({**params["nlp"], "backend": "stanza"})


def test_non_dutch_passages_are_flagged_not_dropped(tmp_path, cfg):
    cfg.backend = "fallback"
    src = tmp_path / "scrubbed.parquet"
    texts = ["Wij werken in de regio samen aan woningbouw en bereikbaarheid.",
             "I mostly coordinate the regional network meetings with our partners.",
             "😀😀😀", "   "]
    write_table(src, scrubbed_table(texts), SCRUBBED)
    nlp_stage.run(src, tmp_path / "nlp.parquet", tmp_path / "m.json", cfg)
    out = read_table(tmp_path / "nlp.parquet", NLP)
    assert out["lang"].tolist() == ["nl", "en", "und", "und"]
    metrics = json.loads((tmp_path / "m.json").read_text())
    assert metrics["not_dutch"] == 1 and metrics["passages"] == 4


# Texts that exercise every rule of the columns: placeholders, numbers, punctuation, stop
# words, capitals, runs of whitespace, several sentences, symbols, an empty passage.
TRICKY = [
    "Wij werkten samen met [NAAM] en hebben de regionale opgaven besproken. Daarna gingen we naar huis.",
    "",
    "   \n\t ",
    "Bel [TELEFOON] of mail [EMAIL].  Kosten: € 1.250,- per jaar (2024), 15% meer!!",
    "GEBREK AAN GELD EN AAN LEF OM SAMEN TE KIEZEN VOOR ÉÉN MERK.",
    "Sanne werkt in Utrecht samen met de regio. Zij is blij.\n\nNieuwe alinea: wonen, werken & mobiliteit…",
    "I mostly coordinate the regional network meetings with our partners.",
    "😀😀😀 ... ?!",
    "De gemeenten van de regio hebben het convenant niet voor niets ook zelf ondertekend.",
]


def reference_columns(nlp, texts, stop_words):
    """The columns read token by token from spaCy's objects, as the stage did before arrays."""
    has_sents = nlp.has_pipe("sentencizer") or nlp.has_pipe("parser") or nlp.has_pipe("senter")
    out = {k: [] for k in ("tokens", "lemmas", "content_lemmas", "n_sentences", "entities")}
    for doc in nlp.pipe(texts):
        out["tokens"].append([t.text for t in doc if not t.is_space])
        out["lemmas"].append([(t.lemma_ or t.text).lower() for t in doc if not t.is_space])
        out["content_lemmas"].append(nlp_stage.content_lemmas(doc, stop_words))
        out["n_sentences"].append(sum(1 for _ in doc.sents) if has_sents and len(doc) else 0)
        out["entities"].append([f"{e.label_}:{e.text}" for e in doc.ents])
    return out


@pytest.mark.parametrize("backend", ["fallback", "model"])
def test_annotate_equals_token_by_token_reading(monkeypatch, fallback_nlp, cfg, backend):
    if backend == "fallback":
        nlp = fallback_nlp[0]
    else:
        monkeypatch.setattr(spacy, "load", lambda name: fake_model())
        nlp, _ = nlp_stage.load_backend("nl_core_news_sm")
    monkeypatch.setattr(nlp_stage, "CHUNK_DOCS", 4)  # several chunks, one of them only whitespace
    texts = TRICKY * 2
    stop_words = nlp_stage.stop_words_for(nlp, cfg.extra_stop_words)
    thresholds = gc.get_threshold()
    got = nlp_stage.annotate(texts, nlp, cfg, stop_words)
    assert got == reference_columns(nlp, texts, stop_words)
    assert "lang" not in got
    assert gc.get_threshold() == thresholds


def test_letters_and_dutch_words_come_from_the_tokens(monkeypatch, fallback_nlp, cfg):
    from pipeline import language

    seen = {}

    def detect_many(self, texts, letters=None, dutch=None):
        seen.update(letters=letters, dutch=dutch)
        return ["und"] * len(texts)

    monkeypatch.setattr(language.LanguageDetector, "detect_many", detect_many)
    monkeypatch.setattr(nlp_stage, "CHUNK_DOCS", 3)
    nlp = fallback_nlp[0]
    detector = language.LanguageDetector(cfg.languages, cfg.language_min_confidence, cfg.language_min_letters)
    nlp_stage.annotate(TRICKY, nlp, cfg, nlp_stage.stop_words_for(nlp, []), detector)
    assert seen["letters"] == [sum(ch.isalpha() for ch in t) for t in TRICKY]
    assert seen["dutch"] == [language.clearly_dutch(t.text for t in doc) for doc in nlp.pipe(TRICKY)]
    assert seen["dutch"][-1] and not seen["dutch"][6]


def test_cached_run_loads_neither_backend_nor_language_model(monkeypatch, tmp_path, cfg):
    from pipeline import language

    cfg.backend = "fallback"
    src = tmp_path / "scrubbed.parquet"
    write_table(src, scrubbed_table(TRICKY), SCRUBBED)
    first = nlp_stage.run(src, tmp_path / "a.parquet", tmp_path / "a.json", cfg, cache_dir=tmp_path / "cache")

    def forbidden(*args, **kwargs):
        raise AssertionError("loaded although every passage was in the cache")

    monkeypatch.setattr(nlp_stage, "_load", forbidden)
    monkeypatch.setattr(language.LanguageDetector, "fit", forbidden)
    second = nlp_stage.run(src, tmp_path / "b.parquet", tmp_path / "b.json", cfg, cache_dir=tmp_path / "cache")
    assert (tmp_path / "a.parquet").read_bytes() == (tmp_path / "b.parquet").read_bytes()
    assert second["tokens"].tolist() == first["tokens"].tolist()
    metrics = json.loads((tmp_path / "b.json").read_text())
    assert metrics["cache_hits"] == len(TRICKY) and metrics["cache_misses"] == 0
    assert {k: v for k, v in metrics.items() if not k.startswith("cache")} == \
        {k: v for k, v in json.loads((tmp_path / "a.json").read_text()).items() if not k.startswith("cache")}


def test_backend_label_without_loading_matches_the_loaded_one(fallback_nlp):
    assert nlp_stage.backend_label("fallback") == fallback_nlp[1]


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


# ------------------------------------------------------------------ other spaCy pipelines


def tiny_pipeline(patterns=({"label": "GPE", "pattern": "Utrecht"},)):
    """Blank Dutch with a sentencizer and a rule-based entity component named `ner`."""
    nlp = spacy.blank("nl")
    nlp.add_pipe("sentencizer")
    ruler = nlp.add_pipe("entity_ruler", name="ner")
    ruler.add_patterns(list(patterns))
    return nlp


def test_pipeline_directory_as_backend(monkeypatch, tmp_path, cfg):
    folder = tmp_path / "mijn_pijplijn"
    tiny_pipeline().to_disk(folder)
    cfg = nlp_stage.NlpConfig.from_params({**vars(cfg), "backend": str(folder)})
    src = tmp_path / "scrubbed.parquet"
    write_table(src, scrubbed_table(["Mail [NAAM] in Utrecht. Daarna bellen.", ""]), SCRUBBED)
    out = nlp_stage.run(src, tmp_path / "a.parquet", tmp_path / "a.json", cfg, cache_dir=tmp_path / "cache")
    label = out["backend"].iloc[0]
    assert re.fullmatch(r"nl_pipeline-0\.0\.0 \(map mijn_pijplijn, [0-9a-f]{12}\)", label)
    assert nlp_stage.backend_label(str(folder)) == label
    assert list(out["tokens"].iloc[0]) == ["Mail", "[NAAM]", "in", "Utrecht", ".", "Daarna", "bellen", "."]
    assert out["n_sentences"].tolist() == [2, 0]
    assert list(out["entities"].iloc[0]) == ["GPE:Utrecht"]
    metrics = json.loads((tmp_path / "a.json").read_text())
    assert metrics["backend"] == label and metrics["fallback"] is False and metrics["ner"] is True

    # From the cache, without loading: the same label and metrics, NER read from meta.json.
    monkeypatch.setattr(nlp_stage, "_load", lambda name: pytest.fail("loaded although all passages were cached"))
    nlp_stage.run(src, tmp_path / "b.parquet", tmp_path / "b.json", cfg, cache_dir=tmp_path / "cache")
    again = json.loads((tmp_path / "b.json").read_text())
    assert {k: v for k, v in again.items() if not k.startswith("cache")} == \
        {k: v for k, v in metrics.items() if not k.startswith("cache")}

    # Another pipeline saved over it, same meta.json name and version: another label.
    tiny_pipeline([{"label": "GPE", "pattern": "Zwolle"}]).to_disk(folder)
    assert nlp_stage.backend_label(str(folder)) not in (label, None)


def test_installed_pipeline_package_as_backend(monkeypatch, tmp_path):
    import sys

    nlp = tiny_pipeline()
    nlp.meta.update(name="proef_sm", version="1.2.3")
    package = tmp_path / "nl_proef_sm"
    package.mkdir()
    nlp.to_disk(package / "nl_proef_sm-1.2.3")  # the layout of `spacy package`
    (package / "meta.json").write_text(json.dumps(nlp.meta), encoding="utf-8")
    (package / "__init__.py").write_text("from spacy.util import load_model_from_init_py\n\n\n"
                                         "def load(**overrides):\n"
                                         "    return load_model_from_init_py(__file__, **overrides)\n")
    (tmp_path / "nl_proef_sm-1.2.3.dist-info").mkdir()
    (tmp_path / "nl_proef_sm-1.2.3.dist-info" / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: nl_proef_sm\nVersion: 1.2.3\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        assert nlp_stage.backend_label("nl_proef_sm") == "nl_proef_sm-1.2.3"
        loaded, label = nlp_stage.load_backend("nl_proef_sm")
        assert label == "nl_proef_sm-1.2.3" and loaded.pipe_names == ["sentencizer", "ner"]
        assert "[NAAM]" in [t.text for t in loaded("Bel [NAAM] op.")]
        assert nlp_stage.has_ner("nl_proef_sm")
    finally:
        sys.modules.pop("nl_proef_sm", None)


def test_unknown_pipeline_name_is_a_clear_error(params, tmp_path):
    with pytest.raises(SamenspelError, match=r"xx_geen_pijplijn_sm.*spacy download xx_geen_pijplijn_sm.*to_disk"):
        nlp_stage.NlpConfig.from_params({**params["nlp"], "backend": "xx_geen_pijplijn_sm"})
    with pytest.raises(SamenspelError, match="geen geïnstalleerd spaCy-pakket en geen map"):
        nlp_stage.load_backend(str(tmp_path / "bestaat_niet"))
    assert nlp_stage.backend_label("xx_geen_pijplijn_sm") is None
    with pytest.raises(SamenspelError, match="geen spaCy-pijplijn"):
        nlp_stage.load_backend("numpy")  # installed, but not a spaCy pipeline
    with pytest.raises(SamenspelError, match="config.cfg en meta.json ontbreken"):
        nlp_stage.load_backend(str(tmp_path))


def test_pipeline_that_fails_to_load_is_a_clear_error(tmp_path):
    folder = tmp_path / "kapot"
    tiny_pipeline().to_disk(folder)
    config = folder / "config.cfg"
    config.write_text(config.read_text().replace('factory = "sentencizer"', 'factory = "bestaat_niet"'))
    with pytest.raises(SamenspelError, match="kan niet worden geladen.*eigen componenten"):
        nlp_stage.load_backend(str(folder))


def test_pipeline_for_another_language_warns(tmp_path):
    spacy.blank("en").to_disk(tmp_path / "engels")
    said = []
    nlp, label = nlp_stage.load_backend(str(tmp_path / "engels"), lambda m, warn=False: said.append((m, warn)))
    assert label.startswith("en_pipeline-") and nlp.lang == "en"
    assert said and said[0][1] is True and "'en'" in said[0][0]
