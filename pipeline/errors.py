"""User-facing errors.

A `SamenspelError` is a mistake in the user's data or settings, not a bug. The CLI
prints it as one line (file, problem, what to do) without a traceback; in a batch the
ingest stage records it as a skipped file instead.
"""

from __future__ import annotations

from pathlib import Path


class SamenspelError(Exception):
    """A problem the user can fix: bad input file, missing setting, missing model."""

    def __init__(self, problem: str, *, path: str | Path | None = None, hint: str | None = None):
        self.problem = problem
        self.path = str(path) if path is not None else None
        self.hint = hint
        super().__init__(self.one_line())

    def one_line(self) -> str:
        parts = []
        if self.path:
            parts.append(f"{self.path}: ")
        parts.append(self.problem)
        if self.hint:
            parts.append(f" — {self.hint}")
        return "".join(parts)


class InputFileError(SamenspelError):
    """An input file that cannot be read: corrupt, empty, encrypted, misnamed."""
