"""`python -m bot.evaluation.danger_mining`: the danger examples learnt from the default set's mistakes.

Among urgent questions, a small classifier decides whether "call 999" is the first line (danger
now) or the lead is (an incident the lead must hear about now). It first learnt from the news
seeds' dev situations alone (the top of `prompts/danger_examples.toml`). Asked the default
library's dev situations (seeds + Keeping children safe in education Part one, every round's
`danger` and `incident` accounts), it put 999 first for about one incident in five and missed
one danger account in ten. This program lists the situations it gets wrong, learns again with them
and repeats until it gets none of the rest wrong (or `ROUNDS` times), which the examples file then
holds below the news seeds' own.

Only dev questions are read; `--leave-out` drops a group of rounds (a regular expression on the
question id), and `--cv` measures the mining on rounds it did not learn from: the dev rounds in
five groups, each answered by the engine with the danger model mined from the other four. The
output is TOML for a person to review and paste: nothing here writes to `prompts/`.
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

from bot.answer.classifier import LinearClassifier
from bot.answer.prompts import read_classifier_section, read_question_lists
from bot.answer.triage import DEFAULT_TRIAGE_FILE, DangerModel
from bot.config import Settings
from bot.evaluation.labelled import DEFAULT_QUESTIONS
from bot.evaluation.triage_mining import DEFAULT_SET, _rows, default_engine, engine_encoder, toml_block

ROUNDS = 4  # learn again at most this often


def situations(rows: Sequence[dict], leave_out: str | None = None) -> list[dict]:
    """The dev accounts labelled danger or incident, one of each question, rounds left out dropped."""
    seen: set[str] = set()
    chosen = []
    for r in rows:
        if r.get("split") == "dev" and r.get("situation") in ("danger", "incident") and r["question"] not in seen \
                and not (leave_out and re.match(leave_out, r["id"])):
            seen.add(r["question"])
            chosen.append(r)
    return chosen


def news_examples(danger: Sequence[str], incident: Sequence[str],
                  news_questions: set[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The examples that are the news seeds' own questions: what the mining starts from."""
    return (tuple(t for t in danger if t in news_questions), tuple(t for t in incident if t in news_questions))


