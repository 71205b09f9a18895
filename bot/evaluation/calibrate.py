"""`python -m bot.evaluation.calibrate`: choose the answerability weights and bars on the dev split.

Every question of the split is retrieved once; then, for each point of a fixed grid, the engine's
own `judge` and `choose` decide what would be quoted, and the answer figures are computed as
`python -m bot eval` computes them. The rule, fixed before looking at any result: among the
settings that meet every target on the split (in-scope wrongly refused <= 5%, out-of-scope
refused >= 95%, unanswerable "what do I do" questions answered <= 10%), take the one with the
highest hit@3 + highlight@3, then the widest margin on the refusal targets. Nothing here reads
the test or holdout split unless asked to, and the chosen settings are written nowhere: a person
copies them into `bot/config.py`.
"""

from __future__ import annotations

import argparse
import itertools
import json
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from bot.config import AnswerabilitySettings, Settings
from bot.evaluation.answers import AnswerTally, load_engine_for
from bot.evaluation.labelled import DEFAULT_QUESTIONS, load_questions
from bot.library.corpus import load_library
from bot.search.onnx_encoder import load_embedder

OVERLAP_WEIGHTS = (0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0)
RETRIEVAL_WEIGHTS = (0.0, 0.1, 0.2, 0.4, 0.8)
MIN_SCORES = tuple(round(x, 3) for x in np.arange(0.40, 1.001, 0.05))
WHAT_TO_DO_MARGINS = tuple(round(x, 3) for x in np.arange(0.0, 0.601, 0.05))  # bar above min_score
TARGETS = {"in_refused": 0.05, "out_refused": 0.95, "procedural_answered": 0.10}


@dataclass
class Prepared:
    question: object
    vector: np.ndarray
    hits: list
    what_to_do: bool
    unknown_names: list[str]


def figures(engine, prepared: list[Prepared], judged: list[list], settings: AnswerabilitySettings) -> dict:
    """The answer figures under `settings`, counted as `python -m bot eval` counts them (0 for none)."""
    tally = AnswerTally()
    for item, judgements in zip(prepared, judged):
        chosen = engine.choose(judgements, item.what_to_do, item.unknown_names, settings)
        tally.add(item.question, {"answered": bool(chosen), "asks_what_to_do": item.what_to_do,
                                  "passages": [engine._quote(engine.index.by_id[j.passage_id], j) for j in chosen]})
    found = tally.figures()
    return {"in_refused": found["in_scope_wrongly_refused"] or 0.0,
            "out_refused": found["out_of_scope_refused"] or 0.0,
            "procedural_answered": found["procedural_answered"] or 0.0,
            "hit": found["hit@3"] or 0.0, "h1": found["highlight@1"] or 0.0, "h3": found["highlight@3"] or 0.0}


def meets(f: dict) -> bool:
    return (f["in_refused"] <= TARGETS["in_refused"] and f["out_refused"] >= TARGETS["out_refused"]
            and f["procedural_answered"] <= TARGETS["procedural_answered"])


def rank_key(f: dict) -> tuple:
    margin = min(TARGETS["in_refused"] - f["in_refused"], f["out_refused"] - TARGETS["out_refused"],
                 TARGETS["procedural_answered"] - f["procedural_answered"])
    return (meets(f), round(f["hit"] + f["h3"], 6) if meets(f) else margin, margin)


def prepare(engine, questions) -> list[Prepared]:
    """Each question retrieved and classified once; the grid only re-judges and re-chooses."""
    prepared = []
    for q in questions:
        vector = engine.query_vector(q.question)
        what_to_do = engine.intent.asks_what_to_do(vector, q.question)
        hits = engine.candidates(q.question, vector)
        prepared.append(Prepared(q, vector, hits, what_to_do, engine.unknown_names(q.question)))
    return prepared


def search_grid(engine, prepared: list[Prepared]) -> list[tuple[AnswerabilitySettings, dict]]:
    """Every point of the grid with its figures, best first by the fixed rule (`rank_key`)."""
    base = engine.settings.answerability
    results = []
    for w_overlap, w_retrieval in itertools.product(OVERLAP_WEIGHTS, RETRIEVAL_WEIGHTS):
        weights = replace(base, overlap_weight=w_overlap, retrieval_weight=w_retrieval)
        judged = [engine.judge(p.question.question, p.vector, p.hits, weights) for p in prepared]
        for bar, margin in itertools.product(MIN_SCORES, WHAT_TO_DO_MARGINS):
            candidate = replace(weights, min_score=bar, min_score_what_to_do=round(bar + margin, 3))
            results.append((candidate, figures(engine, prepared, judged, candidate)))
    results.sort(key=lambda r: rank_key(r[1]), reverse=True)
    return results


def measure(engine, prepared: list[Prepared], settings: AnswerabilitySettings) -> dict:
    """The figures of one setting."""
    judged = [engine.judge(p.question.question, p.vector, p.hits, settings) for p in prepared]
    return figures(engine, prepared, judged, settings)


