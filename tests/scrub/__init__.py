"""Tests for `pipeline.scrub`, one module per module of the package."""
