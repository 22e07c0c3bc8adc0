"""Splitting a sequence into batches: the one ``chunks`` for API batch sizes and database statements alike."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")


def chunks(items: Sequence[T], size: int) -> Iterator[list[T]]:
    """``items`` in lists of at most ``size``, in order."""
    if size < 1:
        raise ValueError("a batch holds at least one item")
    for start in range(0, len(items), size):
        yield list(items[start : start + size])
