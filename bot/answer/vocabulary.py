"""Related words: what staff type and what the documents say, for judging answers.

A teacher asks whether "a cartoon" counts; the guidance says "even if the imagery isn't
photorealistic". The groups in `prompts/vocabulary.toml` (reviewed by a safeguarding lead) let the
answerability judgement count such a question word as found in a sentence. They never change the
search ranking or the quoted text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from pathlib import Path

from bot.answer.prompts import PromptsError, read_toml
from bot.config import PROJECT_ROOT

DEFAULT_VOCABULARY_FILE = PROJECT_ROOT / "prompts" / "vocabulary.toml"

Related = Mapping[str, frozenset[str]]  # analysed term -> every analysed term of its groups
_TOKEN = re.compile(r"[^\W_][\w'’-]*")
_YEAR = re.compile(r"(19|20)\d\d")
# "passed round snapchat", "in whatsapp groups, e.g.": a platform named as where something happens
# is not what the question asks about
_MEDIUM = re.compile(r"\b(like|e\.?g\.?|such as|on|in|onto|round|around|via|over|through|across|from)\s+(a |an |the |their |his |her )?\W*$",
                     re.IGNORECASE)
# "a year 7's instagram photo", "the whatsapp group chat": a thing made on the platform
_ARTEFACT = re.compile(r"\s+(photos?|pics?|pictures?|posts?|groups?|group chats?|chats?|messages?|stories|story|videos?|"
                       r"dms?|selfies?|images?|live|streams?|snaps?|reels?|profiles? (pic|picture|photo))\b", re.IGNORECASE)
_SENTENCE_START = (".", "?", "!", ":", ";", "-", "(", '"', "“")
_FIRST_PERSON = re.compile(r"I(['’](m|ve|d|ll))?")
# the asker's own guess at the answer, closing the question: "who wrote it? was it the DfE?"
_GUESS = re.compile(r"[?,;:.\s-]\s*(?:or\s+)?(?:is|was|were|are)\s+(?:it|they|that)\s+(?:the\s+|a\s+|an\s+)?[^?.!]{1,40}?\?*\s*$",
                    re.IGNORECASE)


@dataclass(frozen=True)
class Vocabulary:
    related: Related
    school_words: frozenset[str]  # analysed terms of words about the asker's own school
    # names staff often type in lower case ("tiktok", "snapchat"), as typed
    lower_case_names: frozenset[str] = frozenset()


def names_in(question: str) -> list[str]:
    """Words that name something: a capitalised word not opening a sentence, an abbreviation in
    capitals (unless it glosses the words before it, in brackets), or a year. "Ofcom", "KCSIE",
    "2022"; not "Is", "I", "I'm", "cartoon" or the "(FII)" of "fabricated or induced illness (FII)"."""
    found = []
    for number, match in enumerate(_TOKEN.finditer(question)):
        word = match.group()
        opening = number == 0 or question[:match.start()].rstrip().endswith(_SENTENCE_START)
        capitalised = word[0].isupper() and not opening and not _FIRST_PERSON.fullmatch(word)
        # "(FII)" after the words it stands for is the asker's own gloss, not a name to look up
        gloss = question[match.start() - 1:match.start()] == "(" and question[match.end():match.end() + 1] == ")"
        abbreviation = len(word) >= 2 and word.isupper() and word.isalpha() and not gloss
        if capitalised or abbreviation or _YEAR.fullmatch(word):
            found.append(word)
    return found


def name_terms(question: str, analyzer: Callable[[str], list[str]],
               vocabulary: Vocabulary) -> list[tuple[str, list[str]]]:
    """Each name in a question with its analysed terms, the asker's own school words left out, and
    the asker's closing guess at the answer ("... was it the DfE?") too: it names what the asker
    thinks, not what is asked."""
    question = _GUESS.sub("", question)
    words = names_in(question)
    words += [m.group() for m in _TOKEN.finditer(question) if m.group().casefold() in vocabulary.lower_case_names
              and m.group() not in words and not _MEDIUM.search(question[:m.start()])
              and not _ARTEFACT.match(question[m.end():])]
    return [(word, [t for t in analyzer(word) if t not in vocabulary.school_words]) for word in words]


def unknown_names(question: str, analyzer: Callable[[str], list[str]], known: Collection[str],
                  vocabulary: Vocabulary) -> list[str]:
    """The names in a question that neither the library (`known` terms) nor a related word uses."""
    unknown = []
    for word, terms in name_terms(question, analyzer, vocabulary):
        if terms and all(t not in known and not any(r in known for r in vocabulary.related.get(t, ()))
                         for t in terms):
            unknown.append(word)
    return unknown


def load_vocabulary(path: Path, analyzer: Callable[[str], list[str]]) -> Vocabulary:
    """Read and check the groups and school words, folding each word as the search analyzer does."""
    data = read_toml(path)
    school = data.get("school_words", [])
    if not isinstance(school, list) or not all(isinstance(w, str) and w.strip() for w in school):
        raise PromptsError(f"{path}: 'school_words' must be a list of words")
    groups = data.get("groups")
    if not isinstance(groups, list) or not all(
            isinstance(g, list) and len(g) >= 2 and all(isinstance(w, str) and w.strip() for w in g) for g in groups):
        raise PromptsError(f"{path}: 'groups' must be a list of groups of at least two words")
    related: dict[str, set[str]] = {}
    for number, group in enumerate(groups, start=1):
        terms = set()
        for word in group:
            folded = analyzer(word)
            if len(folded) != 1:
                raise PromptsError(f"{path}: group {number}: {word!r} must be one word that is not a stop word")
            terms.add(folded[0])
        for term in terms:
            related.setdefault(term, set()).update(terms)
    school_terms = frozenset(t for word in school for t in analyzer(word))
    lower = data.get("lower_case_names", [])
    if not isinstance(lower, list) or not all(isinstance(w, str) and w.strip() and " " not in w.strip() for w in lower):
        raise PromptsError(f"{path}: 'lower_case_names' must be a list of single words")
    return Vocabulary({term: frozenset(terms) for term, terms in related.items()}, school_terms,
                      frozenset(w.strip().casefold() for w in lower))
