"""Answer composition: pure functions that turn ranked passages into quotable, citable items.

Nothing here writes prose: a quote is the passage text exactly as it stands in the cleaned
document. Which sentence to highlight is the answerability judgement's (answerability.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.library.passages import Passage

_WORDS = re.compile(r"\w+")


def word_set(text: str) -> frozenset[str]:
    return frozenset(w.lower() for w in _WORDS.findall(text))


def near_duplicate(a: str, b: str, threshold: float) -> bool:
    """Two passages say the same thing when most of the smaller one's words are in the other.

    Containment rather than Jaccard: a short quote repeated inside a longer passage is still a
    repeat, even though the longer one has many more words.
    """
    words_a, words_b = word_set(a), word_set(b)
    smaller = min(len(words_a), len(words_b))
    return smaller > 0 and len(words_a & words_b) / smaller >= threshold


def pick_passages(ranked: Iterable[Passage], limit: int, threshold: float) -> list[Passage]:
    """The best `limit` passages in rank order, skipping any that repeats one already picked."""
    chosen: list[Passage] = []
    for passage in ranked:
        if len(chosen) == limit:
            break
        if any(near_duplicate(passage.text, kept.text, threshold) for kept in chosen):
            continue
        chosen.append(passage)
    return chosen


def citation(publisher: str, title: str, date: str | None, passage: Passage) -> str:
    """Publisher, Title (date), paragraph N[-M][, page P]: enough to find the words by hand.

    `date` is the document's date, or the manifest's note on it when the exact date is unknown,
    so a reader can always tell how old the words are.
    """
    where = f"paragraph {passage.paragraph}"
    if passage.paragraph_end != passage.paragraph:
        where = f"paragraphs {passage.paragraph}-{passage.paragraph_end}"
    if passage.page is not None:
        where += f", page {passage.page}"
    return f"{publisher}, {title} ({date or 'date not stated'}), {where}"
