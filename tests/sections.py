"""Which keys of a params.yaml section a stage's `Config.from_params` reads.

`from_params` gets the section wrapped in `Recorder`s, which note every key read (by
`[]` or `get`) under its dotted path. A mapping that is fetched and then iterated, or
fetched and kept whole (`topics.embedding.tfidf_svd` goes to the embedding backend as
it is), counts as read down to its leaves.
"""

from __future__ import annotations

import copy
from typing import Any, Callable


class Recorder(dict):
    def __init__(self, data: dict, path: str, log: dict[str, "Recorder | None"], named: set[str]):
        super().__init__(data)
        self._path, self._log, self._named = path, log, named

    def _wrap(self, key: Any, value: Any, named: bool = True) -> Any:
        path = f"{self._path}.{key}"
        if isinstance(value, dict) and not isinstance(value, Recorder):
            value = Recorder(value, path, self._log, self._named)
            dict.__setitem__(self, key, value)
        self._log[path] = value if isinstance(value, Recorder) else None
        if named:
            self._named.add(path)
        return value

    def __getitem__(self, key):
        return self._wrap(key, dict.__getitem__(self, key))

    def get(self, key, default=None):
        return self._wrap(key, dict.__getitem__(self, key)) if key in self else default

    def _all(self):
        for key in dict.keys(self):
            self._wrap(key, dict.__getitem__(self, key), named=False)

    def __iter__(self):
        self._all()
        return dict.__iter__(self)

    def keys(self):
        self._all()
        return dict.keys(self)

    def items(self):
        self._all()
        return [(k, dict.__getitem__(self, k)) for k in dict.keys(self)]

    def values(self):
        self._all()
        return [dict.__getitem__(self, k) for k in dict.keys(self)]


def dotted_keys(data: dict, path: str) -> set[str]:
    """Every key of a section and of the mappings in it, as `section.key.subkey`."""
    found = set()
    for key, value in dict.items(data):  # dict's own items: reading the keys here is not the stage reading them
        found.add(f"{path}.{key}")
        if isinstance(value, dict):
            found |= dotted_keys(value, f"{path}.{key}")
    return found


def keys_read(from_params: Callable[[dict], Any], data: dict, name: str, by_name: bool = False) -> set[str]:
    """The dotted keys of `data` that `from_params` reads (see the module docstring).

    With `by_name`, only the keys it asks for by name: not the entries of a mapping it
    iterates or keeps whole (such as `report.reference.shares`).
    """
    log: dict[str, Recorder | None] = {}
    named: set[str] = set()
    from_params(Recorder(copy.deepcopy(data), name, log, named))
    if by_name:
        return named
    read = set(log)
    for path, sub in log.items():
        if sub is not None and not any(p.startswith(path + ".") for p in log):  # kept whole
            read |= dotted_keys(sub, path)
    return read


def without(data: dict, dotted: str) -> dict:
    """A deep copy of the section `data` without the key at `dotted` (its first part is the section name)."""
    data = copy.deepcopy(data)
    *parents, last = dotted.split(".")[1:]
    target = data
    for p in parents:
        target = target[p]
    del target[last]
    return data
