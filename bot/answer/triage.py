"""Triage: does a question signal a child at risk now?

Two parts, both fed by files a safeguarding lead can read in `prompts/`:
- patterns (`triage.toml`): crisis words; a situation happening now; something harmful; signs
  that the question is about policy, training or the past;
- a logistic regression over question embeddings, learnt at start-up from the example questions
  in `triage_examples.toml`, which catches situations worded unlike any pattern.
Crisis words are always urgent, and mark danger now (999 first); otherwise the model decides, and the patterns move the probability
it needs: down when a harmful situation is happening now, up when the question is about policy or
the past. Patterns deciding alone missed children, and raised false alarms, on questions worded
unlike the ones they were written from. The decision itself is a pure function of the
question, the rules and the model's probability.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from bot.answer.classifier import LinearClassifier
from bot.answer.prompts import (
    PromptsError,
    any_of,
    as_typed,
    compile_patterns,
    read_classifier_section,
    read_question_lists,
    read_toml,
)
from bot.config import PROJECT_ROOT

DEFAULT_TRIAGE_FILE = PROJECT_ROOT / "prompts" / "triage.toml"


@dataclass(frozen=True)
class TriageRules:
    crisis: tuple[re.Pattern, ...]
    situation: tuple[re.Pattern, ...]
    harm: tuple[re.Pattern, ...]
    not_now: tuple[re.Pattern, ...]
    # each group's patterns as one, searched once per question (kept in step here)
    _joined: dict[str, re.Pattern] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_joined", {name: any_of(getattr(self, name))
                                             for name in ("crisis", "situation", "harm", "not_now")})

    def fires(self, group: str, text: str) -> bool:
        """Does a pattern of `group` ("crisis", "situation", "harm" or "not_now") match `text`?"""
        return self._joined[group].search(text) is not None


@dataclass(frozen=True)
class ModelSettings:
    examples: Path
    threshold: float
    threshold_with_patterns: float  # the lower bar when the situation and harm patterns fire
    threshold_with_not_now: float  # the higher bar when a not-now pattern fires
    regularisation: float


@dataclass(frozen=True)
class TriageExamples:
    urgent: tuple[str, ...]
    not_urgent: tuple[str, ...]


@dataclass(frozen=True)
class TriageResult:
    urgent: bool
    reasons: tuple[str, ...]  # the rule groups (or "examples") that fired, for explaining the decision
    probability: float | None = None  # the classifier's, when one was consulted
    # Danger now (self-harm, a child missing, an adult meeting a child, blackmail with a deadline):
    # 999 comes first. Other urgent questions (an image being shared, a phone to take) need the
    # lead told now, and 999 is the second line, not the first.
    danger: bool = False


def load_triage_rules(path: Path = DEFAULT_TRIAGE_FILE, content: dict | None = None) -> TriageRules:
    """Read and check `prompts/triage.toml`: every pattern must compile, every group must exist.
    `content`: the file as already read, where the caller reads its other sections too."""
    data = (read_toml(path) if content is None else content).get("urgent")
    if not isinstance(data, dict):
        raise PromptsError(f"{path}: [urgent] section missing")

    return TriageRules(*(compile_patterns(data.get(name), f"{path} [urgent]", name)
                         for name in ("crisis", "situation", "harm", "not_now")))


def load_model_settings(path: Path = DEFAULT_TRIAGE_FILE, content: dict | None = None) -> ModelSettings:
    """The [model] section of `triage.toml`; the examples file is named relative to it. `content`:
    the file as already read."""
    data = (read_toml(path) if content is None else content).get("model")
    if not isinstance(data, dict):
        raise PromptsError(f"{path}: [model] section missing")
    examples = data.get("examples")
    if not isinstance(examples, str) or not examples:
        raise PromptsError(f"{path} [model]: 'examples' must name the examples file")

    def number(name: str, low: float, high: float) -> float:
        value = data.get(name)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not low < value < high:
            raise PromptsError(f"{path} [model]: '{name}' must be a number above {low:g}"
                               + (f" and below {high:g}" if high != float("inf") else ""))
        return float(value)

    threshold = number("threshold", 0, 1)
    lower = number("threshold_with_patterns", 0, 1)
    higher = number("threshold_with_not_now", 0, 1)
    if not lower <= threshold <= higher:
        raise PromptsError(f"{path} [model]: the thresholds must keep threshold_with_patterns <= threshold "
                           "<= threshold_with_not_now")
    return ModelSettings(Path(path).parent / examples, threshold, lower, higher,
                         number("regularisation", 0, float("inf")))


def load_examples(path: Path) -> TriageExamples:
    """Read and check the example questions: two non-empty lists of distinct, non-empty texts."""
    return TriageExamples(*read_question_lists(path, "urgent", "not_urgent"))


class TriageModel:
    """Probability that a question describes a child at risk now, from its embedding."""

    def __init__(self, classifier: LinearClassifier, settings: ModelSettings):
        self.classifier = classifier
        self.settings = settings

    @classmethod
    def fit(cls, examples: TriageExamples, vectors: np.ndarray, settings: ModelSettings) -> TriageModel:
        """`vectors`: embeddings of the urgent examples, then the not-urgent ones, in file order."""
        labels = np.array([1] * len(examples.urgent) + [0] * len(examples.not_urgent))
        return cls(LinearClassifier.fit(vectors, labels, settings.regularisation), settings)

    def probability(self, vector: np.ndarray) -> float:
        return self.classifier.probability(vector)


def triage(question: str, rules: TriageRules, probability: float | None = None, threshold: float = 0.5,
           threshold_with_patterns: float = 0.3, threshold_with_not_now: float = 0.7) -> TriageResult:
    """Crisis signs; else the model's probability against its bar, which the patterns move.

    Without a probability (rules only, for comparison), the situation-and-harm patterns decide.
    """
    text = as_typed(question)
    if rules.fires("crisis", text):
        return TriageResult(True, ("crisis",), probability, danger=True)
    situation, harm, not_now = (rules.fires(group, text) for group in ("situation", "harm", "not_now"))
    patterns = situation and harm and not not_now
    fired = ("situation", "harm") if patterns else tuple(
        name for name, hit in (("situation", situation), ("harm", harm), ("not_now", not_now)) if hit)
    if probability is None:
        return TriageResult(patterns, fired)
    bar = threshold_with_patterns if patterns else threshold_with_not_now if not_now else threshold
    urgent = probability >= bar
    return TriageResult(urgent, fired + (("examples",) if urgent else ()), probability)


@dataclass(frozen=True)
class DangerModel:
    """Among urgent questions, which mean danger now (999 first) rather than an incident the lead
    must hear about now: learnt from `danger_examples.toml`, with the bar from triage.toml's
    [danger]. The bar is low on purpose: a child in danger must not lose 999 as the first line."""

    classifier: LinearClassifier
    threshold: float

    def danger(self, vector: np.ndarray) -> bool:
        return self.classifier.probability(vector) >= self.threshold


@dataclass(frozen=True)
class Triage:
    """The patterns and the learnt models together, as the answer engine uses them."""

    rules: TriageRules
    model: TriageModel
    danger_model: DangerModel | None = None  # None: every urgent question is danger now

    def assess(self, question: str, vector: np.ndarray) -> TriageResult:
        """`vector`: the question's embedding from the same model the examples were embedded with."""
        settings = self.model.settings
        result = triage(question, self.rules, self.model.probability(vector), settings.threshold,
                        settings.threshold_with_patterns, settings.threshold_with_not_now)
        if result.urgent and not result.danger:
            danger = self.danger_model is None or self.danger_model.danger(vector)
            result = TriageResult(result.urgent, result.reasons, result.probability, danger)
        return result


def load_danger(path: Path, encode: Callable[[Sequence[str]], np.ndarray],
                content: dict | None = None) -> DangerModel | None:
    """The [danger] section of `triage.toml` and its examples, the model learnt; None without one.
    `content`: the file as already read."""
    section = read_classifier_section(path, "danger", content)
    if section is None:
        return None
    examples_path, threshold, c = section
    danger, incident = read_question_lists(examples_path, "danger", "incident")
    labels = np.array([1] * len(danger) + [0] * len(incident))
    return DangerModel(LinearClassifier.fit(encode([*danger, *incident]), labels, c), threshold)


def load_triage(path: Path, encode: Callable[[Sequence[str]], np.ndarray]) -> Triage:
    """Rules, model settings and examples read and checked, then the models learnt (well under a second)."""
    content = read_toml(path)
    rules = load_triage_rules(path, content)
    settings = load_model_settings(path, content)
    examples = load_examples(settings.examples)
    vectors = encode([*examples.urgent, *examples.not_urgent])
    return Triage(rules, TriageModel.fit(examples, vectors, settings), load_danger(path, encode, content))
