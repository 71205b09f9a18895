"""Is a question written in English? The documents and every message are English, so a question
in Welsh, Polish or Urdu gets a plain "this assistant answers in English" and the steps, never a
quote matched on a stray word.

A question counts as English when enough of its words are common English words, or most of them
are words the library itself uses (a keyword query such as "nudify app legal" has no common
words at all), or most of its longer words are whole words of the embedding model's English
vocabulary ("gcse maths grade boundaries last summer"). Short questions (under three words) are
taken as English: there is too little to tell.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")

COMMON_ENGLISH = frozenset("""
a about after all also am an and any are as at be because been before being but by can can't could
did do does doing don't down for from get got had has have having he her here him his how i i'm i've
if in into is isn't it it's its just know like may me might more most must my need no not now of off
on one only or other our out over own said say see she should so some still such tell than that the
their them then there these they this those through to too told up us very was wasn't we were what
when where which while who whom why will with without would you your yes ok please help thanks
""".split())


def looks_english(question: str, analyzer: Callable[[str], list[str]], known: Collection[str],
                  model_words: Collection[str] = frozenset()) -> bool:
    """`known`: the library's analysed terms; `model_words`: whole words of the model's vocabulary."""
    words = [w.lower().replace("’", "'") for w in _WORD.findall(question)]
    if len(words) < 3:
        return True
    common = sum(w in COMMON_ENGLISH for w in words) / len(words)
    terms = [t for w in words for t in analyzer(w)]
    familiar = sum(t in known for t in terms) / len(terms) if terms else 0.0
    longer = [w for w in words if len(w) >= 4]
    whole = sum(w in model_words for w in longer) / len(longer) if longer else 0.0
    return common >= 0.2 or familiar >= 0.5 or whole >= 0.5
