"""Memory a long run freed, given back to the system before a step that needs memory of its own.

A site build at a province gathers hundreds of MB (rows, deadlines, the download files' records),
then starts Pagefind, a process of its own of about a few hundred MB. What the build let go stays
in its process unless it is handed back: the garbage that reading the check cache froze (see
``cache._frozen``: objects frozen are never searched for cycles, so a cycle let go after a freeze
is never freed), and the C heap's free pages, which glibc keeps for later (``malloc_trim``).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
from functools import lru_cache
from typing import Any


@lru_cache(maxsize=1)
def _libc() -> Any:
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name) if name else None
    except OSError:
        return None


def release() -> None:
    """Free the garbage frozen so far and give the C heap's free pages back (glibc only; elsewhere
    only the garbage is freed). Costs one full collection (a second or two at 100,000 records)."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()  # what is alive now is kept out of later collections again, as the cache's loads do
    libc = _libc()
    trim = getattr(libc, "malloc_trim", None) if libc is not None else None
    if trim is not None:
        trim(0)
