"""Reading the reviewable files in `prompts/`: one error type, one message shape.

Every file there is checked when the assistant starts; a problem stops it with one line that
names the file and the entry, so nobody is ever shown a half-loaded contact list or rule set.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path


class PromptsError(ValueError):
    """A prompts file is missing, not valid TOML, or breaks its rules; the message says where."""


def as_typed(question: str) -> str:
    """The question as the patterns in `prompts/` are written to match it: whitespace collapsed,
    curly apostrophes made straight ("don’t" typed on a phone is "don't")."""
    return " ".join(question.split()).replace("’", "'")


def read_toml(path: Path) -> dict:
    try:
        return tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PromptsError(f"{path}: file not found") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise PromptsError(f"{path}: not valid TOML ({exc})") from None


def read_question_lists(path: Path, first: str, second: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Two lists of example questions a classifier learns from: non-empty, distinct from each other."""
    data = read_toml(path)
    lists = []
    for name in (first, second):
        items = data.get(name)
        if not isinstance(items, list) or not items or not all(isinstance(t, str) and t.strip() for t in items):
            raise PromptsError(f"{path}: '{name}' must be a non-empty list of questions")
        lists.append(tuple(items))
    both = set(lists[0]) & set(lists[1])
    if both:
        raise PromptsError(f"{path}: listed as both {first.replace('_', ' ')} and {second.replace('_', ' ')}: "
                           f"{sorted(both)[0][:60]!r}")
    return lists[0], lists[1]


def compile_patterns(patterns: object, where: str, key: str) -> tuple[re.Pattern, ...]:
    """A non-empty list of regular expressions from a prompts file, compiled to match without
    regard to case; `where` and `key` name the entry in the message when one is missing or invalid."""
    if not isinstance(patterns, list) or not patterns or not all(isinstance(p, str) and p for p in patterns):
        raise PromptsError(f"{where}: '{key}' must be a non-empty list of patterns")
    try:
        return tuple(re.compile(p, re.IGNORECASE) for p in patterns)
    except re.error as exc:
        raise PromptsError(f"{where}: '{key}': pattern {exc.pattern!r} is not valid ({exc})") from None


def any_of(patterns: tuple[re.Pattern, ...]) -> re.Pattern:
    """One pattern that matches wherever any of `patterns` does, so that a question or sentence is
    searched once rather than once per pattern (the kinds and triage hold about two hundred). Named
    groups, which several patterns may share ("age"), are read from each pattern alone."""
    return re.compile("|".join(f"(?:{_NAMED_GROUP.sub('(?:', p.pattern)})" for p in patterns) or "(?!)", re.IGNORECASE)


_NAMED_GROUP = re.compile(r"\(\?P<\w+>")


def read_classifier_section(path: Path, section: str, content: dict | None = None) -> tuple[Path, float, float] | None:
    """A `[section]` that sets up a classifier learnt from example questions: the examples file
    (named relative to `path`), the probability bar (between 0 and 1) and the regularisation
    (scikit-learn's C, above 0). None when the file has no such section. `content`: the file as
    already read, where the caller reads other sections of it too."""
    data = (read_toml(path) if content is None else content).get(section)
    if data is None:
        return None
    where = f"{path} [{section}]"
    if not isinstance(data, dict) or not isinstance(data.get("examples"), str) or not data["examples"]:
        raise PromptsError(f"{where}: 'examples' must name the examples file")
    threshold, c = data.get("threshold"), data.get("regularisation")
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or not 0 < threshold < 1:
        raise PromptsError(f"{where}: 'threshold' must be a number above 0 and below 1")
    if isinstance(c, bool) or not isinstance(c, (int, float)) or not c > 0:
        raise PromptsError(f"{where}: 'regularisation' must be a number above 0")
    return Path(path).parent / data["examples"], float(threshold), float(c)


def load_library_gaps(path: Path) -> list[dict[str, str]]:
    """The documents a school should add that the library lacks (`prompts/library_gaps.toml`)."""
    entries = read_toml(path).get("missing", [])
    if not isinstance(entries, list):
        raise PromptsError(f"{path}: [[missing]] entries expected")
    gaps = []
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            raise PromptsError(f"{path}: missing {number} must be a table")
        for key in ("title", "publisher", "where", "source"):
            if not isinstance(entry.get(key), str) or not entry[key].strip():
                raise PromptsError(f"{path}: missing {number}: '{key}' must be text")
        gaps.append({key: entry[key].strip() for key in ("title", "publisher", "where", "source")})
    return gaps
