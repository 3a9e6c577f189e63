"""Tests for `pipeline.ingest`, one module per module of the package."""
