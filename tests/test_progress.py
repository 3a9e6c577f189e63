"""pipeline.progress: the `say` callback a stage falls back to when its caller gives none."""

from __future__ import annotations

import logging

from pipeline.progress import resolve_say


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
