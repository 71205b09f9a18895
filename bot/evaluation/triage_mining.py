"""`python -m bot.evaluation.triage_mining`: the triage examples learnt from the default set's mistakes.

The triage classifier first learnt from the news seeds' dev questions alone (the top of
`prompts/triage_examples.toml`). Asked the default library's dev questions (seeds + Keeping
children safe in education Part one), it missed accounts of a child in danger and raised false
alarms on ordinary questions worded unlike any news example. This program lists those mistakes,
which the examples file then holds below the news seeds' own:

- urgent: accounts written as a child in danger now (situation "danger") that it missed;
- not urgent: questions written as ones a passage answers, "what do I do" questions and
  out-of-scope questions that it flagged, **unless a harm pattern of triage.toml fires** (an
  image, a nude, blackmail). The default set calls "a pupil showed me a doctored nude on his
  phone, should I screenshot it?" a "what do I do" question, while the situations set and the
  assistant treat it as an incident the lead must hear about now; taught that such questions are
  calm, triage stopped flagging incidents (`tests/evaluation/test_situations.py`).

Only dev questions are read; `--leave-out` drops a group of rounds (a regular expression on the
question id) so that the mining can be measured on rounds it did not learn from. The output is
TOML for a person to review and paste: nothing here writes to `prompts/`.
"""

from __future__ import annotations

import argparse
import json
import re
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

from bot.answer.triage import (
    DEFAULT_TRIAGE_FILE,
    Triage,
    TriageExamples,
    TriageModel,
    load_examples,
    load_model_settings,
    load_triage_rules,
)
from bot.config import Settings
from bot.evaluation.labelled import DEFAULT_QUESTIONS

DEFAULT_SET = DEFAULT_QUESTIONS.parent / "default" / "questions.jsonl"
CALM_KINDS = ("in_scope", "what_to_do", "out_of_scope")


def _rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def news_examples(examples: TriageExamples, news_questions: set[str]) -> TriageExamples:
    """The examples that are the news seeds' own questions: what the mining starts from."""
    return TriageExamples(tuple(t for t in examples.urgent if t in news_questions),
                          tuple(t for t in examples.not_urgent if t in news_questions))


# The start model's regularisation: triage's as it shipped learning from the news seeds' examples
# alone (chosen by cross-validation on their dev split). The mistakes mined are that model's.
START_REGULARISATION = 10.0


def mine(rows: Sequence[dict], start: TriageExamples, encode: Callable[[Sequence[str]], np.ndarray],
         triage_file: Path = DEFAULT_TRIAGE_FILE, leave_out: str | None = None,
         regularisation: float = START_REGULARISATION) -> TriageExamples:
    """The dev questions of `rows` (the default set) that triage learnt from `start` gets wrong,
    as the module's docstring says which; `encode` embeds questions as the engine does."""
    rules = load_triage_rules(triage_file)
    settings = replace(load_model_settings(triage_file), regularisation=regularisation)
    texts = [*start.urgent, *start.not_urgent]
    assessor = Triage(rules, TriageModel.fit(start, encode(texts), settings))
    seen = set(texts)
    chosen = [r for r in rows if r.get("split") == "dev" and r["question"] not in seen
              and not (leave_out and re.match(leave_out, r["id"]))
              and (r.get("written_as") == "urgent" and r.get("situation") == "danger"
                   or r.get("written_as") in CALM_KINDS and not r.get("urgent"))]
    vectors = encode([r["question"] for r in chosen])
    urgent, calm = [], []
    for row, vector in zip(chosen, vectors):
        question = row["question"]
        flagged = assessor.assess(question, vector).urgent
        if row.get("written_as") == "urgent" and not flagged:
            urgent.append(question)
        elif row.get("written_as") in CALM_KINDS and flagged and not rules.fires("harm", question):
            calm.append(question)
    return TriageExamples(tuple(dict.fromkeys(urgent)), tuple(dict.fromkeys(calm)))


def default_engine(settings: Settings, folder: Path):
    """The answer engine on the default library, its index built under `folder`."""
    from bot.evaluation.answers import load_engine_for
    from bot.evaluation.profiles import lay_out
    from bot.search.onnx_encoder import load_embedder

    embedder = load_embedder(settings.resolved_model_path(), settings.index.max_seq_length)
    local = replace(settings, seeds_dir=lay_out("default", folder / "library"))
    return load_engine_for(local, embedder, folder / "index")


def engine_encoder(engine) -> Callable[[Sequence[str]], np.ndarray]:
    """Questions embedded as `engine` embeds them (abbreviations the library spells out are
    spelled out first)."""
    return lambda texts: np.array([engine.query_vector(engine.spell_out(t)) for t in texts]).reshape(
        len(texts), -1)


def default_encoder(settings: Settings, folder: Path) -> Callable[[Sequence[str]], np.ndarray]:
    """Questions embedded as the engine embeds them on the default library."""
    return engine_encoder(default_engine(settings, folder))


def toml_block(name: str, texts: Sequence[str]) -> str:
    """A commented run of quoted questions, to paste into a list of an examples file."""
    return f"# {name}\n" + "".join(f"  {json.dumps(t, ensure_ascii=False)},\n" for t in texts)


def as_toml(mined: TriageExamples) -> str:
    return toml_block("urgent", mined.urgent) + toml_block("not_urgent", mined.not_urgent)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.evaluation.triage_mining", description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, default=DEFAULT_SET, help="the default set (dev split is read)")
    parser.add_argument("--leave-out", help="a regular expression on question ids: rounds not to learn from")
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    start = news_examples(load_examples(load_model_settings().examples),
                          {r["question"] for r in _rows(DEFAULT_QUESTIONS)})
    with tempfile.TemporaryDirectory(prefix="bot-triage-mining-") as tmp:
        mined = mine(_rows(args.questions), start, default_encoder(settings, Path(tmp)), leave_out=args.leave_out)
    print(as_toml(mined), end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
