"""Stage `nlp`: Dutch tokens, lemmas, sentences and entities per passage.

Inputs:  scrubbed passages (schema `SCRUBBED`).
Outputs: `nlp.parquet` (schema `NLP`) and flat metrics naming the backend that ran.
Params:  section `nlp` of params.yaml.

Backends, chosen by name (`nlp.backend`):

* ``nl_core_news_sm`` — spaCy's trained Dutch pipeline (lemmatizer, NER). The default
  whenever it is installed.
* ``fallback`` — works offline with no model download: blank Dutch, a sentencizer
  and simplemma's Dutch dictionaries as lemmatizer (`pipeline.lemmatizer`). No NER and no
  part-of-speech tags; lemmas are context-free (see benchmarks/fallback_cost.py).
* ``auto`` — the first, else the second with a visible warning.
* any other installed spaCy pipeline package (``nl_core_news_md``, ``nl_core_news_lg``)
  or the path of a pipeline directory (``config.cfg`` and ``meta.json``, as written by
  ``nlp.to_disk``): loaded with ``spacy.load``. A package is labelled
  ``<lang>_<name>-<version>`` from its meta.json, like the trained model; a directory
  also gets its folder name and a digest of all its files, since a directory, unlike a
  released package, can change under the same name and version. A pipeline for another
  language than Dutch is used with a warning.

Cost beyond spaCy itself (benchmarks/micro.py `nlp_overhead` measures it against raw
`nlp.pipe`): token attributes leave each Doc as one array (`Doc.to_array`), and the
strings and content-word tests are computed once per distinct word, not per token;
language identification scores all passages in batches (`LanguageDetector.detect_many`);
the backend and the language model are only loaded when some passage is not in the cache.
"""

from __future__ import annotations

import gc
import hashlib
import importlib.metadata as md
import importlib.util
import json
import logging
import re
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import numpy as np
import pandas as pd

from pipeline.errors import SamenspelError
from pipeline.files import read_table, write_json, write_table
from pipeline.language import CLEARLY_DUTCH_WORDS, DUTCH_WORDS, OTHER_WORDS, UNDETERMINED, LanguageDetector
from pipeline.progress import progress
from pipeline.schema import NLP, PLACEHOLDERS, SCRUBBED

log = logging.getLogger(__name__)

MODEL = "nl_core_news_sm"
MODEL_WHEEL = ("https://github.com/explosion/spacy-models/releases/download/"
               "nl_core_news_sm-3.8.0/nl_core_news_sm-3.8.0-py3-none-any.whl")
FALLBACK_WARNING = (
    f"WAARSCHUWING: spaCy-model {MODEL} is niet geïnstalleerd; de offline fallback wordt gebruikt "
    "(blank Dutch + sentencizer + simplemma-lemmatizer). Lemma's zijn minder nauwkeurig en er is geen NER. "
    f"Installeer het model met: pip install {MODEL_WHEEL}"
)
PLACEHOLDER = re.compile(r"^\[[A-Z]+\]$")
#: How spaCy's own pipeline packages are named: lang_type_genre_size (nl_core_news_md).
SPACY_PACKAGE = re.compile(r"^[a-z]{2,3}_[a-z]+_[a-z]+_(sm|md|lg|trf)$")
#: Output columns besides passage_id and backend, in the order of a cached row.
COLUMNS = ("tokens", "lemmas", "content_lemmas", "n_sentences", "entities", "lang")
#: Docs whose token arrays are turned into columns together (bounds the memory of a chunk).
CHUNK_DOCS = 2048


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
        from pipeline.lemmatizer import NAME

        nlp.add_pipe(NAME)
    except ImportError as exc:
        raise SamenspelError(f"simplemma-lemmatizer kan niet worden geladen ({exc})",
                             hint="installeer simplemma: pip install simplemma") from None
    return nlp, _fallback_label()


def _fallback_label() -> str:
    version = f"spacy-{md.version('spacy')}+simplemma-{md.version('simplemma')}"
    return f"fallback:blank-nl+sentencizer+simplemma ({version})"


BACKENDS: dict[str, Callable[[], tuple[Any, str]]] = {MODEL: _load_model, "fallback": _load_fallback}
BACKEND_HINT = (f"kies auto, {', '.join(BACKENDS)}, een geïnstalleerd spaCy-pijplijnpakket (bv. nl_core_news_md) "
                "of het pad van een map met een spaCy-pijplijn (config.cfg en meta.json, geschreven met nlp.to_disk)")


