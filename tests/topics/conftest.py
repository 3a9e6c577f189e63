"""Session fixtures of the topic tests: the corpus, and the expensive stage runs on it."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.files import read_table
from pipeline.schema import SCRUBBED
from tests.topics.helpers import WAVE, build_inputs, config, corpus_texts, run_stage, said


@pytest.fixture(scope="session")
def inputs(tmp_path_factory, params):
    return build_inputs(tmp_path_factory.mktemp("topics-in"), params, corpus_texts())


@pytest.fixture(scope="session")
def classified(tmp_path_factory, inputs):
    """A classified table with codes that follow the themes: `p_<id>` and the 0/1 decision `<id>`."""
    scrubbed = read_table(inputs[0], SCRUBBED)
    rows = []
    for pid, text in zip(scrubbed["passage_id"], scrubbed["text"]):
        low = text.lower()
        belangen = int("gemeenten" in low or "verdel" in low)
        regie = int("provincie" in low or "netbeheerder" in low)
        rows.append({"passage_id": pid, "p_belangen": 0.9 * belangen, "belangen": belangen,
                     "p_regie": 0.8 * regie, "regie": regie,
                     "codes": ";".join(c for c, v in (("belangen", belangen), ("regie", regie)) if v)})
    path = tmp_path_factory.mktemp("classified") / "classified.parquet"
    pd.DataFrame(rows).to_parquet(path)
    return path


@pytest.fixture(scope="session")
def first(tmp_path_factory, inputs, classified):
    from tests.conftest import ROOT

    return run_stage(tmp_path_factory.mktemp("run1"), inputs, config(), classified_path=classified,
                     codebook_path=ROOT / "corpora" / "codebook.yaml")


@pytest.fixture(scope="session")
def second(tmp_path_factory, inputs):
    return run_stage(tmp_path_factory.mktemp("run2"), inputs, config())


@pytest.fixture(scope="session")
def waves(tmp_path_factory, inputs, params):
    """A fit on the corpus with a cache, then the corpus plus a new wave on that cache."""
    folder = tmp_path_factory.mktemp("waves")
    cache = folder / "cache"
    wave_inputs = build_inputs(folder / "wave-in", params, corpus_texts() + WAVE)
    fit = run_stage(folder / "fit", inputs, config(), cache_dir=cache)
    lines, say = said()
    inc = run_stage(folder / "inc", wave_inputs, config(), cache_dir=cache, say=say)
    return {"fit": fit, "inc": inc, "cache": cache, "wave_inputs": wave_inputs, "lines": lines}
