"""`pipeline.reproducible`: the pinned numeric environment, rounding, and the same topics on other machines.

Other machines are simulated on this one with the variables of issue 13, each in a fresh
process with an empty numba cache: numba compiling for another CPU (`NUMBA_CPU_NAME`),
numpy without its newer SIMD kernels (`NPY_DISABLE_CPU_FEATURES`), other OpenBLAS kernels
(`OPENBLAS_CORETYPE`) and other thread counts. Every process fits the small corpus of
`tests/topics`; the rounded embeddings, UMAP's layout, the topics and the quality figures
must be the same everywhere. With `SAMENSPEL_NATIVE_CPU=1` set when running the tests,
`test_topics_are_the_same_on_another_machine` fails on a CPU with AVX-512 or AVX2.
"""

from __future__ import annotations

import json
import math
import os
import platform
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from pipeline import reproducible
from tests.conftest import ROOT
from tests.topics.helpers import CONFIG, build_inputs, corpus_texts

# --------------------------------------------------------------------------- the environment


def test_pin_sets_a_generic_cpu_for_numba_and_numpys_baseline(monkeypatch):
    monkeypatch.setattr(reproducible.platform, "machine", lambda: "x86_64")
    env = {"NUMBA_CPU_NAME": "skylake-avx512", "NUMBA_CPU_FEATURES": "+avx512f", "NPY_DISABLE_CPU_FEATURES": "X86_V4",
           "PATH": "/usr/bin"}
    pinned = reproducible.pin_numeric_environment(env)
    assert pinned == reproducible.pinned_variables()
    # a user's own values would break the promise: overridden, and numpy refuses ENABLE next to DISABLE
    assert env == {"NUMBA_CPU_NAME": "generic", "NUMBA_CPU_FEATURES": "",
                   "NPY_ENABLE_CPU_FEATURES": reproducible.NUMPY_BASELINE, "PATH": "/usr/bin"}


@pytest.mark.parametrize("machine, native", [("x86_64", "1"), ("aarch64", "")])
def test_native_cpu_or_another_architecture_leaves_the_environment_alone(monkeypatch, machine, native):
    monkeypatch.setattr(reproducible.platform, "machine", lambda: machine)
    env = {"NUMBA_CPU_NAME": "skylake-avx512", reproducible.NATIVE_CPU: native}
    before = dict(env)
    assert reproducible.pin_numeric_environment(env) == {}
    assert env == before


def test_native_cpu_0_still_pins(monkeypatch):
    monkeypatch.setattr(reproducible.platform, "machine", lambda: "x86_64")
    env = {reproducible.NATIVE_CPU: "0"}
    assert reproducible.pin_numeric_environment(env)
    assert env["NUMBA_CPU_NAME"] == "generic"


X86 = platform.machine().lower() in ("x86_64", "amd64")


@pytest.mark.skipif(not X86, reason="pinned on x86-64 only")
def test_importing_pipeline_pins_before_numpy_loads():
    code = "import json, os, sys, pipeline; print(json.dumps(['numpy' in sys.modules, os.environ['NUMBA_CPU_NAME']]))"
    env = {k: v for k, v in os.environ.items() if k != reproducible.NATIVE_CPU}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == [False, "generic"]


# --------------------------------------------------------------------------- rounding


def test_round_floats_rounds_only_the_float_columns():
    df = pd.DataFrame({"id": ["a", "b"], "n": [1, 2], "p": [0.1 + 0.2, 0.123456789],
                       "q": np.array([0.5, 0.25], dtype=np.float32), "y": [0, 1]})
    out = reproducible.round_floats(df, decimals=6)
    assert out["p"].tolist() == [0.3, 0.123457]  # 0.1 + 0.2 is 0.30000000000000004: its last bits go
    assert out["q"].dtype == "float32" and out["q"].tolist() == [0.5, 0.25]
    pd.testing.assert_frame_equal(out[["id", "n", "y"]], df[["id", "n", "y"]])
    assert df["p"].iloc[0] != 0.3  # the input is left alone
    assert reproducible.round_floats(df, decimals=2)["p"].tolist() == [0.3, 0.12]
    assert reproducible.round_floats(df)["p"].tolist() == [0.3, round(0.123456789, reproducible.FLOAT_DECIMALS)]


def test_round_floats_makes_low_bit_differences_vanish():
    a = pd.DataFrame({"p": [0.1 + 0.2, 1 / 3]})
    b = pd.DataFrame({"p": [0.3, math.fsum([1 / 3, 1e-15])]})
    assert not a.equals(b)
    pd.testing.assert_frame_equal(reproducible.round_floats(a), reproducible.round_floats(b))


