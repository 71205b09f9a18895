"""Abbreviations the library defines or spells out, spelled out in a question's search.

Staff write "DSL", "LADO", "EHE"; statutory guidance defines each once ("designated safeguarding
lead (DSL)") and then mostly writes it out in full. A word search for "dsl" then misses the
paragraphs that say "designated safeguarding lead", and the small embedding model knows few of
these abbreviations. So the library's own definitions are found when it is loaded (the
Schwartz-Hearst rule: the letters of the abbreviation, matched right to left in the words just
before the brackets, the first one opening a word), and an abbreviation in a question is followed
by its definition in the text given to BM25. Nothing here is a word list of one library.

A library need not define an abbreviation to use its long form: KCSIE Part one never writes
"(DSL)" but says "designated safeguarding lead" throughout, and staff type "DSL". So an
abbreviation the library does not define is spelled out by the phrase whose words its letters
open, where the library keeps using one such phrase (at least three times, twice as often as any
other, and more often than the abbreviation itself). The answer stage also embeds the question
with the long form added, since the model cannot read "DSL" for what it stands for.

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
from dataclasses import dataclass, field

import numpy as np

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


MIN_INITIALS_USES = 3  # a phrase spelled by an abbreviation's letters must recur to be taken for it
MAX_SHORT = 6  # longer unknown words are typos or names, not abbreviations: not looked up
_TOKEN = re.compile(r"[a-z]+|[^a-z\s]+")  # words, and the punctuation that ends a phrase


@dataclass(frozen=True)
class LibraryWords:
    """The library's lower-cased words in order, punctuation kept as breaks, with the first letter of
    each as an array: the phrases a string of initials opens are found by comparing arrays, once per
    abbreviation, not by searching the whole text for each word a question holds."""

    tokens: tuple[str, ...]
    firsts: np.ndarray  # the first character of each token, as bytes
    counts: Counter  # how often each word is used

    @classmethod
    def of(cls, lowered: str) -> LibraryWords:
        tokens = tuple(_TOKEN.findall(lowered))
        firsts = np.frombuffer("".join(t[0] if t[0].isascii() else "#" for t in tokens).encode("ascii"), np.uint8)
        return cls(tokens, firsts, Counter(t for t in tokens if t.isalpha()))

    def phrases(self, short: str) -> Counter:
        """How often each run of len(short) words whose initials spell `short` is used."""
        n, size = len(short), len(self.tokens)
        if size < n:
            return Counter()
        hit = np.ones(size - n + 1, dtype=bool)
        for k, letter in enumerate(short):
            hit &= self.firsts[k:size - n + 1 + k] == ord(letter)
        return Counter(" ".join(self.tokens[i:i + n]) for i in np.flatnonzero(hit))


def spelled_by(short: str, words: LibraryWords) -> str | None:
    """The phrase of the library whose words' initials spell `short` ("dsl" -> "designated
    safeguarding lead"), where the library never defines it in brackets: the most frequent such
    phrase, used at least MIN_INITIALS_USES times, twice as often as the next, and more often than
    the abbreviation itself."""
    ranked = words.phrases(short).most_common(2)
    if not ranked:
        return None
    phrase, uses = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0
    own = words.counts[short] + words.counts[f"{short}s"]
    if uses >= MIN_INITIALS_USES and uses >= 2 * runner_up and uses > own:
        return phrase
    return None


@dataclass(frozen=True)
class AbbreviationExpander:
    """Follows each abbreviation of a question with the library's definition, for the word search."""

    table: dict[str, str]
    library_words: frozenset[str]  # lower-case words the library uses as ordinary words
    words: LibraryWords  # the whole library's words, for abbreviations it never defines
    by_initials: dict[str, str | None] = field(default_factory=dict)  # worked out once per abbreviation

    @classmethod
    def from_texts(cls, texts: Iterable[str]) -> AbbreviationExpander:
        texts = list(texts)
        words = frozenset(w for t in texts for w in re.findall(r"\b[a-z]+\b", t))
        return cls(find_abbreviations(texts), words, LibraryWords.of(" ".join(texts).lower()))

    def definition(self, token: str) -> str | None:
        """The library's long form of `token` when it is an abbreviation: one the library defines
        in brackets, or else one whose letters open the words of a phrase it keeps using."""
        key = token.lower()
        # "PRUs", "APs": the plural of one the library defines; "DSLs" of one it spells out ("NHS"
        # is three letters of its own)
        if key not in self.table and key.endswith("s") and (key[:-1] in self.table or len(key) > 3):
            key = key[:-1]
        capitals = sum(c.isupper() for c in token) >= 2
        if not capitals and (len(key) < 3 or token.lower() in self.library_words):
            return None
        if key in self.table:
            return self.table[key]
        if not 3 <= len(key) <= MAX_SHORT or not key.isalpha() or not key.isascii():
            return None
        if key not in self.by_initials:
            self.by_initials[key] = spelled_by(key, self.words)
        return self.by_initials[key]

    def __call__(self, question: str) -> str:
        added = [d for d in (self.definition(t) for t in _WORD.findall(question)) if d]
        return f"{question} ({'; '.join(added)})" if added else question
