"""Memory a site build let go is given back before Pagefind starts (``yuqing.memory.release``)."""

from __future__ import annotations

import gc
import weakref


class Node:
    def __init__(self) -> None:
        self.other: Node | None = None


def test_garbage_frozen_by_a_cache_load_is_freed_by_release() -> None:
    """Reading the check cache freezes what is alive (so that later collections skip the records it
    loaded); a cycle let go after such a freeze is never freed by the collector, and a build that
    writes 100,000 pages makes many. ``release`` frees it, and keeps what is still used."""
    from yuqing import memory

    kept = Node()
    kept.other = Node()
    lost = Node()
    lost.other = Node()
    lost.other.other = lost  # a cycle: only the cycle collector frees it
    gone = weakref.ref(lost)
    gc.freeze()  # as cache._frozen does after every load
    try:
        del lost
        gc.collect()
        assert gone() is not None  # frozen: the collector does not see it
        memory.release()
        assert gone() is None
        assert kept.other is not None and isinstance(kept.other, Node)
    finally:
        gc.unfreeze()