@dataclass(frozen=True)
class Pipeline:
    """A spaCy pipeline named in `nlp.backend` besides the built-in backends.

    Attributes:
        name: as written in params.yaml.
        kind: ``package`` (an installed pipeline package) or ``path`` (a pipeline directory).
        path: the folder holding its meta.json.
        meta: its meta.json.
    """

    name: str
    kind: str
    path: Path
    meta: dict

    @property
    def lang(self) -> str:
        return str(self.meta.get("lang", "?"))

    @property
    def label(self) -> str:
        """`<lang>_<name>-<version>`, as spaCy names packages; a directory adds its folder and a digest."""
        base = f"{self.lang}_{self.meta.get('name', 'pipeline')}-{self.meta.get('version', '?')}"
        if self.kind == "package":
            return base
        return f"{base} (map {self.path.resolve().name}, {_dir_digest(self.path)})"

    @property
    def has_ner(self) -> bool:
        return "ner" in self.meta.get("pipeline", [])  # meta.json lists the enabled components


def find_pipeline(name: str) -> Pipeline:
    """The installed pipeline package or pipeline directory `name` stands for, without loading it.

    As `spacy.load`, an installed package comes before a directory of the same name.

    Raises:
        SamenspelError: `name` is neither, or lacks the files spaCy needs.
    """
    if _installed(name):
        spec = importlib.util.find_spec(name)  # finds the module without running it
        folder = Path(spec.origin).parent if spec is not None and spec.origin else None
        if folder is None or not (folder / "meta.json").is_file():
            raise SamenspelError(f"nlp.backend '{name}' is een geïnstalleerd Python-pakket, maar geen spaCy-pijplijn",
                                 hint=BACKEND_HINT)
        return Pipeline(name, "package", folder, _read_meta(folder / "meta.json"))
    folder = Path(name).expanduser()
    if not folder.is_dir():
        install = (f"installeer het (python -m spacy download {name}), of " if SPACY_PACKAGE.match(name) else "")
        raise SamenspelError(f"onbekende nlp.backend '{name}': geen geïnstalleerd spaCy-pakket en geen map",
                             hint=install + BACKEND_HINT)
    missing = [f for f in ("config.cfg", "meta.json") if not (folder / f).is_file()]
    if missing:
        raise SamenspelError(f"de map is geen spaCy-pijplijn: {' en '.join(missing)} "
                             f"{'ontbreekt' if len(missing) == 1 else 'ontbreken'}", path=folder,
                             hint="geef een map die met nlp.to_disk is geschreven, of kies nlp.backend: fallback")
    return Pipeline(name, "path", folder, _read_meta(folder / "meta.json"))


def _installed(name: str) -> bool:
    try:
        md.distribution(name)
        return True
    except (md.PackageNotFoundError, ValueError):  # ValueError: not a valid distribution name (a path)
        return False


def _read_meta(path: Path) -> dict:
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SamenspelError(f"meta.json van de spaCy-pijplijn is onleesbaar ({exc})", path=path) from None
    if not isinstance(meta, dict):
        raise SamenspelError("meta.json van de spaCy-pijplijn is geen JSON-object", path=path)
    return meta


def _dir_digest(folder: Path) -> str:
    """A short digest of every file under `folder`, names and contents.

    The label goes into the output and the cache fingerprint, so a retrained pipeline
    saved over the old one must not keep its label, although its meta.json may not
    change. Reading the files costs about a second per 500 MB (a pipeline with large
    vectors) and happens once per run, cached or not.
    """
    h = hashlib.blake2b(digest_size=6)
    for f in sorted(p for p in folder.rglob("*") if p.is_file()):
        h.update(f.relative_to(folder).as_posix().encode() + b"\0")
        with f.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
        h.update(b"\0")
    return h.hexdigest()


def _load_pipeline(name: str):
    import spacy

    found = find_pipeline(name)
    try:
        nlp = spacy.load(found.name if found.kind == "package" else found.path)
    except Exception as exc:  # noqa: BLE001 — spaCy raises OSError, ValueError, KeyError, registry errors...
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise SamenspelError(f"spaCy-pijplijn '{name}' kan niet worden geladen ({reason})",
                             hint=f"controleer of de pijplijn past bij spaCy {md.version('spacy')} "
                                  f"(meta.json: {found.meta.get('spacy_version', '?')}) en of pakketten met "
                                  "eigen componenten geïnstalleerd zijn; of kies nlp.backend: fallback") from None
    return nlp, found.label


