"""Stage `topics`: BERTopic topic models per corpus, with Dutch lemma representations.

Inputs:  scrubbed passages (schema `SCRUBBED`), their annotation (schema `NLP`), and
         optionally the classified passages (`classified.parquet`: passage_id, p_<code>,
         <code> 0/1, codes) and the codebook (code names; indicators as seed topics).
Outputs: `topics.parquet` (schema `TOPICS`: one row per passage and corpus), one model
         folder per corpus (BERTopic safetensors + c-TF-IDF, no pickle), Dutch topic
         summaries `<corpus>.md` / `<corpus>.html` plus an index, `breakdown.csv` (topic
         shares per wave, question, metadata and code), `waves.csv` (for `dvc plots`), and
         flat metrics (`<corpus>_<metric>`).
Params:  section `topics` of params.yaml.

Corpora are listed in `topics.corpora`, or, when that is empty, derived from the data
(`derive_corpora`): one per kind present (`enquete`, `documenten`) and one per survey
question with at least `question_corpora_min_answers` answers (`enquete_<question id>`).

Per corpus (a `kind`, optionally narrowed to survey questions; only status 'ok'):

1. Passages in another language than `languages` (the nlp stage's `lang`) and passages
   with fewer than `min_content_lemmas` content lemmas (fillers) are set aside, and
   exact duplicates (after case folding and collapsing whitespace of what the embedding
   backend reads) are set aside: duplicate points make UMAP's neighbour graph ambiguous
   and so the run irreproducible. All get their row back at the end — a duplicate the
   topic of its first occurrence, the others topic -1.
2. Embeddings from the backend in `topics.embedding` (see `pipeline.embeddings`), rounded to
   `topics.embedding.decimals`: the last bits, in which BLAS kernels and C libraries of
   different machines differ, then never reach UMAP and HDBSCAN (see `pipeline.reproducible`).
3. BERTopic with seeded UMAP, HDBSCAN, a CountVectorizer on content lemmas (Dutch stop
   words + a domain list; `min_df` counted over passages) and c-TF-IDF. UMAP/HDBSCAN
   sizes shrink with small corpora; below `min_passages` unique passages the corpus is
   skipped and the reason recorded.
4. Outliers moved to their nearest topic (`reduce_outliers`), then the representations
   refreshed with the same vectorizer (`update_topics`).
5. Quality on the corpus itself (NPMI, diversity, outlier share, stop words in the top
   terms), next to plain BERTopic defaults on the same passages and embeddings.

Incremental runs (`topics.incremental`, with the `cache.dir` folder): after a fit, the
model, the fitted embedding backend and the topic of every fitted passage are kept in
`<cache.dir>/topics/<corpus>/`, under a fingerprint of the fit settings, stop words,
seed topics, library versions and this code. DVC removes the stage's outputs before a
run, so that state has to live outside them. The next run reuses it when the
fingerprint matches, every fitted passage is still in the corpus and the unseen
passages are at most `refit_share` of it: the fitted passages keep their topic, the
unseen ones are embedded with the saved backend and placed by the saved model
(`BERTopic.transform`, then the same outlier reduction as the fit), and summaries and
quality are computed again on the whole corpus. Topic ids and words stay those of the
fit, so they can be compared across waves. Otherwise the corpus is fitted from scratch
and the state replaced. Without a cache, or with `enabled: false`, every run fits.

Modules: `config` (settings), `corpus` (passages and their roles), `fit` (BERTopic, and
new passages on an earlier fit), `result` and `quality` (what a model says about its
topics), `state` (saved models and the incremental state), `breakdown` (shares per
wave, question and code) and `render` (summaries, from pipeline/templates). The table
schema `TOPICS` is in pipeline/schema.py, with the other tables.
"""

from __future__ import annotations

import logging
import math
import shutil
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pipeline.errors import SamenspelError
from pipeline.files import atomic_path, replace_dir, write_json, write_table, write_text
from pipeline.progress import Say, progress, resolve_say
from pipeline.schema import TOPICS
from pipeline.topics.breakdown import breakdown, codes_per_topic
from pipeline.topics.config import TopicsConfig, stop_words
from pipeline.topics.corpus import derive_corpora, load_classified, load_passages, mark_roles, select_corpus
from pipeline.topics.render import Summary, render_html, render_index, render_markdown
from pipeline.topics.result import NO_TOPIC_LABEL, CorpusResult
from pipeline.topics.state import TopicState, fit_fingerprint, plan_corpus, save_model

