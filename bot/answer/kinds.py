"""Question kinds: what kind of statement answers a question ("is it illegal?" -> a law).

Read from `prompts/question_kinds.toml`, where a safeguarding lead can see every pattern. A kind
orders the answering sentences (answerability.py); it never decides alone whether one answers.
A kind marked `required` ("how long do we keep ...?") is answered only by a sentence that states
one of the question's required kinds (a time), and that sentence must clear the bar on its own
meaning and words: a sentence on the question's topic that gives no time does not say how long,
and a sentence that gives a time on another topic does not either. A kind the question also has
that is not required does not stand in for it: "how much of our council tax goes to the Police and
Crime Commissioner?" (money, and "crime" reads as a legality question) was answered by a sentence
on a crime (until 2026-12-01; on the dev splits, seeds + Part one out of scope refused 0.897 ->
0.907, an answerable question's highlight found; the 585-page library and the news seeds' test
split unchanged).
A question may also ask for a thing by name ("which constituency ...?", "what's the title of
...?", `[asked_for]`): only a sentence that uses that word may answer.
Two kinds of sentence answer nothing: a statement of what the document itself is for ("1.1 This
procedure tells all staff ... what to do if ..."), which shares the words of every question about
the document's subject and was quoted first for them, unless the question asks what the
document covers; and a signpost ("See [another guide] for links to all materials"), which
points elsewhere, unless the question asks where to find something.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bot.answer.prompts import PromptsError, any_of, as_typed, compile_patterns, read_toml
from bot.config import PROJECT_ROOT

DEFAULT_KINDS_FILE = PROJECT_ROOT / "prompts" / "question_kinds.toml"


@dataclass(frozen=True)
class QuestionKind:
    name: str
    question: tuple[re.Pattern, ...]
    sentence: tuple[re.Pattern, ...]
    required: bool = False  # only a sentence that states it may answer
    # the passages of the library's sentences that state it, nearest the question, are judged too
    candidates: bool = False
    # among the passages that answer, those whose sentence states it are shown first
    first: bool = True
    # an age limit: the sentence states it only where a limit it sets decides an age the question
    # asks about (the patterns' `age`, `under`, `over`, `low` and `high` groups)
    ages: bool = False
    # asks for a fact however it is phrased: the ordinary bar applies, not the "what do I do" one
    factual: bool = False
    # the question's and the sentence's patterns as one each, searched once (kept in step here)
    asks: re.Pattern = field(init=False, repr=False, compare=False)
    stated: re.Pattern = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "asks", any_of(self.question))
        object.__setattr__(self, "stated", any_of(self.sentence))


@dataclass(frozen=True)
class QuestionKinds:
    kinds: tuple[QuestionKind, ...] = ()
    # "what is our school's policy on ...?": answered only by the school's own policy
    own_policy: tuple[re.Pattern, ...] = ()
    own_policy_not: tuple[re.Pattern, ...] = ()  # "what should our policy say ...?" is not one
    # a sentence about the document itself, and the questions it may still answer (its scope)
    about_document: tuple[re.Pattern, ...] = ()
    about_document_asked: tuple[re.Pattern, ...] = ()
    # a sentence that points elsewhere, and the questions it may still answer ("where can I find ...?")
    signpost: tuple[re.Pattern, ...] = ()
    signpost_asked: tuple[re.Pattern, ...] = ()
    # "which constituency ...?", "what's the title of ...?": the words the question asks for (the
    # patterns' first group), and words an answer seldom repeats ("which groups ...?")
    asked_for: tuple[re.Pattern, ...] = ()
    asked_not: frozenset[str] = frozenset()
    asked_values: frozenset[str] = frozenset()  # asked-for words that a number answers ("hours")

    def asked_words(self, question: str) -> list[str]:
        """The words naming what the question asks for: "constituency" in "which constituency is
        she the MP for?", "title" in "what's the title of her book?", "director" and "general"
        in "who is the director general of ...?". None where the word asked for is one an
        answer seldom repeats (`asked_not`: "which groups ...?" is answered by naming them)."""
        text = as_typed(question).casefold()
        found = []
        for pattern in self.asked_for:
            for match in pattern.finditer(text):
                words = match.group(1).split()
                # "which parts of KCSIE": the parts are asked for, not KCSIE
                if "of" in words[1:]:
                    words = words[:words.index("of")]
                if words[-1] not in self.asked_not:
                    found.extend(w for w in words if w not in self.asked_not)
        return found

    def asks_scope(self, question: str) -> bool:
        """Does the question ask what a document covers or whom it is for?"""
        return any(p.search(question) for p in self.about_document_asked)

    def about_the_document(self, sentence: str) -> bool:
        """Is the sentence a statement of what its own document is for or covers?"""
        return any(p.search(sentence) for p in self.about_document)

    def asks_where(self, question: str) -> bool:
        """Does the question ask where to find something (a link, materials, more information)?"""
        return any(p.search(question) for p in self.signpost_asked)

    def points_elsewhere(self, sentence: str) -> bool:
        """Is the sentence a signpost to another source ("See ... for ...", "Further information
        is available ...")?"""
        return any(p.search(sentence) for p in self.signpost)

    def asks_own_policy(self, question: str) -> bool:
        """Does the question ask what the school's own policy says? National guidance cannot
        answer that: it says what a policy should hold, not what this school's holds."""
        text = as_typed(question)
        return any(p.search(text) for p in self.own_policy) and not any(p.search(text) for p in self.own_policy_not)

    def of(self, question: str) -> tuple[QuestionKind, ...]:
        """The kinds a question asks for."""
        return tuple(k for k in self.kinds if k.asks.search(question))

    @staticmethod
    def words(kinds: Sequence[QuestionKind], question: str) -> list[str]:
        """The question's words that ask for one of `kinds` ("crime" in "is it a crime to ...")."""
        return [m.group() for k in kinds for p in k.question for m in p.finditer(question)]

    @staticmethod
    def required(kinds: Sequence[QuestionKind]) -> tuple[QuestionKind, ...]:
        """Those of `kinds` that only a sentence stating them may answer."""
        return tuple(k for k in kinds if k.required)

    @staticmethod
    def ages_asked(kinds: Sequence[QuestionKind], question: str) -> frozenset[int]:
        """The ages a question asks about ("17" in "do 17 year olds count?"), by its age kinds."""
        return frozenset(int(m.group("age")) for k in kinds if k.ages for p in k.question
                         for m in p.finditer(question) if m.groupdict().get("age"))

    @staticmethod
    def states(kinds: Sequence[QuestionKind], sentence: str, ages: frozenset[int] = frozenset()) -> bool:
        """Does the sentence state what one of `kinds` asks for? An age limit only where it decides
        one of `ages`: "under the age of 18" for a 17- or an 18-year-old, never "under 13" for a
        15-year-old."""
        return any(_decides(k, sentence, ages) if k.ages else bool(k.stated.search(sentence)) for k in kinds)


def _decides(kind: QuestionKind, sentence: str, ages: frozenset[int]) -> bool:
    """Does a limit the sentence sets ("under 18", "over 16", "aged 10 to 17") say whether an
    age in `ages` falls within it? An age at the limit itself counts: "under 18" tells whether an
    18-year-old is covered."""
    for pattern in kind.sentence:
        for match in pattern.finditer(sentence):
            found = {name: int(value) for name, value in match.groupdict().items() if value}
            low = found.get("low", found.get("over", 0))
            high = found.get("high", found.get("under", 200))
            if any(low <= age <= high for age in ages):
                return True
    return False


def load_kinds(path: Path = DEFAULT_KINDS_FILE) -> QuestionKinds:
    """Read and check the kinds: each has a name and two non-empty lists of valid patterns."""
    data = read_toml(path)
    entries = data.get("kind", [])
    if not isinstance(entries, list):
        raise PromptsError(f"{path}: [[kind]] entries expected")
    kinds = []
    own = data.get("own_policy", {})
    if not isinstance(own, dict):
        raise PromptsError(f"{path}: [own_policy] must be a table")
    own_patterns = compile_patterns(own["question"], f"{path}: [own_policy]", "question") if own else ()
    own_not = compile_patterns(own["not_when"], f"{path}: [own_policy]", "not_when") if own.get("not_when") else ()
    about_patterns = _sentence_rule(data, "about_the_document", path)
    asked = data.get("asked_for", {})
    asked_patterns = compile_patterns(asked["question"], f"{path}: [asked_for]", "question") if asked else ()
    asked_not = frozenset(w.casefold() for w in asked.get("not_words", []))
    asked_values = frozenset(w.casefold() for w in asked.get("value_words", []))
    signpost_patterns = _sentence_rule(data, "signpost", path)
    for number, entry in enumerate(entries, start=1):
        name = entry.get("name") if isinstance(entry, dict) else None
        if not isinstance(name, str) or not name.strip():
            raise PromptsError(f"{path}: kind {number} needs a name")
        flags = {key: entry.get(key, default) for key, default in (("required", False), ("candidates", False),
                                                                   ("first", True), ("ages", False),
                                                                   ("factual", False))}
        for key, value in flags.items():
            if not isinstance(value, bool):
                raise PromptsError(f"{path}: kind {name!r}: {key!r} must be true or false")
        kinds.append(QuestionKind(name.strip(), *(compile_patterns(entry.get(key), f"{path}: kind {name!r}", key)
                                                  for key in ("question", "sentence")), **flags))
    return QuestionKinds(tuple(kinds), own_patterns, own_not, *about_patterns, *signpost_patterns, asked_patterns,
                         asked_not, asked_values)


def _sentence_rule(data: dict, section: str, path: Path) -> tuple[tuple[re.Pattern, ...], tuple[re.Pattern, ...]]:
    """An optional `[section]` of sentences that never answer (`sentence`) unless the question asks
    for them (`unless_question`): both pattern lists, or two empty ones where the file has none."""
    table = data.get(section, {})
    if not isinstance(table, dict):
        raise PromptsError(f"{path}: [{section}] must be a table")
    if not table:
        return (), ()
    sentence, asked = (compile_patterns(table.get(key), f"{path}: [{section}]", key)
                       for key in ("sentence", "unless_question"))
    return sentence, asked
