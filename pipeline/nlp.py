"""Stage `nlp`: Dutch tokens, lemmas, sentences and entities per passage.

Inputs:  scrubbed passages (schema `SCRUBBED`).
Outputs: `nlp.parquet` (schema `NLP`) and flat metrics naming the backend that ran.
Params:  section `nlp` of params.yaml.

Backends, chosen by name (`nlp.backend`):

* ``nl_core_news_sm`` — spaCy's trained Dutch pipeline (lemmatizer, NER). The default
  whenever it is installed.
* ``fallback`` — works offline with no model download: blank Dutch, a sentencizer
  and spaCy's lookup lemmatizer from spacy-lookups-data. No NER; lemmas of inflected
  forms it doesn't list stay as they are (see benchmarks/fallback_cost.py).
* ``auto`` — the first, else the second with a visible warning.
"""

from __future__ import annotations

import importlib.metadata as md
import logging
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import pandas as pd

from pipeline.errors import SamenspelError
from pipeline.files import read_table, write_json, write_table
from pipeline.language import UNDETERMINED, LanguageDetector
from pipeline.progress import progress
from pipeline.schema import NLP, SCRUBBED

log = logging.getLogger(__name__)

MODEL = "nl_core_news_sm"
MODEL_WHEEL = ("https://github.com/explosion/spacy-models/releases/download/"
               "nl_core_news_sm-3.8.0/nl_core_news_sm-3.8.0-py3-none-any.whl")
FALLBACK_WARNING = (
    f"WAARSCHUWING: spaCy-model {MODEL} is niet geïnstalleerd; de offline fallback wordt gebruikt "
    "(blank Dutch + sentencizer + lookup-lemmatizer). Lemma's zijn minder nauwkeurig en er is geen NER. "
    f"Installeer het model met: pip install {MODEL_WHEEL}"
)
PLACEHOLDER = re.compile(r"^\[[A-Z]+\]$")
PLACEHOLDERS = ("[NAAM]", "[EMAIL]", "[TELEFOON]", "[POSTCODE]", "[ADRES]", "[IBAN]", "[BSN]", "[KENTEKEN]", "[URL]")


@dataclass
class NlpConfig:
    """Settings from the `nlp` section of params.yaml."""

    backend: str
    batch_size: int
    n_process: int
    extra_stop_words: list[str]
    languages: list[str]
    language_min_confidence: float
    language_min_letters: int

    @classmethod
    def from_params(cls, cfg: dict[str, Any]) -> "NlpConfig":
        from pipeline.config import require

        conf = cls(**{f: require(cfg, f, "nlp") for f in cls.__dataclass_fields__})
        if conf.backend not in BACKENDS and conf.backend != "auto":
            raise SamenspelError(f"onbekende nlp.backend '{conf.backend}'",
                                 hint=f"kies uit: auto, {', '.join(BACKENDS)}")
        return conf


def model_installed() -> bool:
    try:
        md.version(MODEL)
        return True
    except md.PackageNotFoundError:
        return False


def _load_model():
    import spacy

    try:
        nlp = spacy.load(MODEL)
    except OSError as exc:
        raise SamenspelError(f"spaCy-model {MODEL} kan niet worden geladen ({exc})",
                             hint=f"installeer het met: pip install {MODEL_WHEEL}, of kies nlp.backend: fallback") from None
    return nlp, f"{MODEL}-{nlp.meta.get('version', '?')}"


def _load_fallback():
    import spacy

    nlp = spacy.blank("nl")
    nlp.add_pipe("sentencizer")
    try:
        nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
        nlp.initialize()
    except (ValueError, OSError) as exc:
        raise SamenspelError(f"lookup-lemmatizer kan niet worden geladen ({exc})",
                             hint="installeer spacy-lookups-data: pip install spacy-lookups-data") from None
    version = f"spacy-{spacy.__version__}+lookups-{md.version('spacy-lookups-data')}"
    return nlp, f"fallback:blank-nl+sentencizer+lookup ({version})"


BACKENDS: dict[str, Callable[[], tuple[Any, str]]] = {MODEL: _load_model, "fallback": _load_fallback}


def load_backend(name: str, say: Callable[..., None] | None = None):
    """Return (nlp, backend label). `auto` prefers the trained model, else warns and falls back."""
    say = say or (lambda msg, warn=False: log.warning(msg) if warn else log.info(msg))
    if name == "auto":
        name = MODEL if model_installed() else "fallback"
        if name == "fallback":
            say(FALLBACK_WARNING, warn=True)
    if name not in BACKENDS:
        raise SamenspelError(f"onbekende NLP-backend '{name}'", hint=f"kies uit: auto, {', '.join(BACKENDS)}")
    nlp, label = BACKENDS[name]()
    from spacy.symbols import ORTH

    for ph in PLACEHOLDERS:  # keep scrub placeholders as one token each
        nlp.tokenizer.add_special_case(ph, [{ORTH: ph}])
    nlp.max_length = max(nlp.max_length, 2_000_000)
    return nlp, label


