"""deduce: its engine for person names and its lookup lists for the name rules.

Only deduce's person annotations are used; its locations and institutions are ignored,
because municipality and region names must survive for the document scan. The lists
(first names, surnames, places, common words) are read from the files deduce ships, so
the rule layer in `names` works with deduce's engine switched off too.
"""

from __future__ import annotations

import gc
import logging
import os
import time
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from pipeline.errors import SamenspelError
from pipeline.scrub.placeholders import Span

log = logging.getLogger(__name__)


@contextmanager
def _quiet_import():
    """deduce calls logging.basicConfig(level=DEBUG) on import; undo that side effect."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        yield
    finally:
        for h in root.handlers[:]:
            if h not in handlers:
                root.removeHandler(h)
        root.setLevel(level)


@lru_cache(maxsize=1)
def name_lists() -> dict[str, frozenset[str]]:
    """Deduce's lookup lists (first names, surnames, places, common words), lowercased.

    Read from the list files shipped with deduce, which takes a second, not from its
    prebuilt structures, so the rule layer works with `use_deduce=False` too. Empty sets
    when deduce is not installed.
    """
    try:
        with _quiet_import():
            from deduce.deduce import _LOOKUP_LIST_PATH
            from deduce.lookup_structs import load_raw_itemset
    except ImportError:
        return {k: frozenset() for k in ("first", "surname", "place", "common")}
    src = Path(_LOOKUP_LIST_PATH) / "src"

    def load(*parts: str) -> frozenset[str]:
        return frozenset(s.lower() for s in load_raw_itemset(src.joinpath(*parts)))

    return {
        "first": load("names", "lst_first_name"),
        "surname": load("names", "lst_surname") | load("names", "lst_interfix_surname"),
        "place": load("locations", "lst_placename"),
        "common": load("whitelist", "lst_common_word") | load("whitelist", "lst_stop_word"),
    }


_DEDUCE_PERSON_TAGS = ("persoon", "patient", "naam", "initia")


@lru_cache(maxsize=1)
def load_deduce():
    """The deduce engine, built once per process.

    The first build in an environment is slow (benchmarks/results.md has the timings);
    deduce then caches its lookup structures as a pickle in its package folder
    (`deduce/data/lookup/cache/`), or, when that is read-only, in
    ~/.cache/samenspel/deduce, and later loads read that pickle.
    """
    try:
        with _quiet_import():
            from deduce import Deduce
            from deduce.deduce import _LOOKUP_LIST_PATH
    except ImportError:
        raise SamenspelError("deduce is niet geïnstalleerd",
                             hint="pip install deduce==3.0.6, of zet scrub.deduce: false") from None
    cache = Path(_LOOKUP_LIST_PATH)
    if not _writable(cache / "cache"):
        cache = Path.home() / ".cache" / "samenspel" / "deduce"
        cache.mkdir(parents=True, exist_ok=True)
    if not (cache / "cache" / "lookup_structs.pickle").exists():
        log.warning("deduce bouwt eenmalig zijn opzoekstructuren (± 80 s); daarna staan ze in %s", cache / "cache")
    t0 = time.perf_counter()
    # deduce's lookup tries are millions of small objects that live as long as the process.
    # Unpickling them with the collector on triggers collection after collection over the
    # growing heap, which takes several times as long. Afterwards they are moved out of the
    # collector's reach, which keeps later full collections cheap and saves garbage
    # collection at interpreter exit (timings in benchmarks/results.md).
    enabled = gc.isenabled()
    gc.disable()
    try:
        engine = Deduce(cache_path=cache)
    finally:
        if enabled:
            gc.enable()
    gc.collect()
    gc.freeze()
    log.info("deduce geladen in %.0f s (cache: %s)", time.perf_counter() - t0, cache / "cache")
    return engine


def _writable(folder: Path) -> bool:
    return folder.is_dir() and os.access(folder, os.W_OK)


def find_deduce_names(text: str, engine=None) -> list[Span]:
    """Person-name annotations from deduce (tags 'persoon', 'patient' and name variants)."""
    engine = engine or load_deduce()
    doc = engine.deidentify(text)
    return [Span(a.start_char, a.end_char, "NAAM") for a in doc.annotations
            if any(t in a.tag for t in _DEDUCE_PERSON_TAGS) and "pseudo" not in a.tag]
