"""Recall of the PII scrubber per type, and its false-positive rate.

Two planted sets, both written for the project with fictitious values:
- tests/fixtures/pii/: written together with the scrubber (optimistic by construction);
- tests/fixtures/pii_independent/: written by someone who never saw the scrubber's code.

Writes metrics/pii_recall.json (flat) and prints a table. Deduce is used as in the
pipeline's default settings (scrub.deduce: true).

Usage: python -m benchmarks.pii_recall [--no-deduce] [--out metrics/pii_recall.json]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from pipeline.scrub import Scrubber, false_positive_rate, pii_recall

SETS = {
    "project": Path("tests/fixtures/pii"),
    "independent": Path("tests/fixtures/pii_independent"),
}


def load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-deduce", action="store_true")
    ap.add_argument("--out", type=Path, default=Path("metrics/pii_recall.json"))
    args = ap.parse_args()
    scrubber = Scrubber(use_deduce=not args.no_deduce).fit()
    metrics: dict[str, float | int] = {}
    for name, folder in SETS.items():
        planted = [r for r in load(folder / "planted.jsonl") if r["pii"]]
        clean = [r for r in load(folder / "planted.jsonl") if not r["pii"]]
        if (folder / "clean.jsonl").exists():
            clean += load(folder / "clean.jsonl")
        recall = pii_recall(scrubber, planted)
        counts: dict[str, int] = {}
        for r in planted:
            for p in r["pii"]:
                counts[p["type"]] = counts.get(p["type"], 0) + 1
        print(f"{name}: {len(planted)} antwoorden met, {len(clean)} zonder persoonsgegevens")
        for t, v in recall.items():
            print(f"  {t:10} recall {v:.3f}" + (f"  (n={counts[t]})" if t in counts else ""))
            metrics[f"{name}.recall.{t.lower()}"] = round(v, 4)
            if t in counts:
                metrics[f"{name}.n.{t.lower()}"] = counts[t]
        if clean:
            fpr = false_positive_rate(scrubber, clean)
            print(f"  vals-positief: {fpr:.3f} van {len(clean)} antwoorden zonder persoonsgegevens veranderd")
            metrics[f"{name}.false_positive_rate"] = round(fpr, 4)
            metrics[f"{name}.n.clean"] = len(clean)
    metrics["deduce"] = not args.no_deduce
    args.out.write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
