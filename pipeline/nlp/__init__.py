"""Stage `nlp`: Dutch tokens, lemmas, sentences and entities per passage.

Inputs:  scrubbed passages (schema `SCRUBBED`).
Outputs: `nlp.parquet` (schema `NLP`) and flat metrics naming the backend that ran.
Params:  section `nlp` of params.yaml.

The stage entry point (`run`, `NlpConfig`) is here; the work is in the modules:

- `backends`: the backends `nlp.backend` names (the trained model, the offline fallback,
  any other spaCy pipeline), their labels and loading them;
- `words`: the content-lemma rule and the stop-word list;
- `lemmas`: the one lemma rule, shared with train, evaluate, realtext and classify;
- `arrays`: Docs as numpy arrays, string facts looked up once per distinct word;
- `columns`: `annotate`, from texts to the columns of `nlp.parquet`.

Cost beyond spaCy itself (benchmarks/micro.py `nlp_overhead` measures it against raw
`nlp.pipe`): token attributes leave each Doc as one array (`Doc.to_array`), and the
strings and content-word tests are computed once per distinct word, not per token;
language identification scores all passages in batches (`LanguageDetector.detect_many`);
the backend and the language model are only loaded when some passage is not in the cache.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.files import read_table, write_json, write_table
from pipeline.language import UNDETERMINED, LanguageDetector
from pipeline.nlp import backends
from pipeline.nlp.arrays import Chunk, StringFacts
from pipeline.nlp.backends import (BACKEND_HINT, BACKENDS, FALLBACK_WARNING, MODEL, MODEL_WHEEL, SPACY_PACKAGE,
                                   Pipeline, backend_label, find_pipeline, has_ner, load_backend, model_installed,
                                   resolve_backend)
from pipeline.nlp.columns import COLUMNS, annotate, few_full_collections
from pipeline.nlp.lemmas import Lemmatiser, lemmatise
from pipeline.nlp.words import PLACEHOLDER, content_lemma, content_lemmas, is_content_word, stop_words, stop_words_for
from pipeline.progress import resolve_say
from pipeline.schema import NLP, SCRUBBED

__all__ = ["BACKENDS", "BACKEND_HINT", "COLUMNS", "Chunk", "FALLBACK_WARNING", "Lemmatiser", "MODEL",
           "MODEL_WHEEL", "NlpConfig", "PLACEHOLDER", "Pipeline", "SPACY_PACKAGE", "StringFacts", "annotate",
           "backend_label", "content_lemma", "content_lemmas", "find_pipeline", "has_ner", "is_content_word",
           "lemmatise", "load_backend", "model_installed", "resolve_backend", "run", "stop_words", "stop_words_for"]

log = logging.getLogger(__name__)


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
            find_pipeline(conf.backend)  # an installed package or a pipeline directory, else a clear error
        return conf


def run(input_path: Path, output_path: Path, metrics_path: Path, cfg: NlpConfig, say=None,
        cache_dir: Path | None = None) -> pd.DataFrame:
    """Annotate every passage; write `nlp.parquet` and metrics with the backend label.

    With `cache_dir`, passages annotated before with the same backend, settings and code
    are read back from the content-hash cache instead of being processed again; the
    backend and the language model are then only loaded if some passage is new.
    """
    import sys

    from pipeline import language, lemmatizer, schema
    from pipeline.cache import ContentCache, module_digest
    from pipeline.nlp import arrays, columns, lemmas, words

    say = resolve_say(say, log)
    passages = read_table(input_path, SCRUBBED)
    texts = passages["text"].fillna("").tolist()
    name = resolve_backend(cfg.backend, say)
    label = backend_label(name)
    nlp = None
    if label is None:  # only the loaded pipeline can tell
        nlp, label = backends.load(name)
    detector = LanguageDetector(cfg.languages, cfg.language_min_confidence, cfg.language_min_letters)
    start = time.perf_counter()

    def compute(batch: list[str]) -> list[tuple]:
        nonlocal nlp
        if nlp is None:
            nlp, _ = backends.load(name)
        cols = annotate(batch, nlp, cfg, stop_words_for(nlp, cfg.extra_stop_words), detector)
        return list(zip(*(cols[k] for k in COLUMNS)))

    with few_full_collections():
        if cache_dir is None:
            rows, hits = (compute(texts) if texts else []), 0
        else:
            settings = {k: v for k, v in vars(cfg).items() if k not in ("batch_size", "n_process", "backend")}
            code = module_digest(sys.modules[__name__], arrays, backends, columns, lemmas, words, language,
                                 lemmatizer, schema)
            cache = ContentCache(cache_dir, "nlp", [label, settings, code])
            rows = cache.map(texts, compute)
            cache.close()
            hits = cache.hits
        seconds = time.perf_counter() - start
        cols = dict(zip(COLUMNS, map(list, zip(*rows)))) if rows else {k: [] for k in COLUMNS}
        out = pd.DataFrame({"passage_id": passages["passage_id"], **cols, "backend": label})
        write_table(output_path, out, NLP)
    langs = cols["lang"]
    n_tokens = sum(map(len, cols["tokens"]))
    foreign = sum(lang not in ("nl", UNDETERMINED) for lang in langs)
    write_json(metrics_path, {
        "backend": label,
        "fallback": label.startswith("fallback"),
        # Without loading (every passage from the cache): from what the backend is (see `has_ner`).
        "ner": "ner" in nlp.pipe_names if nlp is not None else has_ner(name),
        "passages": len(out),
        "tokens": n_tokens,
        "sentences": int(sum(cols["n_sentences"])),
        "entities": sum(map(len, cols["entities"])),
        "not_dutch": foreign,
        "language_undetermined": langs.count(UNDETERMINED),
        "cache_hits": hits,
        "cache_misses": len(texts) - hits,
    })
    say(f"nlp: {len(out)} passages ({len(texts) - hits} nieuw, {hits} uit de cache), {n_tokens} tokens "
        f"met {label} in {seconds:.1f} s"
        + (f"; {foreign} niet-Nederlands (gemarkeerd in 'lang', niet verwijderd)" if foreign else "")
        + f" → {output_path}")
    return out
