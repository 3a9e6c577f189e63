"""Tests for `pipeline.realtext`, one module per module of the package."""
