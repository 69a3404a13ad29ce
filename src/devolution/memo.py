"""Values derived once from data that changes seldom, dropped together when it changes."""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable


class Memo:
    """``get(key, build)`` calls ``build()`` once per key until :meth:`forget`; safe across threads
    (two threads may build the same key at once: the first value kept is the one returned). A value
    built while :meth:`forget` ran is returned but not kept."""

    def __init__(self) -> None:
        self._values: dict = {}
        self._lock = threading.Lock()
        self._generation = 0      # counts the times the values were dropped

    def get(self, key: Hashable, build: Callable[[], object]):
        with self._lock:
            if key in self._values:
                return self._values[key]
            generation = self._generation
        value = build()
        with self._lock:
            if generation == self._generation:
                value = self._values.setdefault(key, value)
        return value

    def forget(self) -> None:
        with self._lock:
            self._values.clear()
            self._generation += 1
