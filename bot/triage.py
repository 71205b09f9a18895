"""Triage: does a question signal a child at risk now?

Rules are data (`prompts/triage.toml`) so a safeguarding lead can read and change them; this
module only applies them. A pure function of the question and the rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from bot.config import PROJECT_ROOT
from bot.prompts import PromptsError, read_toml

DEFAULT_TRIAGE_FILE = PROJECT_ROOT / "prompts" / "triage.toml"


@dataclass(frozen=True)
class TriageRules:
    crisis: tuple[re.Pattern, ...]
    situation: tuple[re.Pattern, ...]
    harm: tuple[re.Pattern, ...]
    not_now: tuple[re.Pattern, ...]


@dataclass(frozen=True)
class TriageResult:
    urgent: bool
    reasons: tuple[str, ...]  # the rule groups that fired, for explaining the decision


def load_triage_rules(path: Path = DEFAULT_TRIAGE_FILE) -> TriageRules:
    """Read and check `prompts/triage.toml`: every pattern must compile, every group must exist."""
    data = read_toml(path).get("urgent")
    if not isinstance(data, dict):
        raise PromptsError(f"{path}: [urgent] section missing")

    def compiled(name: str) -> tuple[re.Pattern, ...]:
        patterns = data.get(name)
        if not isinstance(patterns, list) or not patterns or not all(isinstance(p, str) and p for p in patterns):
            raise PromptsError(f"{path} [urgent]: '{name}' must be a non-empty list of patterns")
        try:
            return tuple(re.compile(p, re.IGNORECASE) for p in patterns)
        except re.error as exc:
            raise PromptsError(f"{path} [urgent] {name}: pattern {exc.pattern!r} is not valid ({exc})") from None

    return TriageRules(compiled("crisis"), compiled("situation"), compiled("harm"), compiled("not_now"))


def _any(patterns: tuple[re.Pattern, ...], text: str) -> bool:
    return any(p.search(text) for p in patterns)


def triage(question: str, rules: TriageRules) -> TriageResult:
    """Crisis signs are always urgent; otherwise a harmful situation happening now, not a hypothetical."""
    text = " ".join(question.split()).replace("’", "'")
    if _any(rules.crisis, text):
        return TriageResult(True, ("crisis",))
    situation, harm, not_now = _any(rules.situation, text), _any(rules.harm, text), _any(rules.not_now, text)
    if situation and harm and not not_now:
        return TriageResult(True, ("situation", "harm"))
    return TriageResult(False, tuple(name for name, hit in
                                     (("situation", situation), ("harm", harm), ("not_now", not_now)) if hit))
