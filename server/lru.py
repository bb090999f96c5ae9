"""A cache of bodies bounded in bytes, least recently used dropped first: the server's caches of answers and of
rendered documents. A bound by count would hold as many of the largest bodies as of the smallest."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Generic, Protocol, TypeVar


class HasBody(Protocol):
    @property
    def body(self) -> bytes: ...


K = TypeVar("K")
V = TypeVar("V", bound=HasBody)


class BytesLRU(Generic[K, V]):
    """Values by key, never holding more than ``capacity`` bytes of their bodies (a value alone over it is not kept)."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.size = 0  # bytes of the values held, by their weight
        self._items: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()  # the server's threads share one cache

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: K) -> V | None:
        """The value kept for ``key``, marked as recently used."""
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def weight(self, value: V) -> int:
        """The bytes ``value`` counts for: its body's."""
        return len(value.body)

    def put(self, key: K, value: V) -> None:
        """Keep ``value`` unless it alone is over the bound; drop the least recently used until it fits."""
        weight = self.weight(value)
        if weight > self.capacity:
            return
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self.size -= self.weight(old)
            self._items[key] = value
            self.size += weight
            while self.size > self.capacity:
                _, dropped = self._items.popitem(last=False)
                self.size -= self.weight(dropped)
