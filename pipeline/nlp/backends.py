"""The NLP backends: which spaCy pipeline `nlp.backend` names, its label, and loading it.

* ``nl_core_news_sm`` — spaCy's trained Dutch pipeline (lemmatizer, NER). The default
  whenever it is installed.
* ``fallback`` — works offline with no model download: blank Dutch, a sentencizer
  and simplemma's Dutch dictionaries as lemmatizer (`pipeline.lemmatizer`). No NER and no
  part-of-speech tags; lemmas are context-free (see benchmarks/fallback_cost.py).
* ``auto`` — the first, else the second with a visible warning.
* any other installed spaCy pipeline package (``nl_core_news_md``, ``nl_core_news_lg``)
  or the path of a pipeline directory (``config.cfg`` and ``meta.json``, as written by
  ``nlp.to_disk``): loaded with ``spacy.load`` (`find_pipeline`). A package is labelled
  ``<lang>_<name>-<version>`` from its meta.json, like the trained model; a directory
  also gets its folder name and a digest of all its files, since a directory, unlike a
  released package, can change under the same name and version. A pipeline for another
  language than Dutch is used with a warning.

The label of a backend goes into the output and the cache fingerprint, so it is read
without loading the backend whenever that is possible (`backend_label`, `has_ner`).
"""

from __future__ import annotations

import gc
import hashlib
import importlib.metadata as md
import importlib.util
import json
import logging
import re
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

from pipeline.errors import SamenspelError
from pipeline.progress import resolve_say
from pipeline.schema import PLACEHOLDERS

log = logging.getLogger(__name__)

MODEL = "nl_core_news_sm"
MODEL_WHEEL = ("https://github.com/explosion/spacy-models/releases/download/"
               "nl_core_news_sm-3.8.0/nl_core_news_sm-3.8.0-py3-none-any.whl")
FALLBACK_WARNING = (
    f"WAARSCHUWING: spaCy-model {MODEL} is niet geïnstalleerd; de offline fallback wordt gebruikt "
    "(blank Dutch + sentencizer + simplemma-lemmatizer). Lemma's zijn minder nauwkeurig en er is geen NER. "
    f"Installeer het model met: pip install {MODEL_WHEEL}"
)
#: How spaCy's own pipeline packages are named: lang_type_genre_size (nl_core_news_md).
SPACY_PACKAGE = re.compile(r"^[a-z]{2,3}_[a-z]+_[a-z]+_(sm|md|lg|trf)$")


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
    say = resolve_say(say, log)
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
    return load(resolve_backend(name, say))


def load(name: str):
    """Return (nlp, backend label) of a resolved backend name (see `resolve_backend`)."""
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
