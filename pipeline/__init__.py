"""samenspel: text mining for Dutch survey answers and regional policy documents.

Stages (one module each, run by `dvc repro` through the `samenspel` CLI):
ingest -> scrub -> nlp -> (train, evaluate, classify, topics, report).
"""

# Before anything imports numpy or numba: the same numbers on every x86-64 machine.
from pipeline.reproducible import pin_numeric_environment

pin_numeric_environment()

__version__ = "0.1.0"
