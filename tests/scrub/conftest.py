"""Shared fixtures of the scrub tests: the planted sets and the two scrubbers (session scope)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.scrub import Scrubber

FIXTURES = Path(__file__).parents[1] / "fixtures" / "pii"


def _load(name: str) -> list[dict]:
    with (FIXTURES / name).open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


@pytest.fixture(scope="session")
def planted() -> list[dict]:
    return _load("planted.jsonl")


@pytest.fixture(scope="session")
def clean() -> list[dict]:
    return _load("clean.jsonl")


@pytest.fixture(scope="session")
def scrubber() -> Scrubber:
    """The full scrubber with deduce (about 80 s the first time deduce builds its cache)."""
    return Scrubber(use_deduce=True).fit()


@pytest.fixture(scope="session")
def regex_scrubber() -> Scrubber:
    return Scrubber(use_deduce=False).fit()
