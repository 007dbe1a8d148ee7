"""Suggesting the nearest valid word for a typo (重要 -> 重大)."""

from __future__ import annotations

from difflib import SequenceMatcher
from typing import Iterable


def nearest(word: object, choices: Iterable[str], *, cutoff: float = 0.5) -> str | None:
    """The choice most like ``word``, if any is alike enough to be a typo of it.

    Chinese words are short, so one wrong character of two is still a likely
    typo (ratio 0.5); difflib's default cutoff of 0.6 would miss 重要 -> 重大.
    """
    if not isinstance(word, str) or not word:
        return None
    best, best_score = None, cutoff
    for choice in choices:
        if choice == word:
            return choice
        score = SequenceMatcher(None, word, choice).ratio()
        if score > best_score or (score == best_score and best is None):
            best, best_score = choice, score
    return best


def did_you_mean(word: object, choices: Iterable[str]) -> str:
    """' 是否应为“重大”?' or an empty string."""
    guess = nearest(word, list(choices))
    return f"是否应为“{guess}”?" if guess else ""


def listing(choices: Iterable[str], limit: int = 12) -> str:
    items = list(choices)
    shown = "、".join(items[:limit])
    return shown + (f" 等 {len(items)} 个" if len(items) > limit else "")