def mine(rows: Sequence[dict], start: tuple[Sequence[str], Sequence[str]],
         encode: Callable[[Sequence[str]], np.ndarray], regularisation: float, threshold: float,
         leave_out: str | None = None,
         lead_first: Callable[[str], bool] = lambda question: False) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The dev situations of `rows` that the danger model, learnt from `start` (danger, incident)
    and what is mined so far, decides wrongly: (danger missed, incidents put first for 999).

    An account labelled danger is learnt as an incident where the assistant's own rules call it
    one (`lead_first`): the default set's authors labelled every urgent account danger, "a nude is
    being airdropped round the canteen right now" too, while the assistant puts the lead first for
    an image being shared unless blackmail, an adult, self-harm or a crisis sign says a child is in
    danger now. Learnt as danger, such accounts taught the model that an image being shared needs
    999 first."""
    base_danger, base_incident = start
    chosen_rows = [r for r in situations(rows, leave_out) if r["question"] not in {*base_danger, *base_incident}]
    base = encode([*base_danger, *base_incident])
    labels = np.array([1] * len(base_danger) + [0] * len(base_incident))
    vectors = encode([r["question"] for r in chosen_rows])
    wanted = np.array([r["situation"] == "danger" and not lead_first(r["question"]) for r in chosen_rows])
    mined: list[int] = []
    for _ in range(ROUNDS):
        model = LinearClassifier.fit(np.vstack([base, vectors[mined]]),
                                     np.concatenate([labels, wanted[mined].astype(int)]), regularisation)
        taken = set(mined)
        wrong = [i for i in range(len(chosen_rows)) if i not in taken
                 and (model.probability(vectors[i]) >= threshold) != wanted[i]]
        if not wrong:
            break
        mined.extend(wrong)
    mined.sort()
    return (tuple(chosen_rows[i]["question"] for i in mined if wanted[i]),
            tuple(chosen_rows[i]["question"] for i in mined if not wanted[i]))


def as_toml(mined: tuple[tuple[str, ...], tuple[str, ...]]) -> str:
    return toml_block("danger", mined[0]) + toml_block("incident", mined[1])


def _round(question_id: str) -> str:
    return question_id.rstrip("0123456789")


def cross_validate(rows: Sequence[dict], start: tuple[Sequence[str], Sequence[str]], engine, regularisation: float,
                   threshold: float, groups: int = 5) -> dict[str, dict[str, int]]:
    """999 first on danger and on incidents, as the engine answers each dev situation: with the
    danger model as it was learnt from `start` alone, and mined from the other groups of rounds.
    `danger_by_the_rules`: the accounts labelled danger that the assistant's rules do not call an
    incident for the lead (`_lead_first`), where 999 first is what the product promises."""
    from bot.answer.triage import Triage

    encode = engine_encoder(engine)
    every = situations(rows)
    rounds = sorted({_round(r["id"]) for r in every})
    original: Triage = engine.triage

    def model(danger: Sequence[str], incident: Sequence[str]) -> DangerModel:
        labels = np.array([1] * len(danger) + [0] * len(incident))
        return DangerModel(LinearClassifier.fit(encode([*danger, *incident]), labels, regularisation), threshold)

    unmined = replace(original, danger_model=model(*start))
    lead_first = _lead_first(engine)
    counts = {name: {"danger": 0, "danger_999_first": 0, "incident": 0, "incident_999_first": 0,
                     "danger_by_the_rules": 0, "danger_by_the_rules_999_first": 0} for name in ("start", "mined")}
    try:
        for group in range(groups):
            held = set(rounds[group::groups])
            pattern = "|".join(re.escape(name) + r"\d" for name in sorted(held))
            mined = mine(rows, start, encode, regularisation, threshold, leave_out=pattern, lead_first=lead_first)
            learnt = model((*start[0], *mined[0]), (*start[1], *mined[1]))
            for name, triage in (("start", unmined), ("mined", replace(original, danger_model=learnt))):
                engine.triage = triage
                for row in every:
                    if _round(row["id"]) not in held:
                        continue
                    first = engine.ask(row["question"])["danger"]
                    counts[name][row["situation"]] += 1
                    counts[name][f"{row['situation']}_999_first"] += first
                    if row["situation"] == "danger" and not lead_first(row["question"]):
                        counts[name]["danger_by_the_rules"] += 1
                        counts[name]["danger_by_the_rules_999_first"] += first
    finally:
        engine.triage = original
    return counts


# an image in an account: with no sign of danger now, an incident for the lead (issue of
# 2026-11-30: "a deepfake of a pupil being shared ... call 999 is not the first line")
_IMAGE = re.compile(r"\b(nudes?|naked|pics?|photos?|pictures?|images?|deep ?fakes?|videos?|air ?drop\w*|nudif\w*|"
                    r"undress\w*|selfies?|screenshots?)\b", re.IGNORECASE)


def _lead_first(engine) -> Callable[[str], bool]:
    """Is this account, by the assistant's own rules, an incident for the lead: a situation that
    puts the lead first (a phone to take, an image to take down; escalation.toml), or an image with
    no crisis sign and no situation that asks for 999 (blackmail, an adult, self-harm)?"""
    book, rules = engine.escalation_book, engine.triage.rules

    def lead_first(question: str) -> bool:
        seen = book.situations_in(question)
        if not book.danger_now(True, False, seen):
            return True
        # danger_now without the model's danger: true only where a situation asks for 999
        asks_999 = book.danger_now(False, False, seen)
        return bool(_IMAGE.search(question)) and not asks_999 and not rules.fires("crisis", question)
    return lead_first


def shipped_start(settings: Settings) -> tuple[tuple[str, ...], tuple[str, ...], float, float]:
    """The news seeds' own danger examples, and the [danger] model's regularisation and bar."""
    path = Path(settings.prompts_dir) / DEFAULT_TRIAGE_FILE.name
    section = read_classifier_section(path, "danger")
    if section is None:
        raise SystemExit("error: triage.toml has no [danger] section")
    examples, threshold, regularisation = section
    danger, incident = read_question_lists(examples, "danger", "incident")
    start = news_examples(danger, incident, {r["question"] for r in _rows(DEFAULT_QUESTIONS)})
    return (*start, regularisation, threshold)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.evaluation.danger_mining", description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, default=DEFAULT_SET, help="the default set (dev split is read)")
    parser.add_argument("--leave-out", help="a regular expression on question ids: rounds not to learn from")
    parser.add_argument("--cv", action="store_true", help="measure the mining on rounds it did not learn from")
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    danger, incident, regularisation, threshold = shipped_start(settings)
    rows = _rows(args.questions)
    with tempfile.TemporaryDirectory(prefix="bot-danger-mining-") as tmp:
        engine = default_engine(settings, Path(tmp))
        if args.cv:
            print(json.dumps(cross_validate(rows, (danger, incident), engine, regularisation, threshold), indent=1))
            return 0
        mined = mine(rows, (danger, incident), engine_encoder(engine), regularisation, threshold, leave_out=args.leave_out,
                     lead_first=_lead_first(engine))
    print(as_toml(mined), end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
