"""Worker pools start small: forked from a small process, spawned from a large one."""

from __future__ import annotations

import pytest

from yuqing import workers


def _square(value: int) -> int:
    return value * value


@pytest.mark.parametrize("limit", [1 << 40, 0])
def test_a_pool_forks_when_the_process_is_small_and_spawns_when_it_is_large(
        limit: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """A site build at a province holds ~0.7 GB: a forked worker would copy it (measured: three times
    the build's memory with two workers); a small `yuqing` command forks (any script works)."""
    monkeypatch.setattr(workers, "FORK_BELOW", limit)
    expected = "fork" if limit else "spawn"
    assert workers.start_method() == expected
    with workers.pool(2) as pool:
        assert pool._mp_context.get_start_method() == expected  # type: ignore[attr-defined]
        assert list(pool.map(_square, range(5))) == [0, 1, 4, 9, 16]
