"""Helpers of the nlp tests: passage tables, stand-in pipelines and texts that exercise every rule."""

from __future__ import annotations

import pandas as pd
import spacy


def scrubbed_table(texts):
    n = len(texts)
    return pd.DataFrame({
        "passage_id": [f"w/r{i}/q" for i in range(n)], "source": "s.csv", "kind": "survey", "wave": "w",
        "respondent_id": [f"r{i}" for i in range(n)], "question_id": "q", "row": pd.array(range(2, n + 2), "Int64"),
        "page": pd.array([None] * n, "Int64"), "paragraph": pd.array([None] * n, "Int64"),
        "chunk": pd.array([0] * n, "Int64"), "section": None, "text": texts,
        "status": ["ok" if t else "empty" for t in texts], "scrubbed": True, "pii_types": [[] for _ in texts],
    })


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


def tiny_pipeline(patterns=({"label": "GPE", "pattern": "Utrecht"},)):
    """Blank Dutch with a sentencizer and a rule-based entity component named `ner`."""
    nlp = spacy.blank("nl")
    nlp.add_pipe("sentencizer")
    ruler = nlp.add_pipe("entity_ruler", name="ner")
    ruler.add_patterns(list(patterns))
    return nlp


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
