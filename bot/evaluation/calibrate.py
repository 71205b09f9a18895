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
        what_to_do = engine.intent.asks_what_to_do(vector)
        hits = engine.candidates(q.question, vector, what_to_do=what_to_do)
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.evaluation.calibrate", description=__doc__)
    parser.add_argument("--split", default="dev", choices=("dev", "test", "holdout", "all"))
    parser.add_argument("--top", type=int, default=10, help="how many of the best settings to print")
    args = parser.parse_args(argv)
    results = calibrate(None if args.split == "all" else args.split)
    print(f"{len(results)} settings tried on the {args.split} split; "
          f"{sum(meets(f) for _, f in results)} meet every target")
    for candidate, f in results[:args.top]:
        print(json.dumps({"overlap_weight": candidate.overlap_weight, "retrieval_weight": candidate.retrieval_weight,
                          "min_score": candidate.min_score, "min_score_what_to_do": candidate.min_score_what_to_do,
                          **{k: round(v, 4) for k, v in f.items()}}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