#: Warnings already given in this process: a stage (or a test run) that resolves the backend
#: more than once, or several stages in one process, say each warning once.
_WARNED: set[str] = set()


def _warn_once(say: Callable[..., None], message: str) -> None:
    if message not in _WARNED:
        _WARNED.add(message)
        say(message, warn=True)


def resolve_backend(name: str, say: Callable[..., None] | None = None) -> str:
    """The backend `name` stands for: `auto` prefers the trained model, else warns and falls back.

    Any other name must be an installed pipeline package or a pipeline directory; one
    for another language than Dutch is returned with a warning. Each warning is given once
    per process.
    """
    say = say or (lambda msg, warn=False: log.warning(msg) if warn else log.info(msg))
    if name == "auto":
        name = MODEL if model_installed() else "fallback"
        if name == "fallback":
            _warn_once(say, FALLBACK_WARNING)
    if name not in BACKENDS:
        found = find_pipeline(name)
        if found.lang != "nl":
            _warn_once(say, f"WAARSCHUWING: spaCy-pijplijn '{name}' is voor taal '{found.lang}', niet voor Nederlands "
                            "('nl'); tokens, lemma's en stopwoorden volgen die taal")
    return name


def backend_label(name: str) -> str | None:
    """The label `load_backend(name)` gives, read from package metadata without loading; None if unknown.

    For the trained model the loaded label comes from the model's meta.json, which carries
    the version of its package; a model that is not an installed package gives None.
    Other pipelines are labelled from their meta.json (and a directory from its files).
    """
    try:
        if name == "fallback":
            return _fallback_label()
        if name == MODEL:
            return f"{MODEL}-{md.version(MODEL)}"
        return find_pipeline(name).label
    except (md.PackageNotFoundError, SamenspelError):
        return None


def has_ner(name: str) -> bool:
    """Whether backend `name` recognises entities, without loading it: the trained model does, the fallback not."""
    if name in BACKENDS:
        return name == MODEL
    return find_pipeline(name).has_ner


def load_backend(name: str, say: Callable[..., None] | None = None):
    """Return (nlp, backend label). `auto` prefers the trained model, else warns and falls back."""
    return _load(resolve_backend(name, say))


def _load(name: str):
    from spacy.symbols import ORTH

    loader = BACKENDS.get(name) or (lambda: _load_pipeline(name))
    with _gc_paused():
        nlp, label = loader()
    for ph in PLACEHOLDERS:  # keep scrub's placeholders (pipeline.schema) as one token each
        nlp.tokenizer.add_special_case(ph, [{ORTH: ph}])
    nlp.max_length = max(nlp.max_length, 2_000_000)
    return nlp, label


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a backend loads, then collect once.

    Loading builds a quarter of a million small objects (the fallback's lemma table has
    213k entries), which sets off collections that traverse all of them again and again:
    a third of the fallback's load time. One full collection at the end settles them in
    the oldest generation, so that cost stays in loading instead of surfacing as a full
    collection halfway through the annotation.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
            gc.collect()


@contextmanager
def _few_full_collections() -> Iterator[None]:
    """Hold back full garbage collections while the stage accumulates its output.

    Every passage adds lists that live until the table is written. Python's collector
    traverses all of them, and the whole pipeline, in each full collection, which comes
    every time the long-lived objects grew by a quarter: a second at 100k passages, for
    no garbage. Young garbage is still collected as usual (generations 0 and 1).
    """
    old = gc.get_threshold()
    gc.set_threshold(old[0], old[1], max(old[2], 1000))
    try:
        yield
    finally:
        gc.set_threshold(*old)


def is_content_word(tok, stop_words: set[str]) -> bool:
    """The word half of the content-lemma rule: no punctuation, space, number, placeholder or stop word.

    Only lexical attributes, so it holds for a Token and for its Lexeme alike.
    """
    return not (tok.is_punct or tok.is_space or tok.like_num or tok.is_digit or PLACEHOLDER.match(tok.text)
                or tok.is_stop or tok.lower_ in stop_words)


def content_lemma(lemma: str, stop_words: set[str]) -> str | None:
    """The lemma half of the rule: the lowercased lemma, if it has two characters, a letter and is no stop word."""
    lemma = lemma.lower().strip()
    if len(lemma) < 2 or not any(ch.isalpha() for ch in lemma) or lemma in stop_words:
        return None
    return lemma


