"""Values kept for reuse: a bounded least-recently-used cache (:class:`Recent`), and values derived
once from data that changes seldom, dropped together when it changes (:class:`Memo`)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable

import cachetools

#: Values a memo keeps at most (the least recently used go first): a web server asked about many
#: measures, years and boundaries must not grow without bound.
MAX_VALUES = 256


class Recent:
    """A bounded least-recently-used cache of ``size`` entries (``cachetools.LRUCache``), safe to
    share between threads: ``get`` (None when absent), ``put``, ``clear``, ``len``."""

    def __init__(self, size: int):
        self._items, self._lock = cachetools.LRUCache(size), threading.Lock()

    def get(self, key):
        with self._lock:
            return self._items.get(key)

    def put(self, key, value):
        """Keep ``value`` under ``key`` unless a value is already kept there; the value kept."""
        with self._lock:
            return self._items.setdefault(key, value)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)


class Memo:
    """``get(key, build)`` calls ``build()`` once per key until :meth:`forget` (or until the key is
    the least recently used of more than ``max_values``); safe across threads (two threads may build
    the same key at once: the first value kept is the one returned). A value built while
    :meth:`forget` ran is returned but not kept."""

    def __init__(self, max_values: int = MAX_VALUES) -> None:
        self.max_values = max_values
        self._values = Recent(max_values)
        self._lock = threading.Lock()
        self._generation = 0      # counts the times the values were dropped

    def get(self, key: Hashable, build: Callable[[], object]):
        found = self._values.get(key)
        if found is not None:
            return found
        with self._lock:
            generation = self._generation
        value = build()
        with self._lock:
            if generation == self._generation:
                value = self._values.put(key, value)
        return value

    def forget(self) -> None:
        with self._lock:
            self._values.clear()
            self._generation += 1
