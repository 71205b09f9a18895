"""How much does answering add on top of embedding the question? In-process, default library.

The query embedding is the one step a smaller model or a GPU could shorten; everything else
(BM25, FAISS, fusion, triage and intent, answerability, composing quotes and escalation) is this project's own
work, and should stay small beside it. For every question of the labelled set, in turn, this
times `AnswerEngine.ask` (the whole answer) and `Embedder.encode_query` alone, alternating which
goes first, after a few warm-up questions. It reports p50 and p95 of each and their ratio. When the
engine's encoder is not PyTorch (the ONNX one, README "Encoder"), the two encoders of the same
model then encode every question in the same run, in alternating blocks (A B B A: one encoder's
threads never compete with the other's), and the ratio of their p50 is reported too.

    python -m bot.bench.answer [--repeats N] [--out FOLDER]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from bot.answer.engine import AnswerEngine
from bot.config import PROJECT_ROOT, Settings
from bot.evaluation.labelled import DEFAULT_QUESTIONS
from bot.evaluation.latency import percentiles

WARM_UP = 5
TARGET_RATIO = 1.5  # whole answer p50 at most this many times the embedding alone
TARGET_ENCODER_RATIO = 0.35  # the ONNX query embedding's p50 at most this share of PyTorch's


def compare_encoders(embedder, reference, questions: list[str], rounds: int = 2) -> dict:
    """p50/p95 of each encoder's query embedding over `questions`, in blocks A B B A ..."""
    times: dict[str, list[float]] = {"candidate": [], "reference": []}
    for round_ in range(rounds):
        order = (("candidate", embedder), ("reference", reference))
        for name, encoder in order if round_ % 2 == 0 else order[::-1]:
            for question in questions[:WARM_UP]:
                encoder.encode_query(question)
            for question in questions:
                t0 = time.perf_counter()
                encoder.encode_query(question)
                times[name].append(time.perf_counter() - t0)
    found = {"encoder": percentiles(times["candidate"]), "pytorch": percentiles(times["reference"])}
    found["ratio_p50"] = found["encoder"]["p50_ms"] / found["pytorch"]["p50_ms"]
    found["target_ratio"] = TARGET_ENCODER_RATIO
    return found


def measure(engine: AnswerEngine, questions: list[str], repeats: int, reference=None) -> dict:
    embedder = engine.index.dense.embedder
    for question in questions[:WARM_UP]:
        engine.ask(question)
        embedder.encode_query(question)
    whole, embed = [], []
    stages: dict[str, list[float]] = {}
    for round_ in range(repeats):
        for i, question in enumerate(questions):
            def time_answer() -> None:
                timings: dict[str, float] = {}
                engine.query_vector.cache_clear()  # measure the model every time, not the cache
                t0 = time.perf_counter()
                engine.ask(question, timings=timings)  # noqa: B023 - called within the iteration
                whole.append(time.perf_counter() - t0)
                for stage, seconds in timings.items():
                    stages.setdefault(stage, []).append(seconds)

            def time_embed() -> None:
                t0 = time.perf_counter()
                embedder.encode_query(question)  # noqa: B023 - called within the iteration
                embed.append(time.perf_counter() - t0)

            first, second = (time_answer, time_embed) if (i + round_) % 2 == 0 else (time_embed, time_answer)
            first()
            second()
    summary = {"questions": len(questions), "repeats": repeats, "encoder": embedder.runtime,
               "whole_answer": percentiles(whole), "embedding_alone": percentiles(embed),
               "stages_within_answer": {s: percentiles(v) for s, v in stages.items()}}
    summary["ratio_p50"] = summary["whole_answer"]["p50_ms"] / summary["embedding_alone"]["p50_ms"]
    summary["target_ratio"] = TARGET_RATIO
    if reference is not None:
        summary["encoders"] = compare_encoders(embedder, reference, questions)
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.bench.answer", description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="passes over the question set (default 3)")
    parser.add_argument("--out", help="folder for bench-answer.json (default: runs/bench-answer-<time>/)")
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    engine = AnswerEngine.load(settings)
    questions = [json.loads(line)["question"] for line in DEFAULT_QUESTIONS.read_text(encoding="utf-8").splitlines()
                 if line.strip()]
    reference = None
    if engine.index.dense.embedder.runtime != "torch":
        from bot.search.embedder import Embedder

        reference = Embedder(settings.resolved_model_path(), settings.index.max_seq_length)
    summary = measure(engine, questions, args.repeats, reference)
    out = Path(args.out) if args.out else PROJECT_ROOT / "runs" / \
        f"bench-answer-{datetime.now(UTC).strftime('%Y%m%dT%H%M%S')}"
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench-answer.json").write_text(json.dumps(summary, indent=1), encoding="utf-8")
    w, e = summary["whole_answer"], summary["embedding_alone"]
    print(f"{summary['questions']} questions x {summary['repeats']}: whole answer p50 {w['p50_ms']:.2f} ms, "
          f"p95 {w['p95_ms']:.2f} ms; query embedding alone p50 {e['p50_ms']:.2f} ms, p95 {e['p95_ms']:.2f} ms; "
          f"ratio {summary['ratio_p50']:.2f} (target <= {TARGET_RATIO}); encoder {summary['encoder']}")
    if "encoders" in summary:
        c = summary["encoders"]
        print(f"query embedding, blocks A B B A in the same run: {summary['encoder']} p50 {c['encoder']['p50_ms']:.2f} ms, "
              f"PyTorch p50 {c['pytorch']['p50_ms']:.2f} ms; ratio {c['ratio_p50']:.3f} (target <= {TARGET_ENCODER_RATIO})")
    for stage, value in summary["stages_within_answer"].items():
        print(f"  {stage}: p50 {value['p50_ms']:.3f} ms, p95 {value['p95_ms']:.3f} ms")
    print(f"written to {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
