"""`samenspel realtext`: the classifier measured on real text the project did not write.

The real-text development set (`corpora/devset/labels.jsonl`) stores only labels and a
locator per passage; the texts stay in the shared folder beside the project. `run`
joins the labels with their text, measures the classifier and writes the measurement
(`corpora/devset/realtext.json`, read by evaluate and the report) and, with
`--calibrate`, the relevance threshold that train reads.

- `passages`: reading the shared folder's texts by locator, and how the sample was drawn;
- `measure`: the scores, the coders' agreement and the relevance threshold.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.errors import SamenspelError
from pipeline.progress import resolve_say
from pipeline.realtext.measure import cohen_kappa, measure, relevance_threshold_for, scores
from pipeline.realtext.passages import (COLLAB, KIND, NA, OFF_DOMAIN, PARTYPANEL_COLUMNS, STRONG, RealPassage,
                                        clean_markdown, devset, load_labels, markdown_blocks, read_passages,
                                        sample_devset, shared_dir)

__all__ = ["COLLAB", "KIND", "NA", "OFF_DOMAIN", "PARTYPANEL_COLUMNS", "STRONG", "RealPassage", "clean_markdown",
           "cohen_kappa", "devset", "load_labels", "markdown_blocks", "measure", "read_passages",
           "relevance_threshold_for", "run", "sample_devset", "scores", "shared_dir"]


def run(labels_path: Path, model_path: Path, output: Path, calibration_path: Path, nlp_backend: str,
        shared: Path | None = None, calibrate: bool = False, beta: float = 0.5, say=None) -> dict | None:
    """`samenspel realtext`: measure the classifier on the real development set.

    Writes `output` (flat JSON, committed: `samenspel evaluate` and the report read it, so
    `dvc repro` gives the same outputs with or without the shared folder). With
    `calibrate`, also writes the relevance threshold chosen on the set to
    `calibration_path`, which the `train` stage reads. Without the shared folder it says
    so and writes nothing.
    """
    import logging

    from pipeline.files import write_json
    from pipeline.model import Classifier
    from pipeline.nlp import load_backend

    say = resolve_say(say, logging.getLogger(__name__))
    folder = shared_dir(shared)
    if folder is None:
        say("realtext: map met echte teksten (../shared of $SAMENSPEL_SHARED) niet gevonden; niets gemeten", warn=True)
        return None
    labels = load_labels(labels_path)
    rows, drifted = devset(folder, labels)
    if drifted:
        say(f"realtext: {len(drifted)} labels wijzen niet meer naar dezelfde tekst en tellen niet mee "
            f"(bijv. {drifted[0]})", warn=True)
    if not rows:
        raise SamenspelError("geen enkele label van de ontwikkelset vindt zijn tekst terug", path=labels_path)
    clf = Classifier.load(model_path)
    nlp, backend = load_backend(nlp_backend, say)
    metrics, t_rel = measure(clf, nlp, rows, beta, calibrate)
    metrics.update({"model_fingerprint": clf.meta.get("fingerprint", ""), "backend": backend,
                    "labels_missing_text": len(drifted),
                    **{f"threshold.{c}": round(float(t), 4) for c, t in clf.thresholds.items()}})
    write_json(output, metrics)
    if calibrate:
        write_json(calibration_path, {"relevance_threshold": t_rel, "beta": beta,
                                      "rule": "drempel met de hoogste F-beta op passageniveau op de ontwikkelset "
                                              "(beta 0,5: precisie telt twee keer zo zwaar als recall)"})
    a = "adjudicated."
    say(f"realtext: {len(rows)} echte passages ({metrics['coded_passages']} gecodeerd door de codeurs); "
        f"passage-precisie {metrics[a + 'passage.precision']:.2f}, -recall {metrics[a + 'passage.recall']:.2f}, "
        f"micro-F1 {metrics[a + 'micro.f1']:.2f}; buiten het domein gecodeerd {metrics['offdomain.rate']:.1%}; "
        f"relevantiedrempel {t_rel:.2f}" + (" (gekozen op de ontwikkelset)" if calibrate else "") + f" → {output}")
    return metrics
