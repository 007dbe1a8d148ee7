"""Worker processes that start small, whatever their parent holds.

A pool forked from a large process (a site build at a province holds ~0.7 GB when it re-checks
the files written after its clock) gives each worker its parent's pages: shared at first, copied
as soon as the worker touches them (a reference count is a write), so two workers could add up to
twice the parent. A parent that holds more than ``FORK_BELOW`` therefore *spawns* its workers: a
fresh interpreter that imports only what its task needs (about 0.3 s to start, once per pool; the
caller's main module must then be importable without side effects — ``if __name__ == "__main__"``,
as the ``yuqing`` and ``mkdocs`` commands are). A small parent (the ``yuqing`` commands) forks,
as Python does by default on Linux: quick, and safe for any script.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Callable

FORK_BELOW = 300 * 1024 * 1024
"""Resident bytes below which workers are forked."""


def _resident() -> int | None:
    """This process's resident bytes (Linux), else None."""
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def start_method() -> str:
    """How a pool made now starts its workers: "fork" for a small process where fork exists, else "spawn"."""
    resident = _resident()
    if resident is not None and resident < FORK_BELOW and "fork" in multiprocessing.get_all_start_methods():
        return "fork"
    return "spawn"


def pool(workers: int, initializer: Callable[..., Any] | None = None,
         initargs: tuple[Any, ...] = ()) -> ProcessPoolExecutor:
    """A process pool of ``workers`` workers (each runs ``initializer(*initargs)`` first), forked or
    spawned as ``start_method`` says."""
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(start_method()),
                               initializer=initializer, initargs=initargs)
