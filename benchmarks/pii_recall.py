"""Recall of the PII scrubber per type, and its false-positive rate.

Two planted sets, both written for the project with fictitious values:
- tests/fixtures/pii/: written together with the scrubber (optimistic by construction);
- tests/fixtures/pii_independent/: written by someone who never saw the scrubber's code.

Writes metrics/pii_recall.json (flat) and prints a table. Deduce is used as in the
pipeline's default settings (scrub.deduce: true).

The measures (`value_found`, `pii_recall`, `false_positive_rate`) live here rather than
in `pipeline`, since only this benchmark and the scrub tests use them.

Usage: python -m benchmarks.pii_recall [--no-deduce] [--out metrics/pii_recall.json]
"""

from __future__ import annotations

import argparse
import json
import re
from collections import Counter
from pathlib import Path
from typing import Iterable

from pipeline.scrub import RANK, Scrubber
from pipeline.scrub.names import core_words

SETS = {
    "project": Path("tests/fixtures/pii"),
    "independent": Path("tests/fixtures/pii_independent"),
}


def value_found(value: str, pii_type: str, scrubbed: str) -> bool:
    """A planted value counts as found when it no longer appears in the scrubbed text.

    Stricter than a substring test so that half-scrubbed values count as missed: for
    names no word of the name (besides tussenvoegsels and initials) may survive, and
    for numbers the longest run of 4 or more digits may not survive.
    """
    if value in scrubbed:
        return False
    if pii_type == "NAAM":
        return not any(re.search(rf"(?<!\w){re.escape(w)}(?!\w)", scrubbed) for w in core_words(value))
    runs = sorted(re.findall(r"\d{4,}", value), key=len)
    return not (runs and runs[-1] in scrubbed)


def pii_recall(scrubber: Scrubber, records: Iterable[dict]) -> dict[str, float]:
    """Recall per placeholder type on records {'text', 'pii': [{'type', 'value'}]}.

    Returns {type: share of planted values found}, plus 'ALL' over every value.
    """
    records = list(records)
    hits: Counter[str] = Counter()
    totals: Counter[str] = Counter()
    for rec, (out, _) in zip(records, scrubber.scrub_many(r["text"] for r in records)):
        for p in rec["pii"]:
            totals[p["type"]] += 1
            hits[p["type"]] += value_found(p["value"], p["type"], out)
    result = {t: hits[t] / totals[t] for t in sorted(totals, key=lambda t: RANK.get(t, 99))}
    if totals:
        result["ALL"] = sum(hits.values()) / sum(totals.values())
    return result


def false_positive_rate(scrubber: Scrubber, records: Iterable[dict]) -> float:
    """Share of texts without personal data that the scrubber changes anyway."""
    texts = [r["text"] for r in records]
    altered = sum(out != text for text, (out, _) in zip(texts, scrubber.scrub_many(texts)))
    return altered / len(texts) if texts else 0.0


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