# --------------------------------------------------------------------------- other machines

#: Fits the test corpus in a fresh process and prints what must not depend on the machine.
FIT = """
import hashlib, json, sys
import pipeline  # first, as the samenspel command does: it pins the numeric environment
import numpy as np
from pipeline.embeddings import make_embedder
from pipeline.topics.config import TopicsConfig, stop_words
from pipeline.topics.corpus import load_passages, mark_roles, select_corpus
from pipeline.topics.fit import fit_corpus, passage_embeddings

def digest(a):
    return hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest()

cfg = TopicsConfig.from_params(json.loads(sys.argv[3]))
passages = load_passages(sys.argv[1], sys.argv[2])
stops = stop_words(cfg)
embedder = make_embedder(cfg.embedding_backend, cfg.embedding_settings, cfg.random_state)
out = {}
for spec in cfg.corpora:
    frame = mark_roles(select_corpus(passages, spec), embedder.input, cfg.min_content_lemmas, cfg.languages)
    r = fit_corpus(spec, frame, cfg, embedder, None, stops, None)
    docs = r.frame.loc[r.frame["role"] == "unique", "embed_doc"].tolist()
    out[spec.name] = {"embeddings": digest(passage_embeddings(docs, r.embedder, None, cfg.embedding_decimals)),
                      "umap": digest(r.model.umap_model.embedding_), "topics": r.frame["topic"].tolist(),
                      "metrics": r.metrics}
print(json.dumps(out, default=str))
"""

#: What differs between real machines, set the way issue 13 simulated it (each also with an
#: empty numba cache). The host runs with its own defaults, and 2 numba threads.
MACHINES = {
    "host": {"NUMBA_NUM_THREADS": "2"},
    "avx2_laptop": {"NUMBA_CPU_NAME": "haswell", "NPY_DISABLE_CPU_FEATURES": "X86_V4 AVX512_ICL AVX512_SPR",
                    "OPENBLAS_CORETYPE": "Haswell", "NUMBA_NUM_THREADS": "1"},
    "older_pc": {"NUMBA_CPU_NAME": "sandybridge", "NPY_DISABLE_CPU_FEATURES": "X86_V3 X86_V4 AVX512_ICL AVX512_SPR",
                 "OPENBLAS_CORETYPE": "Sandybridge", "NUMBA_NUM_THREADS": "2", "OMP_NUM_THREADS": "1"},
}
#: Variables a machine sets, cleared first so the caller's shell cannot make two machines alike.
VARIABLES = sorted({k for m in MACHINES.values() for k in m} | {"NUMBA_CPU_FEATURES", "NUMBA_CACHE_DIR"})


def fit_on(machine: str, inputs, tmp_path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in VARIABLES}
    cache = tmp_path / f"numba-{machine}"
    cache.mkdir()
    env.update(MACHINES[machine], NUMBA_CACHE_DIR=str(cache))
    cfg = {**CONFIG, "corpora": CONFIG["corpora"][:2]}  # the document corpus of the fixture is empty
    run = subprocess.run([sys.executable, "-c", FIT, str(inputs[0]), str(inputs[1]), json.dumps(cfg)], cwd=ROOT,
                         env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    return json.loads(run.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def machine_inputs(tmp_path_factory, params):
    return build_inputs(tmp_path_factory.mktemp("machines-in"), params, corpus_texts())


@pytest.fixture(scope="module")
def on_host(machine_inputs, tmp_path_factory):
    return fit_on("host", machine_inputs, tmp_path_factory.mktemp("host"))


@pytest.mark.slow
@pytest.mark.parametrize("machine", [m for m in MACHINES if m != "host"])
def test_topics_are_the_same_on_another_machine(machine, machine_inputs, on_host, tmp_path):
    other = fit_on(machine, machine_inputs, tmp_path)
    assert list(other) == list(on_host) == ["alles", "vraag_a"]
    for corpus, host in on_host.items():
        assert other[corpus]["embeddings"] == host["embeddings"], f"{corpus}: rounded embeddings differ"
        assert other[corpus]["umap"] == host["umap"], f"{corpus}: UMAP's layout differs"
        assert other[corpus]["topics"] == host["topics"], f"{corpus}: topic assignments differ"
        # json turns NaN into NaN != NaN; compare the text
        assert json.dumps(other[corpus]["metrics"]) == json.dumps(host["metrics"]), f"{corpus}: quality differs"
    assert on_host["alles"]["metrics"]["topics"] >= 2  # a real fit, not two empty ones
