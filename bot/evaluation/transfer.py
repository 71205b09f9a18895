"""`python -m bot.evaluation.transfer`: answer settings learnt on one library, tested on another.

The answer stage must hold on any school's library, not only on the one its settings were chosen
on. So the answerability weights and bars (overlap and retrieval weights, the answer bar and the
"what do I do" bar) are learnt on one library's labelled dev split, with the same grid and the same
fixed rule as `python -m bot.evaluation.calibrate`, and measured on the other library's labelled
questions (dev and test; its test split alone when it is the library learnt on), both ways:
- `news -> real`: learnt on the news seeds (two short news stories, seeds/eval/questions.jsonl),
  tested on the real-size library (KCSIE, Working together, a school's procedure; seeds/eval/real/);
- `real -> news`: the other way round.
Beside each, the figures of the settings the product ships with (bot/config.py) on the same
questions, and of the settings learnt on the tested library itself (its own dev split), which is
what a library-specific calibration would reach. The signals the settings weigh (sentence cosine,
idf-weighted word overlap, the passage's retrieval score, its heading, the question's kind) are
computed the same way on any library; none is a word list of one library.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from dataclasses import asdict
from pathlib import Path

from bot.config import Settings
from bot.evaluation.answers import load_profile
from bot.evaluation.calibrate import measure, prepare, search_grid
from bot.evaluation.profiles import QUESTIONS
from bot.search.onnx_encoder import load_embedder

LIBRARIES = ("news", "real")
LEARNT = ("overlap_weight", "retrieval_weight", "min_score", "min_score_what_to_do")


def transfer(libraries: tuple[str, ...] = LIBRARIES) -> list[dict]:
    """Both directions' figures, one record per (learnt on, tested on)."""
    settings = Settings.from_env()
    embedder = load_embedder(settings.resolved_model_path(), settings.index.max_seq_length)
    records = []
    with tempfile.TemporaryDirectory(prefix="bot-transfer-") as tmp:
        loaded = {name: load_profile(name, Path(tmp) / name, settings, embedder, QUESTIONS[name], None)
                  for name in libraries}
        prepared = {name: {split: prepare(engine, [q for q in questions if q.split == split])
                           for split in ("dev", "test")}
                    for name, (engine, questions) in loaded.items()}
        learnt = {name: search_grid(loaded[name][0], prepared[name]["dev"])[0][0] for name in libraries}
        for source in libraries:
            for target in libraries:
                engine = loaded[target][0]
                # another library: all its labelled questions; its own: only the split not learnt on
                tested = prepared[target]["test"] if source == target else \
                    prepared[target]["dev"] + prepared[target]["test"]
                records.append({
                    "learnt_on": source, "tested_on": target,
                    "settings": {k: v for k, v in asdict(learnt[source]).items() if k in LEARNT},
                    "figures": _rounded(measure(engine, tested, learnt[source])),
                    "shipped": _rounded(measure(engine, tested, settings.answerability)),
                    "questions": len(tested),
                })
    return records


def _rounded(figures: dict) -> dict:
    return {k: round(v, 3) for k, v in figures.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.evaluation.transfer", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true", help="one JSON record per line")
    args = parser.parse_args(argv)
    records = transfer()
    for record in records:
        if args.json:
            print(json.dumps(record))
            continue
        f, shipped = record["figures"], record["shipped"]
        splits = "test" if record["learnt_on"] == record["tested_on"] else "dev and test"
        print(f"learnt on {record['learnt_on']}, tested on {record['tested_on']} "
              f"({record['questions']} questions, {splits}): {record['settings']}")
        for name in f:
            print(f"  {name:20s} {f[name]:.3f}   (shipped settings {shipped[name]:.3f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
