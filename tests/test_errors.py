"""pipeline/errors.py: a user's mistake is one line naming the file, the problem and what to do."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.errors import InputFileError, SamenspelError


@pytest.mark.parametrize("path,hint,line", [
    (None, None, "sectie 'nlp' ontbreekt"),
    (Path("corpora/surveys/golf.csv"), None, "corpora/surveys/golf.csv: sectie 'nlp' ontbreekt"),
    ("params.yaml", "zie de README", "params.yaml: sectie 'nlp' ontbreekt — zie de README"),
    (None, "zie de README", "sectie 'nlp' ontbreekt — zie de README"),
])
def test_one_line_is_file_problem_and_hint(path, hint, line):
    err = SamenspelError("sectie 'nlp' ontbreekt", path=path, hint=hint)
    assert err.one_line() == str(err) == line
    assert "\n" not in str(err)


def test_the_parts_stay_readable_on_their_own():
    err = SamenspelError("leeg bestand", path=Path("a") / "b.csv", hint="exporteer opnieuw")
    assert (err.problem, err.path, err.hint) == ("leeg bestand", str(Path("a") / "b.csv"), "exporteer opnieuw")
    assert isinstance(err.path, str)


def test_an_unreadable_input_file_is_a_user_error():
    """The CLI and ingest's skip-and-record catch SamenspelError; an InputFileError must be one."""
    err = InputFileError("versleuteld", path="x.pdf", hint="sla het op zonder wachtwoord")
    assert isinstance(err, SamenspelError)
    with pytest.raises(SamenspelError, match=r"^x\.pdf: versleuteld — sla het op zonder wachtwoord$"):
        raise err