def content_lemmas(doc, stop_words: set[str]) -> list[str]:
    """Lowercased lemmas of content words: no stop words, punctuation, numbers or placeholders."""
    out = []
    for tok in doc:
        if is_content_word(tok, stop_words):
            lemma = content_lemma(tok.lemma_ or tok.text, stop_words)
            if lemma is not None:
                out.append(lemma)
    return out


class StringFacts:
    """Facts about spaCy strings, computed once per distinct hash and kept as numpy columns.

    A corpus has far fewer distinct words than tokens, so `ids` looks a chunk of token
    hashes up at once and the facts of a token are then plain array indexing.

    Args:
        compute: hash -> one value per column.
        dtypes: numpy dtype per column (``object`` for strings).
    """

    def __init__(self, compute: Callable[[int], tuple], dtypes: tuple[Any, ...]):
        self.compute = compute
        self.dtypes = dtypes
        self.columns = tuple(np.empty(0, dtype=d) for d in dtypes)
        self._index: dict[int, int] = {}

    def ids(self, hashes: np.ndarray) -> np.ndarray:
        inverse, unique = pd.factorize(hashes)  # a hash table: no sort
        keys = unique.tolist()
        index = self._index
        new = [h for h in keys if h not in index]
        if new:
            for h in new:
                index[h] = len(index)
            rows = list(zip(*map(self.compute, new)))
            self.columns = tuple(np.concatenate([col, np.array(vals, dtype=d)])
                                 for col, vals, d in zip(self.columns, rows, self.dtypes))
        return np.fromiter(map(index.__getitem__, keys), np.intp, len(keys))[inverse]


def annotate(texts: list[str], nlp, cfg: NlpConfig, stop_words: set[str],
             detector: LanguageDetector | None = None) -> dict[str, list]:
    """Run `nlp.pipe` over texts; return the NLP columns (without passage_id), `lang` only with a detector.

    Per token, the same values as reading `Token` attributes (see `content_lemmas`), but
    taken from one array per Doc and looked up per distinct word (`StringFacts`). The
    language detector gets each passage's letters and Dutch function words from there too.
    """
    from spacy.attrs import LEMMA, ORTH, SENT_START

    has_sents = nlp.has_pipe("sentencizer") or nlp.has_pipe("parser") or nlp.has_pipe("senter")
    vocab = nlp.vocab
    dutch_ids = {w: i + 1 for i, w in enumerate(DUTCH_WORDS)}

    def word(h: int) -> tuple:
        lex = vocab[h]
        lower = lex.lower_
        marker = dutch_ids.get(lower, -1 if lower in OTHER_WORDS else 0)
        return (lex.orth_, not lex.is_space, is_content_word(lex, stop_words), sum(map(str.isalpha, lex.orth_)),
                marker)

    def lemma(h: int) -> tuple:
        text = vocab.strings[h]
        content = content_lemma(text, stop_words)
        return text.lower(), content, content is not None

    words = StringFacts(word, (object, bool, bool, np.int64, np.int64))
    lemmas = StringFacts(lemma, (object, object, bool))
    cols: dict[str, list] = {k: [] for k in COLUMNS[:-1]}
    signals: dict[str, list] = {"letters": [], "dutch": []}
    arrays: list[np.ndarray] = []
    attrs = [ORTH, LEMMA, SENT_START]
    docs = nlp.pipe(texts, batch_size=cfg.batch_size, n_process=cfg.n_process)
    with _few_full_collections():
        for doc in progress(docs, "nlp", total=len(texts)):
            arrays.append(doc.to_array(attrs))
            cols["entities"].append([f"{e.label_}:{e.text}" for e in doc.ents])
            if len(arrays) == CHUNK_DOCS:
                _chunk_columns(arrays, words, lemmas, has_sents, cols, signals)
                arrays = []
        if arrays:
            _chunk_columns(arrays, words, lemmas, has_sents, cols, signals)
    if detector is not None:
        cols["lang"] = detector.detect_many(texts, signals["letters"], signals["dutch"])
    return cols


