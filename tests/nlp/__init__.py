"""Tests for `pipeline.nlp`, one module per module of the package."""
