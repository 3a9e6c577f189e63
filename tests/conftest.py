import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def params():
    from pipeline.config import load_params

    return load_params(ROOT / "params.yaml")


@pytest.fixture
def ingest_cfg(params):
    from pipeline.ingest import IngestConfig

    return IngestConfig.from_params(params["ingest"])


@pytest.fixture(scope="session")
def fallback_nlp():
    from pipeline.nlp import load_backend

    return load_backend("fallback")