def _chunk_columns(arrays: list[np.ndarray], words: StringFacts, lemmas: StringFacts, has_sents: bool,
                   cols: dict[str, list], signals: dict[str, list]) -> None:
    """Append the columns of a chunk of Docs, given their [ORTH, LEMMA, SENT_START] arrays.

    `signals` gets per Doc the letters of its text and whether it is `clearly_dutch`.
    """
    n_docs = len(arrays)
    lengths = np.fromiter(map(len, arrays), np.intp, n_docs)
    bounds = np.zeros(n_docs + 1, dtype=np.intp)
    np.cumsum(lengths, out=bounds[1:])
    table = np.concatenate(arrays)
    orth = table[:, 0]
    w = words.ids(orth)
    lem = lemmas.ids(np.where(table[:, 1] == 0, orth, table[:, 1]))  # `token.lemma_ or token.text`
    text, kept, content_word, n_letters, marker = words.columns
    lower, content, content_lemma_ok = lemmas.columns
    keep = kept[w]
    is_content = content_word[w] & content_lemma_ok[lem]

    def per_doc_sum(values: np.ndarray) -> np.ndarray:
        at = np.zeros(len(values) + 1, dtype=np.int64)
        np.cumsum(values, out=at[1:])
        return np.diff(at[bounds])

    def per_doc(values: list, mask: np.ndarray) -> list[list]:
        at = np.zeros(len(mask) + 1, dtype=np.intp)
        np.cumsum(mask, out=at[1:])
        at = at[bounds].tolist()
        return [values[a:b] for a, b in zip(at[:-1], at[1:])]

    cols["tokens"] += per_doc(text[w[keep]].tolist(), keep)
    cols["lemmas"] += per_doc(lower[lem[keep]].tolist(), keep)
    cols["content_lemmas"] += per_doc(content[lem[is_content]].tolist(), is_content)
    if has_sents:
        # Doc.sents starts a sentence at token 0 and at every later token with sent_start == 1.
        new_sentence = table[:, 2] == 1
        new_sentence[bounds[:-1][lengths > 0]] = False
        cols["n_sentences"] += (per_doc_sum(new_sentence) + (lengths > 0)).tolist()
    else:
        cols["n_sentences"] += [0] * n_docs
    signals["letters"] += per_doc_sum(n_letters[w]).tolist()  # spaCy keeps every character of the text
    m = marker[w]
    at = np.flatnonzero(m > 0)
    distinct = np.unique((np.searchsorted(bounds, at, side="right") - 1) * (len(DUTCH_WORDS) + 1) + m[at])
    n_dutch = np.bincount(distinct // (len(DUTCH_WORDS) + 1), minlength=n_docs)
    signals["dutch"] += ((n_dutch >= CLEARLY_DUTCH_WORDS) & (per_doc_sum(m < 0) == 0)).tolist()


def stop_words(extra: Iterable[str] = (), base: Iterable[str] | None = None) -> set[str]:
    """The pipeline's one stop-word list: spaCy's Dutch stop words (or `base`) plus `extra`, lowercased.

    Each use adds its own words from params.yaml: `nlp.extra_stop_words` for the content
    lemmas (`stop_words_for`), `topics.domain_stop_words` for the topic terms (pipeline.topics).
    """
    if base is None:
        from spacy.lang.nl.stop_words import STOP_WORDS as base
    return {w.lower() for w in base} | {w.lower() for w in extra}


def stop_words_for(nlp, extra: list[str]) -> set[str]:
    """`stop_words` of a loaded spaCy pipeline: its language's list (Dutch for every Dutch backend)."""
    return stop_words(extra, nlp.Defaults.stop_words)


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

    say = say or (lambda msg, warn=False: log.warning(msg) if warn else log.info(msg))
    passages = read_table(input_path, SCRUBBED)
    texts = passages["text"].fillna("").tolist()
    name = resolve_backend(cfg.backend, say)
    label = backend_label(name)
    nlp = None
    if label is None:  # only the loaded pipeline can tell
        nlp, label = _load(name)
    detector = LanguageDetector(cfg.languages, cfg.language_min_confidence, cfg.language_min_letters)
    start = time.perf_counter()

    def compute(batch: list[str]) -> list[tuple]:
        nonlocal nlp
        if nlp is None:
            nlp, _ = _load(name)
        cols = annotate(batch, nlp, cfg, stop_words_for(nlp, cfg.extra_stop_words), detector)
        return list(zip(*(cols[k] for k in COLUMNS)))

    with _few_full_collections():
        if cache_dir is None:
            rows, hits = (compute(texts) if texts else []), 0
        else:
            settings = {k: v for k, v in vars(cfg).items() if k not in ("batch_size", "n_process", "backend")}
            code = module_digest(sys.modules[__name__], language, lemmatizer, schema)
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