def calibrate(split: str, questions_path: Path = DEFAULT_QUESTIONS) -> list[tuple[AnswerabilitySettings, dict]]:
    settings = Settings.from_env()
    embedder = load_embedder(settings.resolved_model_path(), settings.index.max_seq_length)
    _, docs = load_library(settings.seeds_dir)
    questions = load_questions(questions_path, {d.entry.id: d.clean.text for d in docs}, split)
    with tempfile.TemporaryDirectory(prefix="bot-calibrate-") as tmp:
        engine = load_engine_for(settings, embedder, Path(tmp))
        return search_grid(engine, prepare(engine, questions))


# `--joint`: the three labelled libraries' dev splits at once, on a grid around the shipped settings
JOINT_GRID = {"overlap_weight": (0.5, 0.75, 1.0, 1.25, 1.5), "retrieval_weight": (0.1, 0.2, 0.3, 0.4),
              "min_score": (0.6, 0.65, 0.7, 0.75, 0.8, 0.85), "min_score_what_to_do": (1.0, 1.1, 1.15, 1.2, 1.3)}
BETTER_LOWER = ("in_refused", "procedural_answered")


def as_good(found: dict[str, dict], shipped: dict[str, dict], slack: float = 0.0) -> bool:
    """At least as good as `shipped` on every figure of every library, within `slack`."""
    return all((found[lib][k] <= v + slack) if k in BETTER_LOWER else (found[lib][k] >= v - slack)
               for lib, figures_ in shipped.items() for k, v in figures_.items())


def joint(split: str = "dev", slack: float = 0.0) -> tuple[dict, list[tuple[AnswerabilitySettings, dict]]]:
    """The shipped settings' figures on each library, and every grid point at least as good on all.

    Answerability must hold on any library, so a change of weights or bars is worth making only
    where it is no worse on any of them: the news seeds, the seeds + KCSIE Part one and the
    585-page library (`bot/evaluation/profiles.py`).
    """
    from bot.evaluation.answers import load_profile
    from bot.evaluation.profiles import QUESTIONS

    sets = {"news": QUESTIONS["news"], "default": DEFAULT_QUESTIONS.parent / "default" / "questions.jsonl",
            "real": QUESTIONS["real"]}
    settings = Settings.from_env()
    embedder = load_embedder(settings.resolved_model_path(), settings.index.max_seq_length)
    base = settings.answerability
    with tempfile.TemporaryDirectory(prefix="bot-calibrate-") as tmp:
        loaded = {}
        for lib, path in sets.items():
            engine, questions = load_profile(lib, Path(tmp) / lib, settings, embedder, path, split)
            loaded[lib] = (engine, prepare(engine, questions))
        shipped = {lib: measure(engine, prepared, base) for lib, (engine, prepared) in loaded.items()}
        found = []
        for ow, rw in itertools.product(JOINT_GRID["overlap_weight"], JOINT_GRID["retrieval_weight"]):
            weights = replace(base, overlap_weight=ow, retrieval_weight=rw)
            judged = {lib: [engine.judge(p.question.question, p.vector, p.hits, weights) for p in prepared]
                      for lib, (engine, prepared) in loaded.items()}
            for bar, todo in itertools.product(JOINT_GRID["min_score"], JOINT_GRID["min_score_what_to_do"]):
                candidate = replace(weights, min_score=bar, min_score_what_to_do=todo)
                figures_ = {lib: figures(engine, prepared, judged[lib], candidate)
                            for lib, (engine, prepared) in loaded.items()}
                if candidate != base and as_good(figures_, shipped, slack):
                    found.append((candidate, figures_))
    return shipped, found


def _row(candidate: AnswerabilitySettings) -> dict:
    return {"overlap_weight": candidate.overlap_weight, "retrieval_weight": candidate.retrieval_weight,
            "min_score": candidate.min_score, "min_score_what_to_do": candidate.min_score_what_to_do}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.evaluation.calibrate", description=__doc__)
    parser.add_argument("--split", default="dev", choices=("dev", "test", "holdout", "all"))
    parser.add_argument("--top", type=int, default=10, help="how many of the best settings to print")
    parser.add_argument("--joint", action="store_true",
                        help="the three labelled libraries at once: grid points at least as good as the shipped "
                             "settings on every figure of every library")
    parser.add_argument("--slack", type=float, default=0.0, help="with --joint: how much worse a figure may be")
    args = parser.parse_args(argv)
    if args.joint:
        shipped, found = joint(args.split, args.slack)
        size = len(list(itertools.product(*JOINT_GRID.values())))
        print(json.dumps({"shipped": {**_row(Settings().answerability),
                                      **{lib: {k: round(v, 4) for k, v in f.items()} for lib, f in shipped.items()}}}))
        print(f"{len(found)} of {size - 1} other settings are at least as good on every figure of every library"
              f" (slack {args.slack})")
        for candidate, f in found[:args.top]:
            print(json.dumps({**_row(candidate), **{lib: {k: round(v, 4) for k, v in x.items()} for lib, x in f.items()}}))
        return 0
    results = calibrate(None if args.split == "all" else args.split)
    print(f"{len(results)} settings tried on the {args.split} split; "
          f"{sum(meets(f) for _, f in results)} meet every target")
    for candidate, f in results[:args.top]:
        print(json.dumps({**_row(candidate), **{k: round(v, 4) for k, v in f.items()}}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
