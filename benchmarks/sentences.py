"""The one pool of example sentences the benchmarks recombine.

Sentences come from the project's own example texts: the hand-written survey answers
in `corpora/src/surveys/golf_*.yaml` and the document sources in `corpora/src/documents/`.
`benchmarks/generate.py` (the scaled corpora) and `benchmarks/bench_topics.py` (the
topics benchmark) both draw from here, so they measure on the same sentences.

This module imports no other benchmark module: the benchmarks import it, never the
other way round (tests/test_benchmarks.py checks there is no import cycle).
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
SURVEY_SOURCES = ROOT / "corpora" / "src" / "surveys"
DOCUMENT_SOURCES = ROOT / "corpora" / "src" / "documents"
QUESTIONS = ("rol", "uitdaging", "ontwikkeling")
FILLERS = ["weet niet", "n.v.t.", "-", "geen", "geen idee", "nvt", "weet ik niet", "?"]
SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9À-Ý'‘“\"(])")


def sentences(text: str) -> list[str]:
    return [s.strip() for s in SENTENCE.split(" ".join(text.split())) if len(s.strip()) > 20]


def survey_pools(folder: Path = SURVEY_SOURCES) -> tuple[dict[tuple[str, str], list[str]], dict[str, list[str]]]:
    """Sentences per (source wave, question), and short whole answers per question."""
    answers: dict[tuple[str, str], list[str]] = {}
    short: dict[str, list[str]] = {}
    for path in sorted(folder.glob("golf_*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        wave = str(data["golf"])
        for resp in data.get("respondenten") or []:
            for question in QUESTIONS:
                text = " ".join(str(resp.get(question) or "").split())
                if not text:
                    continue
                found = sentences(text)
                if found:
                    answers.setdefault((wave, question), []).extend(found)
                elif len(text) <= 40 and text.lower() not in FILLERS:
                    short.setdefault(question, []).append(text)
    return answers, short


def answers_per_question(folder: Path = SURVEY_SOURCES) -> dict[str, list[str]]:
    """The sentences of `survey_pools`, per question over all source waves (in wave order)."""
    merged: dict[str, list[str]] = {}
    answers, _ = survey_pools(folder)
    for (_, question), found in sorted(answers.items()):
        merged.setdefault(question, []).extend(found)
    return merged


def document_pools(folder: Path = DOCUMENT_SOURCES) -> dict[str, list[str]]:
    """Sentences of each source document in order, without its YAML header, headings and list markers.

    Headings are dropped rather than glued to the next sentence ("6 Financiën Het Rijk stelt ...").
    """
    pools = {}
    for path in sorted(folder.glob("0*.*")):
        text = re.sub(r"\A---\n.*?\n---\n", "", path.read_text(encoding="utf-8"), flags=re.S)
        lines = [re.sub(r"^\s*([-*]|\d+[.)])\s+", "", line) for line in text.splitlines()
                 if line.strip() and not line.lstrip().startswith("#")]
        pools[path.stem] = sentences(" ".join(lines))
    return pools
