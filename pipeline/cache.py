"""A content-hash cache of per-passage results, so a new wave doesn't redo old ones.

Adding a survey wave re-runs the stages (DVC sees changed inputs), but passages whose
text has been through a stage before, with the same settings, the same code and the
same model, are read back instead of recomputed. The key of a result is the SHA-256
of the stage name, a fingerprint (settings, source code of the stage's modules, model
file hash) and the passage text; a change in any of them misses the cache.

The cache is a SQLite file per stage in `cache.dir` (git-ignored, not a DVC output):
it only saves time, it never changes a result. `cache.enabled: false` turns it off;
deleting the folder is always safe.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

import pipeline


def file_digest(*paths: str | Path) -> str:
    """SHA-256 over the bytes of files (e.g. a stage's modules or a model file)."""
    h = hashlib.sha256()
    for p in paths:
        h.update(Path(p).read_bytes())
    return h.hexdigest()


def module_digest(*modules: Any) -> str:
    return file_digest(*(m.__file__ for m in modules))


class ContentCache:
    """Per-text results of one stage under one fingerprint.

    Args:
        folder: cache folder, or None to disable caching.
        stage: stage name (one SQLite file per stage).
        fingerprint: anything JSON-serialisable that determines the result besides the text.
    """

    def __init__(self, folder: str | Path | None, stage: str, fingerprint: Any):
        self.folder = Path(folder) if folder else None
        self.stage = stage
        self.fingerprint = fingerprint
        self.hits = 0
        self.misses = 0
        self._prefix = hashlib.sha256(
            json.dumps([stage, pipeline.__version__, fingerprint], sort_keys=True, default=str).encode()
        ).digest()
        self._db: sqlite3.Connection | None = None
        if self.folder is not None:
            self.folder.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.folder / f"{stage}.sqlite")
            self._db.execute("CREATE TABLE IF NOT EXISTS results (key BLOB PRIMARY KEY, value TEXT NOT NULL)")

    def _key(self, text: str) -> bytes:
        return hashlib.sha256(self._prefix + text.encode("utf-8", "surrogatepass")).digest()

    def map(self, texts: Sequence[str], compute: Callable[[list[str]], Iterable[Any]]) -> list[Any]:
        """Results for `texts`: cached ones read back, the rest computed in one call and stored.

        `compute` gets the list of texts that missed and must return one JSON-serialisable
        result per text, in order.
        """
        results: list[Any] = [None] * len(texts)
        missing: list[int] = list(range(len(texts)))
        keys = [self._key(t) for t in texts]
        if self._db is not None:
            found: dict[bytes, str] = {}
            unique = list(dict.fromkeys(keys))
            for start in range(0, len(unique), 900):  # SQLite's limit on bound parameters
                chunk = unique[start:start + 900]
                rows = self._db.execute(f"SELECT key, value FROM results WHERE key IN ({','.join('?' * len(chunk))})",
                                        chunk)
                found.update(rows.fetchall())
            missing = []
            for i, k in enumerate(keys):
                if k in found:
                    results[i] = json.loads(found[k])
                else:
                    missing.append(i)
        self.hits = len(texts) - len(missing)
        self.misses = len(missing)
        if missing:
            computed = list(compute([texts[i] for i in missing]))
            if len(computed) != len(missing):
                raise RuntimeError(f"cache compute returned {len(computed)} results for {len(missing)} texts")
            for i, value in zip(missing, computed):
                results[i] = value
            if self._db is not None:
                with self._db:
                    self._db.executemany("INSERT OR REPLACE INTO results (key, value) VALUES (?, ?)",
                                         [(keys[i], json.dumps(v, ensure_ascii=False)) for i, v in zip(missing, computed)])
        return results

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
