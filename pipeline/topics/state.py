"""What is kept of a fit: the saved model folders, and the state for incremental runs.

A model folder (safetensors and c-TF-IDF, no pickle) is a stage output. With a cache
folder and `topics.incremental`, `TopicState` also keeps the model, the fitted embedding
backend and the topic of every fitted passage in `<cache.dir>/topics/<corpus>/`, under a
fingerprint of what shapes the fit (`fit_fingerprint`); `plan_corpus` decides whether the
next run can reuse it (see the stage's docstring in pipeline.topics).
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from pipeline import dutch
from pipeline.files import replace_dir, write_json
from pipeline.topics.config import CorpusSpec, TopicsConfig
from pipeline.topics.corpus import normalise
from pipeline.topics.result import CorpusResult, quiet

if TYPE_CHECKING:
    from pipeline.embeddings import Embedder


def save_model(model, folder: Path, backend: str) -> None:
    """Save as safetensors with c-TF-IDF into `folder`, replacing it only when complete."""
    # The config is plain json, which cannot hold the numpy ints sklearn may put in a vocabulary.
    vec = model.vectorizer_model
    vec.vocabulary_ = {k: int(v) for k, v in vec.vocabulary_.items()}
    if isinstance(vec.vocabulary, dict):
        vec.vocabulary = {k: int(v) for k, v in vec.vocabulary.items()}
    with replace_dir(folder) as tmp:
        with quiet():
            model.save(tmp, serialization="safetensors", save_ctfidf=True, save_embedding_model=False)
        write_json(tmp / "samenspel.json", {
            "embedding_backend": backend,
            "note": "embeddings kwamen van deze backend; geef bij BERTopic.load() hetzelfde model mee om nieuwe passages in te delen",
        })



STATE_FORMAT = 1



def passage_keys(frame: pd.DataFrame) -> list[str]:
    """Content key per row: what the embedding backend reads (as deduplicated) and the lemmas.

    An earlier fit is matched on content, not on passage ids: a passage is the same point
    for the model whatever its id or position, and changed lemmas make it a different one.
    """
    return [hashlib.sha256(f"{normalise(e)}\x1f{lemmas}".encode("utf-8", "surrogatepass")).hexdigest()
            for e, lemmas in zip(frame["embed_doc"], frame["lemma_doc"])]


def fit_fingerprint(spec: CorpusSpec, cfg: TopicsConfig, stops: set[str], seeds: list[list[str]] | None,
                    backend: str) -> str:
    """SHA-256 of everything besides the passages that shapes a corpus's fit and what is kept of it.

    Settings that only shape the reports (breakdowns, representative passages) and the
    incremental settings themselves are left out; the code of this stage is in.
    """
    import importlib.metadata as md

    import pipeline
    from pipeline import coherence, embeddings, reproducible
    from pipeline.cache import file_digest

    settings = asdict(cfg)
    for key in ("corpora", "question_corpora_min_answers", "breakdown", "representative_passages", "incremental"):
        settings.pop(key)
    payload = {
        "format": STATE_FORMAT, "samenspel": pipeline.__version__, "corpus": asdict(spec), "settings": settings,
        "stop_words": sorted(stops), "seeds": seeds, "backend": backend,
        "native_cpu": reproducible.native_requested(os.environ),  # a fit on the host's kernels is not the pinned one
        # Every module of this package; coherence: the kept defaults' scores; reproducible: the
        # numeric environment of the fit.
        "code": file_digest(*sorted(Path(__file__).parent.glob("*.py")),
                            *(m.__file__ for m in (embeddings, coherence, reproducible))),
        "libraries": {name: md.version(name) for name in ("bertopic", "umap-learn", "hdbscan", "scikit-learn",
                                                           "numpy", "scipy", "numba")},  # numba compiles UMAP
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def _plain(value: Any) -> Any:
    """A JSON-ready copy of a metric value (numpy scalars become Python numbers)."""
    return value.item() if isinstance(value, np.generic) else value


@dataclass
class TopicState:
    """An earlier fit of one corpus, kept in `<cache>/topics/<corpus>/` (outside DVC's outputs).

    Files: `state.json` (fingerprint, fit-only metrics), `passages.parquet` (content key,
    topic, probability, assigned_by of every fitted unique passage), `model/` (BERTopic,
    safetensors) and, for a backend fitted per corpus, `embedder/` (JSON + safetensors).
    """

    folder: Path
    fingerprint: str
    metrics: dict[str, Any]
    passages: pd.DataFrame  # indexed by content key

    @property
    def model_folder(self) -> Path:
        return self.folder / "model"

    @classmethod
    def read(cls, folder: Path) -> "TopicState | None":
        """The state in `folder`, or None when there is none; a damaged state raises."""
        folder = Path(folder)
        if not (folder / "state.json").exists():
            return None
        meta = json.loads((folder / "state.json").read_text(encoding="utf-8"))
        if meta.get("format") != STATE_FORMAT:
            return None
        passages = pd.read_parquet(folder / "passages.parquet").set_index("key")
        if len(passages) != meta["fitted_on"] or not passages.index.is_unique:
            raise ValueError("passages.parquet does not match state.json")
        return cls(folder, str(meta["fingerprint"]), dict(meta["metrics"]), passages)

    @staticmethod
    def write(folder: Path, fingerprint: str, result: CorpusResult, backend: str) -> None:
        """Keep a fit's state in `folder`, replacing an older one only when complete."""
        unique = result.frame[result.frame["role"] == "unique"]
        with replace_dir(folder) as tmp:
            pd.DataFrame({"key": passage_keys(unique), "topic": unique["topic"].astype("int64").to_numpy(),
                          "probability": unique["probability"].astype("float64").to_numpy(),
                          "assigned_by": unique["assigned_by"].astype(str).to_numpy()}).to_parquet(
                tmp / "passages.parquet", index=False)
            save_model(result.model, tmp / "model", backend)
            if result.embedder is not None and result.embedder.per_corpus:
                result.embedder.save_fitted(tmp / "embedder")
            write_json(tmp / "state.json", {"format": STATE_FORMAT, "fingerprint": fingerprint,
                                            "corpus": result.spec.name, "fitted_on": len(unique), "backend": backend,
                                            "metrics": {k: _plain(v) for k, v in result.fit_metrics.items()}})

    def load_model(self, embedder: Embedder):
        from bertopic import BERTopic

        with quiet():
            return BERTopic.load(str(self.model_folder), embedding_model=embedder)

    def load_embedder(self, embedder: Embedder) -> Embedder:
        return embedder.load_fitted(self.folder / "embedder")


@dataclass
class Plan:
    """How a corpus runs: `fit`, or `incremental` on an earlier state; `reason` says why it refits."""

    mode: str
    reason: str = ""
    state: TopicState | None = None
    new: list[str] = field(default_factory=list)  # embed_doc of the unique passages the state has not seen
    model: Any = None  # the state's BERTopic model, loaded
    embedder: Embedder | None = None  # the backend that embeds the new passages (the saved one if fitted per corpus)


def plan_corpus(frame: pd.DataFrame, cfg: TopicsConfig, folder: Path | None, fingerprint: str,
                embedder: Embedder) -> Plan:
    """Decide between a fit and an incremental run for one corpus (`frame` from `mark_roles`)."""
    if folder is None or not cfg.incremental.enabled:
        return Plan("fit")

    def unreadable(exc: Exception) -> Plan:  # a damaged cache only costs a refit
        return Plan("fit", f"opgeslagen fit onleesbaar ({type(exc).__name__}), in {folder}")

    try:
        state = TopicState.read(folder)
    except Exception as exc:
        return unreadable(exc)
    if state is None:
        return Plan("fit", "")
    if state.fingerprint != fingerprint:
        return Plan("fit", "instellingen, code of bibliotheken gewijzigd sinds de vorige fit")
    unique = frame[frame["role"] == "unique"]
    keys = pd.Index(passage_keys(unique))
    missing = int((~state.passages.index.isin(keys)).sum())
    if missing:
        return Plan("fit", f"{missing} passages uit de vorige fit zijn er niet meer")
    is_new = ~keys.isin(state.passages.index)
    share = float(is_new.mean()) if len(keys) else 0.0
    if share > cfg.incremental.refit_share:
        return Plan("fit", f"{dutch.pct(share, 1, space=True)} nieuwe passages, meer dan refit_share "
                           f"{dutch.pct(cfg.incremental.refit_share, 1, space=True)}")
    try:
        model = state.load_model(embedder)
        fitted = state.load_embedder(embedder) if embedder.per_corpus else embedder
    except Exception as exc:
        return unreadable(exc)
    return Plan("incremental", "", state, unique.loc[is_new, "embed_doc"].tolist(), model, fitted)
