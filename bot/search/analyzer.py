"""The BM25 analysis chain: lowercase, split into words, drop stop words, stem.

Mirrors Lucene's EnglishAnalyzer (the one behind the published Pyserini BM25 figures) closely
enough to compare with them: its 33-word stop list, possessive 's removal and the Porter stemmer.
"""

from __future__ import annotations

import re
from functools import lru_cache

import Stemmer

from bot.config import TokenizerSettings

# Lucene's EnglishAnalyzer.ENGLISH_STOP_WORDS_SET.
LUCENE_STOP_WORDS = frozenset(
    "a an and are as at be but by for if in into is it no not of on or such that the their then "
    "there these they this to was will with".split()
)
_STOP_LISTS = {"lucene": LUCENE_STOP_WORDS, "none": frozenset()}
_TOKEN = re.compile(r"\w+(?:['’]\w+)*")
_POSSESSIVE = re.compile(r"['’]s$")


class Analyzer:
    """Turns text into BM25 terms; one instance per tokenizer setting."""

    def __init__(self, settings: TokenizerSettings):
        if settings.stopwords not in _STOP_LISTS:
            raise ValueError(f"unknown stop word list {settings.stopwords!r}")
        if settings.stemmer not in ("porter", "english", "none"):
            raise ValueError(f"unknown stemmer {settings.stemmer!r}")
        self.settings = settings
        self._stop = _STOP_LISTS[settings.stopwords]
        self._stemmer = None if settings.stemmer == "none" else Stemmer.Stemmer(settings.stemmer)
        self._stem = lru_cache(maxsize=50_000)(self._stem_uncached)  # bounded: questions add new words

    def _stem_uncached(self, word: str) -> str:
        return self._stemmer.stemWord(word) if self._stemmer else word

    def __call__(self, text: str) -> list[str]:
        terms = []
        for match in _TOKEN.finditer(text.lower()):
            word = _POSSESSIVE.sub("", match.group()).replace("’", "'")
            if word in self._stop:
                continue
            terms.append(self._stem(word))
        return terms