__all__ = ["TOPICS", "TopicsConfig", "run"]

log = logging.getLogger(__name__)


def _flat(prefix: str, metrics: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for k, v in metrics.items():
        if isinstance(v, (float, np.floating)):
            v = None if math.isnan(v) else round(float(v), 4)
        elif isinstance(v, np.integer):
            v = int(v)
        out[f"{prefix}_{k}"] = v
    return out


def run(scrubbed_path: Path, nlp_path: Path, output_path: Path, metrics_path: Path, models_dir: Path,
        reports_dir: Path, cfg: TopicsConfig, classified_path: Path | None = None, codebook_path: Path | None = None,
        say: Say | None = None, cache_dir: Path | None = None) -> pd.DataFrame:
    """Fit a topic model per corpus; write assignments, models, summaries and metrics.

    Args:
        scrubbed_path: scrubbed passages (SCRUBBED).
        nlp_path: their annotation (NLP), for the content lemmas.
        output_path: `topics.parquet` (TOPICS).
        metrics_path: flat metrics JSON.
        models_dir: one BERTopic folder per corpus is written below it.
        reports_dir: summaries (md + html per corpus, index), breakdown.csv, waves.csv.
        cfg: the `topics` settings.
        classified_path: optional classified passages; adds code shares and co-occurring codes.
        codebook_path: codebook, for code names and (with `seed_topics`) seed topics.
        say: callback for the summary line and warnings.
        cache_dir: the project's cache folder (`cache.dir`); fits are kept below it in `topics/<corpus>/`
            for incremental runs (`topics.incremental`). None: every corpus is fitted, nothing is kept.

    Returns:
        The rows written to `topics.parquet`.
    """
    say = resolve_say(say, log)
    start = time.perf_counter()
    passages = load_passages(scrubbed_path, nlp_path)
    classified, codes = load_classified(classified_path)
    codebook = None
    if codebook_path is not None:
        from pipeline.codebook import load_codebook

        codebook = load_codebook(codebook_path)
    if cfg.seed_topics and codebook is None:
        raise SamenspelError("topics.seed_topics staat aan maar er is geen codeboek opgegeven", hint="geef --codebook op")
    seeds = [list(c.indicators) for c in codebook.codes] if cfg.seed_topics else None
    code_names = {c.id: c.name for c in codebook.codes} if codebook else {}
    stops = stop_words(cfg)

    # Imported here: the embedding backends and the fit load BERTopic, which takes seconds, and
    # the rest of the package (the TOPICS schema, the settings) is used without them.
    from pipeline.embeddings import make_embedder
    from pipeline.topics.fit import extend_corpus, fit_corpus

    embedder = make_embedder(cfg.embedding_backend, cfg.embedding_settings, cfg.random_state)
    if not embedder.per_corpus:
        embedder.fit([])  # a pretrained model: loads it (and fails early when it is missing)
    backend = embedder.label
    specs = cfg.corpora or derive_corpora(passages, cfg.question_corpora_min_answers)
    corpora = [(spec, mark_roles(select_corpus(passages, spec), embedder.input, cfg.min_content_lemmas, cfg.languages))
               for spec in specs]
    states = Path(cache_dir) / "topics" if cache_dir is not None and cfg.incremental.enabled else None
    fingerprints = [fit_fingerprint(spec, cfg, stops, seeds, backend) if states else "" for spec, _ in corpora]
    plans = [plan_corpus(frame, cfg, states / spec.name if states else None, fp, embedder)
             for (spec, frame), fp in zip(corpora, fingerprints)]
    shared: dict[str, np.ndarray] | None = None
    if not embedder.per_corpus:
        # Pretrained models embed a passage the same way in every corpus: embed each once, and
        # for an incremental corpus only the passages its earlier fit has not seen.
        docs = list(dict.fromkeys(d for (_, frame), plan in zip(corpora, plans)
                                  for d in (plan.new if plan.mode == "incremental"
                                            else frame.loc[frame["role"] == "unique", "embed_doc"])))
        shared = dict(zip(docs, embedder.embed(docs))) if docs else {}

    results: list[CorpusResult] = []
    Path(models_dir).mkdir(parents=True, exist_ok=True)
    for (spec, frame), plan, fp in progress(list(zip(corpora, plans, fingerprints)), "onderwerpen",
                                            total=len(corpora)):
        if plan.mode == "incremental":
            result = extend_corpus(spec, frame, cfg, plan, shared, stops)
        else:
            result = fit_corpus(spec, frame, cfg, embedder, shared, stops, seeds)
        if result.skipped:
            say(f"topics: {spec.name} overgeslagen: {result.skipped}", warn=True)
        elif result.model_folder is not None:  # the kept fit's model, saved once already
            with replace_dir(Path(models_dir) / spec.name) as tmp:
                shutil.copytree(result.model_folder, tmp, dirs_exist_ok=True)
        else:
            save_model(result.model, Path(models_dir) / spec.name, backend)
            if states is not None:
                TopicState.write(states / spec.name, fp, result, backend)
        results.append(result)
    # Always written, so the models folder exists (and says why) even when every corpus was skipped.
    write_json(Path(models_dir) / "index.json",
               {"backend": backend, "corpora": {r.spec.name: (f"overgeslagen: {r.skipped}" if r.skipped
                                                              else f"{r.spec.name}/") for r in results}})

    rows, shares_all = [], []
    reports_dir = Path(reports_dir)
    for r in results:
        labels = {-1: NO_TOPIC_LABEL, **{i.id: i.label for i in r.topics}}
        f = r.frame
        rows.append(pd.DataFrame({"passage_id": f["passage_id"], "corpus": r.spec.name, "topic": f["topic"].astype("int64"),
                                  "probability": f["probability"].astype("float64"),
                                  "label": f["topic"].map(labels).fillna(NO_TOPIC_LABEL), "assigned_by": f["assigned_by"]}))
        shares = breakdown(f, cfg.breakdown, classified, codes)
        shares_all.append(shares.assign(corpus=r.spec.name, label=shares["topic"].map(labels)))
        co = codes_per_topic(f, classified, codes, [i.id for i in r.topics]) if classified is not None else {}
        summary = Summary(r, backend, shares, co, code_names)
        write_text(reports_dir / f"{r.spec.name}.md", render_markdown(summary))
        write_text(reports_dir / f"{r.spec.name}.html", render_html(summary))
    index_md, index_html = render_index(results, backend)
    write_text(reports_dir / "index.md", index_md)
    write_text(reports_dir / "index.html", index_html)
    columns = ["corpus", "dimension", "class", "topic", "label", "n", "share"]
    shares_all = [x for x in shares_all if not x.empty]
    shares_df = (pd.concat(shares_all, ignore_index=True)[columns] if shares_all else pd.DataFrame(columns=columns))
    shares_df = shares_df.assign(share=shares_df["share"].astype(float).round(4))
    _write_csv(reports_dir / "breakdown.csv", shares_df)
    _write_csv(reports_dir / "waves.csv", shares_df[shares_df["dimension"] == "wave"]
               .drop(columns="dimension").rename(columns={"class": "wave"}))

    rows = [x for x in rows if not x.empty]
    out = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=TOPICS.names)
    write_table(output_path, out, TOPICS)
    metrics: dict[str, Any] = {"backend": backend, "seed_topics": cfg.seed_topics, "corpora": len(results),
                               "corpora_skipped": sum(1 for r in results if r.skipped)}
    for r in results:
        metrics.update(_flat(r.spec.name, r.metrics))
    write_json(metrics_path, metrics)
    fitted = [f"{r.spec.name} {r.metrics['topics']}" for r in results if not r.skipped]
    extended = [f"{r.spec.name} +{r.metrics['transformed']}" for r in results if r.metrics.get("mode") == "incremental"]
    reasons: dict[str, list[str]] = {}
    for r, p in zip(results, plans):
        if p.reason and not r.skipped:
            reasons.setdefault(p.reason, []).append(r.spec.name)
    refitted = [f"{', '.join(names)} ({reason})" for reason, names in reasons.items()]
    say(f"topics: {len(results)} corpora ({', '.join(fitted) or 'geen'} onderwerpen"
        + (f"; {metrics['corpora_skipped']} overgeslagen" if metrics["corpora_skipped"] else "")
        + (f"; nieuwe passages ingedeeld met de eerdere fit: {', '.join(extended)}" if extended else "")
        + (f"; opnieuw gefit: {'; '.join(refitted)}" if refitted else "")
        + f") met {cfg.embedding_backend} in {time.perf_counter() - start:.1f} s → {output_path}")
    return out


def _write_csv(path: Path, df: pd.DataFrame) -> None:
    with atomic_path(path, suffix=".csv") as tmp:
        df.to_csv(tmp, index=False, lineterminator="\n")

