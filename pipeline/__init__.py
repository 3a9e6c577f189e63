"""samenspel: text mining for Dutch survey answers and regional policy documents.

Stages (one module each, run by `dvc repro` through the `samenspel` CLI):
ingest -> scrub -> nlp -> (train, evaluate, classify, topics, report).
"""

__version__ = "0.1.0"
