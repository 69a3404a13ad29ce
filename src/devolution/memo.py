"""Values derived once from data that changes seldom, dropped together when it changes."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

#: Values a memo keeps at most (the least recently used go first): a web server asked about many
#: measures, years and boundaries must not grow without bound.
MAX_VALUES = 256


class Memo:
    """``get(key, build)`` calls ``build()`` once per key until :meth:`forget` (or until the key is
    the least recently used of more than ``max_values``); safe across threads (two threads may build
    the same key at once: the first value kept is the one returned). A value built while
    :meth:`forget` ran is returned but not kept."""

    def __init__(self, max_values: int = MAX_VALUES) -> None:
        self.max_values = max_values
        self._values: OrderedDict = OrderedDict()
        self._lock = threading.Lock()
        self._generation = 0      # counts the times the values were dropped

    def get(self, key: Hashable, build: Callable[[], object]):
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return self._values[key]
            generation = self._generation
        value = build()
        with self._lock:
            if generation == self._generation:
                value = self._values.setdefault(key, value)
                while len(self._values) > self.max_values:
                    self._values.popitem(last=False)
        return value

    def forget(self) -> None:
        with self._lock:
            self._values.clear()
            self._generation += 1
