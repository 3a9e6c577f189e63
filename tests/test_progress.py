"""pipeline/progress.py: a progress bar never changes what is iterated and is silent off a terminal;
the `say` callback a stage falls back to when its caller gives none."""

from __future__ import annotations

import logging
import sys

import pytest

from pipeline.progress import progress, resolve_say


def numbers():
    yield from range(5)


def test_off_a_terminal_items_pass_through_and_nothing_is_printed(capsys):
    assert list(progress(numbers(), "tellen", total=5)) == [0, 1, 2, 3, 4]
    assert capsys.readouterr() == ("", "")


@pytest.mark.parametrize("total", [5, None, 3])
def test_on_a_terminal_every_item_comes_through_in_order(monkeypatch, total):
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    assert list(progress(numbers(), "tellen", total=total)) == [0, 1, 2, 3, 4]


def test_it_is_lazy(monkeypatch):
    """Items are drawn one at a time, so a stage can stream a large input through it."""
    drawn = []

    def items():
        for i in range(3):
            drawn.append(i)
            yield i

    for tty in (False, True):
        drawn.clear()
        monkeypatch.setattr(sys.stderr, "isatty", lambda: tty)
        it = progress(items(), "tellen", total=3)
        assert next(it) == 0 and drawn == [0]
        it.close()


def test_off_a_terminal_rich_is_not_touched(monkeypatch):
    """Off a terminal (logs, CI, dvc repro in a pipe) rich is not loaded; on one it is."""
    monkeypatch.setitem(sys.modules, "rich.progress", None)  # importing it now fails
    assert list(progress(numbers(), "tellen")) == [0, 1, 2, 3, 4]
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    with pytest.raises(ImportError):
        list(progress(numbers(), "tellen"))


def test_resolve_say_keeps_the_callers_callback():
    heard = []

    def say(message, warn=False):
        heard.append((message, warn))

    assert resolve_say(say, logging.getLogger("x")) is say


def test_resolve_say_without_a_callback_logs_info_and_warnings(caplog):
    log = logging.getLogger("samenspel.test")
    say = resolve_say(None, log)
    with caplog.at_level(logging.INFO, logger="samenspel.test"):
        say("klaar")
        say("let op", warn=True)
    assert [(r.levelno, r.getMessage()) for r in caplog.records] == [
        (logging.INFO, "klaar"), (logging.WARNING, "let op")]


def test_the_progress_bar_writes_to_stderr_not_stdout(monkeypatch, capsys):
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    assert list(progress(range(3), "tellen", total=3)) == [0, 1, 2]
    assert capsys.readouterr().out == ""
