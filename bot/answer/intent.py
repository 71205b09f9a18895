"""Intent: does a question ask what to do?

"Should I confiscate the phone?", "who do I ring?", "how do we record it?" ask for a procedure.
A news report never holds one, so a quote from it must not stand as the answer: the escalation
steps come first instead, and a passage is quoted only if it answers a factual part of the
question (see `answerability`). The classifier is a logistic regression over the question's
embedding, learnt at start-up from example questions a safeguarding lead can read and extend in
`prompts/intent_examples.toml`, with its settings in `prompts/intent.toml`. Its `[phrasing]`
patterns name the ways of asking that always ask what to do, whatever the topic: permission ("am
I allowed to delete it?") and process ("how do I report a website?", "is there a form?"). The
classifier, learning from the topic of its examples, read "are we allowed to delete it ourselves?"
as a question of fact, and a news sentence on the topic was quoted as the answer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.answer.classifier import LinearClassifier
from bot.answer.prompts import (
    PromptsError,
    as_typed,
    compile_patterns,
    read_classifier_section,
    read_question_lists,
    read_toml,
)
from bot.config import PROJECT_ROOT

DEFAULT_INTENT_FILE = PROJECT_ROOT / "prompts" / "intent.toml"


@dataclass(frozen=True)
class IntentExamples:
    what_to_do: tuple[str, ...]
    asks_a_fact: tuple[str, ...]


@dataclass(frozen=True)
class Intent:
    """The learnt model and the probability it needs to call a question a "what do I do" one."""

    model: LinearClassifier
    threshold: float
    phrasing: tuple[re.Pattern, ...] = ()  # ways of asking that always ask what to do

    def probability(self, vector: np.ndarray) -> float:
        return self.model.probability(vector)

    def asks_what_to_do(self, vector: np.ndarray, question: str = "") -> bool:
        """The classifier's reading of the question's embedding, or its phrasing (`question`)."""
        return self.phrased_as_what_to_do(question) or self.probability(vector) >= self.threshold

    def phrased_as_what_to_do(self, question: str) -> bool:
        text = as_typed(question)
        return any(p.search(text) for p in self.phrasing)


def load_examples(path: Path) -> IntentExamples:
    """Read and check the example questions: two non-empty lists of distinct, non-empty texts."""
    return IntentExamples(*read_question_lists(path, "what_to_do", "asks_a_fact"))


def load_intent(path: Path, encode: Callable[[Sequence[str]], np.ndarray]) -> Intent:
    """Settings and examples read and checked, then the model learnt (well under a second)."""
    content = read_toml(path)
    section = read_classifier_section(path, "model", content)
    if section is None:
        raise PromptsError(f"{path}: [model] section missing")
    examples_path, threshold, c = section
    phrasing_section = content.get("phrasing", {})
    if not isinstance(phrasing_section, dict):
        raise PromptsError(f"{path}: [phrasing] must be a table")
    phrasing = compile_patterns(phrasing_section.get("what_to_do"), f"{path}: [phrasing]", "what_to_do") \
        if phrasing_section else ()
    examples = load_examples(examples_path)
    vectors = encode([*examples.what_to_do, *examples.asks_a_fact])
    labels = np.array([1] * len(examples.what_to_do) + [0] * len(examples.asks_a_fact))
    return Intent(LinearClassifier.fit(vectors, labels, c), threshold, phrasing)
