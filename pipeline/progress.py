"""Telling the user how a stage goes: progress bars for long work and the `say` callback.

Progress bars are rich on a terminal and silent in logs and CI. Every stage takes a
`say(message, warn=False)` callback for its summary line and warnings: the CLI passes
one that prints (warnings on stderr); tests and library callers may pass none, and then
the stage's own logger gets the messages.
"""

from __future__ import annotations

import logging
import sys
from typing import Callable, Iterable, Iterator, TypeVar

T = TypeVar("T")

#: The callback for a stage's summary line and warnings: ``say(message, warn=False)``.
Say = Callable[..., None]


def resolve_say(say: Say | None, log: logging.Logger) -> Say:
    """`say`, or, when the caller gave none, one that sends the messages to `log`.

    A warning (``warn=True``) is logged as a warning, anything else as info, so a library
    caller without a console still sees what a stage warns about.
    """
    if say is not None:
        return say

    def log_say(message: str, warn: bool = False) -> None:
        (log.warning if warn else log.info)(message)

    return log_say


def progress(items: Iterable[T], description: str, total: int | None = None) -> Iterator[T]:
    """Iterate with a progress bar on stderr when it is a terminal."""
    if not sys.stderr.isatty():
        yield from items
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    # rich's default console is stdout; the bar belongs with the messages on stderr, so that
    # stdout (a CSV from `samenspel classify`, say) stays clean when it is redirected.
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(description, total=total)
        for item in items:
            yield item
            bar.advance(task)