def content_lemmas(doc, stop_words: set[str]) -> list[str]:
    """Lowercased lemmas of content words: no stop words, punctuation, numbers or placeholders."""
    out = []
    for tok in doc:
        if tok.is_punct or tok.is_space or tok.like_num or tok.is_digit or PLACEHOLDER.match(tok.text):
            continue
        lemma = (tok.lemma_ or tok.text).lower().strip()
        if len(lemma) < 2 or not any(ch.isalpha() for ch in lemma):
            continue
        if tok.is_stop or lemma in stop_words or tok.lower_ in stop_words:
            continue
        out.append(lemma)
    return out


def annotate(texts: list[str], nlp, cfg: NlpConfig, label: str, stop_words: set[str]) -> dict[str, list]:
    """Run `nlp.pipe` over texts; return the NLP columns (without passage_id)."""
    cols: dict[str, list] = {k: [] for k in ("tokens", "lemmas", "content_lemmas", "n_sentences", "entities")}
    has_sents = nlp.has_pipe("sentencizer") or nlp.has_pipe("parser") or nlp.has_pipe("senter")
    docs = nlp.pipe(texts, batch_size=cfg.batch_size, n_process=cfg.n_process)
    for doc in progress(docs, "nlp", total=len(texts)):
        cols["tokens"].append([t.text for t in doc if not t.is_space])
        cols["lemmas"].append([(t.lemma_ or t.text).lower() for t in doc if not t.is_space])
        cols["content_lemmas"].append(content_lemmas(doc, stop_words))
        cols["n_sentences"].append(sum(1 for _ in doc.sents) if has_sents and len(doc) else 0)
        cols["entities"].append([f"{e.label_}:{e.text}" for e in doc.ents])
    return cols


def stop_words_for(nlp, extra: list[str]) -> set[str]:
    return {w.lower() for w in nlp.Defaults.stop_words} | {w.lower() for w in extra}


def run(input_path: Path, output_path: Path, metrics_path: Path, cfg: NlpConfig, say=None,
        cache_dir: Path | None = None) -> pd.DataFrame:
    """Annotate every passage; write `nlp.parquet` and metrics with the backend label.

    With `cache_dir`, passages annotated before with the same backend, settings and code
    are read back from the content-hash cache instead of being processed again.
    """
    import sys

    from pipeline import language
    from pipeline.cache import ContentCache, module_digest

    say = say or (lambda msg, warn=False: log.warning(msg) if warn else log.info(msg))
    passages = read_table(input_path, SCRUBBED)
    nlp, label = load_backend(cfg.backend, say)
    stop_words = stop_words_for(nlp, cfg.extra_stop_words)
    detector = LanguageDetector(cfg.languages, cfg.language_min_confidence, cfg.language_min_letters).fit()
    start = time.perf_counter()
    texts = passages["text"].fillna("").tolist()

    def compute(batch: list[str]) -> list[dict]:
        cols = annotate(batch, nlp, cfg, label, stop_words)
        return [{**{k: v[i] for k, v in cols.items()}, "lang": detector.detect(t)} for i, t in enumerate(batch)]

    settings = {k: v for k, v in vars(cfg).items() if k not in ("batch_size", "n_process", "backend")}
    cache = ContentCache(cache_dir, "nlp", [label, settings, module_digest(sys.modules[__name__], language)])
    rows = cache.map(texts, compute)
    cache.close()
    seconds = time.perf_counter() - start
    cols = {k: [r[k] for r in rows] for k in ("tokens", "lemmas", "content_lemmas", "n_sentences", "entities")}
    langs = [r["lang"] for r in rows]
    out = pd.DataFrame({"passage_id": passages["passage_id"], **cols, "lang": langs, "backend": label})
    write_table(output_path, out, NLP)
    n_tokens = int(sum(len(t) for t in cols["tokens"]))
    write_json(metrics_path, {
        "backend": label,
        "fallback": label.startswith("fallback"),
        "ner": "ner" in nlp.pipe_names,
        "passages": len(out),
        "tokens": n_tokens,
        "sentences": int(sum(cols["n_sentences"])),
        "entities": int(sum(len(e) for e in cols["entities"])),
        "not_dutch": sum(lang not in ("nl", UNDETERMINED) for lang in langs),
        "language_undetermined": sum(lang == UNDETERMINED for lang in langs),
        "cache_hits": cache.hits,
        "cache_misses": cache.misses,
    })
    foreign = sum(lang not in ("nl", UNDETERMINED) for lang in langs)
    say(f"nlp: {len(out)} passages ({cache.misses} nieuw, {cache.hits} uit de cache), {n_tokens} tokens "
        f"met {label} in {seconds:.1f} s"
        + (f"; {foreign} niet-Nederlands (gemarkeerd in 'lang', niet verwijderd)" if foreign else "")
        + f" → {output_path}")
    return out
