"""Worker processes that start small, whatever their parent holds.

A pool forked from a large process (a site build at a province holds ~0.5 GB when it re-checks
the files written after its clock) gives each worker its parent's pages: shared at first, copied
as soon as the worker touches them (a reference count is a write), so two workers could add up to
twice the parent. Workers are therefore *spawned*: a fresh interpreter that imports only what its
task needs (about 0.3 s to start, once per pool).
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Callable


def pool(workers: int, initializer: Callable[..., Any] | None = None,
         initargs: tuple[Any, ...] = ()) -> ProcessPoolExecutor:
    """A process pool of ``workers`` spawned workers (each runs ``initializer(*initargs)`` first)."""
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=initializer, initargs=initargs)
