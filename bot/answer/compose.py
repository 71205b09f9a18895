"""Answer composition: pure functions that turn ranked passages into quotable, citable items.

Nothing here writes prose: a quote is the passage text exactly as it stands in the cleaned
document, and the highlight is a pair of offsets inside it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence

from bot.library.passages import Passage, sentence_spans

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


def best_sentence(quote: str, query_terms: Sequence[str], analyzer: Callable[[str], list[str]],
                  idf: Mapping[str, float]) -> tuple[int, int]:
    """[start, end) within `quote` of the sentence that shares the most query meaning.

    Each sentence scores the idf of the distinct query terms it contains (rare words such as
    "nudify" count for more than "school"), divided by the square root of its length so a long
    sentence does not win by size alone. Ties go to the earlier sentence; no match at all
    highlights the first sentence, which opens the quote.
    """
    spans = sentence_spans(quote)
    if not spans:
        return (0, len(quote))
    wanted = set(query_terms)
    best, best_score = spans[0], 0.0
    for start, end in spans:
        terms = analyzer(quote[start:end])
        if not terms:
            continue
        score = sum(idf.get(t, 0.0) for t in wanted & set(terms)) / math.sqrt(len(terms))
        if score > best_score:
            best, best_score = (start, end), score
    return best


def citation(publisher: str, title: str, date: str | None, passage: Passage) -> str:
    """Publisher, Title (date), paragraph N[-M][, page P]: enough to find the words by hand."""
    where = f"paragraph {passage.paragraph}"
    if passage.paragraph_end != passage.paragraph:
        where = f"paragraphs {passage.paragraph}-{passage.paragraph_end}"
    if passage.page is not None:
        where += f", page {passage.page}"
    return f"{publisher}, {title} ({date or 'date not stated'}), {where}"
