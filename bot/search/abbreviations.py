"""Abbreviations the library defines, spelled out in a question's word search.

Staff write "DSL", "LADO", "EHE"; statutory guidance defines each once ("designated safeguarding
lead (DSL)") and then mostly writes it out in full. A word search for "dsl" then misses the
paragraphs that say "designated safeguarding lead", and the small embedding model knows few of
these abbreviations. So the library's own definitions are found when it is loaded (the
Schwartz-Hearst rule: the letters of the abbreviation, matched right to left in the words just
before the brackets, the first one opening a word), and an abbreviation in a question is followed
by its definition in the text given to BM25 only. Nothing here is a word list of one library.

Only abbreviations the library writes out more often than it uses them are spelled out: where a
document uses its own abbreviation throughout (the news stories' "IWF", Working together's
"LADO"), the word search already finds it, and adding the long form would only weigh the name
over the rest of the question. A lower-case word of a question is taken for an abbreviation only
when the library never uses it as an ordinary word ("dsl" yes; "send", "us" no).

The PyPI package `abbreviations` implements the same rule, but configures the root logger when
imported, which a server must not let a dependency do; the rule itself is the few lines below.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

_BRACKETED = re.compile(r"\(([A-Za-z][A-Za-z]{1,9})\)")
_BEFORE = re.compile(r"[^()\n.;:!?]*$")  # the words between the sentence's start and the bracket
_WORD = re.compile(r"[A-Za-z]+")
MAX_DEFINITION_WORDS = 8


def _short_form(token: str) -> str | None:
    """"PRUs" -> "PRU"; None when the bracketed word is not an abbreviation (two capitals at least)."""
    if len(token) > 2 and token.endswith("s") and token[:-1].isupper():
        token = token[:-1]
    return token if sum(c.isupper() for c in token) >= 2 else None


def long_form(short: str, before: str) -> str | None:
    """The definition of `short` ending `before`, by Schwartz and Hearst's rule, or None.

    Each letter of the abbreviation, from the last, is found leftwards in the text; the first
    letter must open a word. The definition runs from that word to the end.
    """
    words = before.split()
    window = " ".join(words[-min(len(short) + 5, 2 * len(short)):])
    s, i = len(short) - 1, len(window) - 1
    while s >= 0:
        c = short[s].lower()
        while i >= 0 and (window[i].lower() != c or (s == 0 and i > 0 and window[i - 1].isalnum())):
            i -= 1
        if i < 0:
            return None
        i -= 1
        s -= 1
    definition = window[i + 1:].strip()
    return definition if 2 <= len(definition.split()) <= MAX_DEFINITION_WORDS else None


def find_abbreviations(texts: Iterable[str]) -> dict[str, str]:
    """lower-case abbreviation -> its definition, for those the library mostly writes out in full."""
    texts = [re.sub(r"\s+", " ", t) for t in texts]
    found: dict[str, Counter] = {}
    for text in texts:
        for match in _BRACKETED.finditer(text):
            short = _short_form(match.group(1))
            before = _BEFORE.search(text[max(0, match.start() - 300):match.start()])
            definition = long_form(short, before.group(0)) if short and before else None
            if definition:
                found.setdefault(short.lower(), Counter())[definition] += 1
    lowered = " ".join(texts).lower()
    words = Counter(_WORD.findall(lowered))
    table = {}
    for short, definitions in found.items():
        definition = definitions.most_common(1)[0][0]
        if lowered.count(definition.lower()) > words[short] + words[f"{short}s"]:
            table[short] = definition
    return table


@dataclass(frozen=True)
class AbbreviationExpander:
    """Follows each abbreviation of a question with the library's definition, for the word search."""

    table: dict[str, str]
    library_words: frozenset[str]  # lower-case words the library uses as ordinary words

    @classmethod
    def from_texts(cls, texts: Iterable[str]) -> AbbreviationExpander:
        texts = list(texts)
        words = frozenset(w for t in texts for w in re.findall(r"\b[a-z]+\b", t))
        return cls(find_abbreviations(texts), words)

    def __call__(self, question: str) -> str:
        if not self.table:
            return question
        added = []
        for token in _WORD.findall(question):
            key = token.lower()
            key = key[:-1] if key not in self.table and key.endswith("s") else key
            if key in self.table and (sum(c.isupper() for c in token) >= 2 or
                                      (len(key) >= 3 and token.lower() not in self.library_words)):
                added.append(self.table[key])
        return f"{question} ({'; '.join(added)})" if added else question
