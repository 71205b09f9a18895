"""Triage: does a question signal a child at risk now?

Rules are data (`prompts/triage.toml`) so a safeguarding lead can read and change them; this
module only applies them. A pure function of the question and the rules.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from bot.config import PROJECT_ROOT

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
    data = tomllib.loads(Path(path).read_text(encoding="utf-8"))["urgent"]

    def compiled(name: str) -> tuple[re.Pattern, ...]:
        return tuple(re.compile(p, re.IGNORECASE) for p in data.get(name, []))

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
