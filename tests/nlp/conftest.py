"""Shared fixtures of the nlp tests: the stage's settings, a fresh warning memory per test."""

from __future__ import annotations

import pytest

from pipeline.nlp import NlpConfig, backends


@pytest.fixture
def cfg(params):
    return NlpConfig.from_params(params["nlp"])


@pytest.fixture(autouse=True)
def fresh_warnings(monkeypatch):
    """Each test starts as a fresh process: no warning given yet."""
    monkeypatch.setattr(backends, "_WARNED", set())
