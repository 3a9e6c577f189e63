"""Tests of the report stage, one module per module of pipeline/report/."""
