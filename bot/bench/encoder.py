"""Do the ONNX and PyTorch encoders give the same vectors, and how much faster is ONNX?

On the first 1,000 SciFact documents (batches of 32, as an index build encodes) and on every
labelled question (one at a time, as a question is answered), both encoders of the same model
encode the same texts; the largest difference in any vector component is reported against the
tolerance the index build checks (bot/search/onnx_encoder.py), with each encoder's time for the
documents (in alternating blocks, never at once).

    python -m bot.bench.encoder [--documents N] [--out FOLDER]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from bot.config import PROJECT_ROOT, Settings
from bot.evaluation.beir import load_beir
from bot.search.embedder import Embedder
from bot.search.onnx_encoder import TOLERANCE, load_embedder

SCIFACT = PROJECT_ROOT.parent / "shared" / "benchmarks" / "scifact"
QUESTION_FILES = ("questions.jsonl", "default/questions.jsonl", "real/questions.jsonl", "situations.jsonl")


def labelled_questions() -> list[str]:
    folder = PROJECT_ROOT / "seeds" / "eval"
    return [json.loads(line)["question"] for name in QUESTION_FILES
            for line in (folder / name).read_text(encoding="utf-8").splitlines() if line.strip()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.bench.encoder", description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--out", help="folder for bench-encoder.json (default: runs/bench-encoder-<time>/)")
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    model, length = settings.resolved_model_path(), settings.index.max_seq_length
    onnx = load_embedder(model, length, runtime="onnx")
    torch = Embedder(model, length)
    corpus = load_beir(SCIFACT).corpus
    docs = [f"{title} {text}".strip() for title, text in list(corpus.values())[:args.documents]]
    seconds: dict[str, float] = {"onnx": 0.0, "torch": 0.0}
    vectors = {}
    for name, encoder in (("onnx", onnx), ("torch", torch), ("torch", torch), ("onnx", onnx)):
        started = time.perf_counter()
        vectors[name] = encoder.encode(docs, batch_size=32)
        seconds[name] += (time.perf_counter() - started) / 2
    questions = labelled_questions()
    question_diff = max(float(np.abs(onnx.encode_query(q) - torch.encode_query(q)).max()) for q in questions)
    found = {
        "documents": len(docs), "questions": len(questions), "tolerance": TOLERANCE,
        "documents_max_abs_diff": float(np.abs(vectors["onnx"] - vectors["torch"]).max()),
        "questions_max_abs_diff": question_diff,
        "documents_seconds": seconds, "documents_speed_up": seconds["torch"] / seconds["onnx"],
    }
    found["within_tolerance"] = max(found["documents_max_abs_diff"], question_diff) <= TOLERANCE
    out = Path(args.out) if args.out else PROJECT_ROOT / "runs" / \
        f"bench-encoder-{datetime.now(UTC).strftime('%Y%m%dT%H%M%S')}"
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench-encoder.json").write_text(json.dumps(found, indent=1), encoding="utf-8")
    print(f"{len(docs)} SciFact documents: largest difference {found['documents_max_abs_diff']:.2g}; "
          f"{len(questions)} labelled questions one at a time: {question_diff:.2g} (tolerance {TOLERANCE:.0e}); "
          f"documents encoded in {seconds['onnx']:.1f} s (ONNX) against {seconds['torch']:.1f} s (PyTorch), "
          f"{found['documents_speed_up']:.2f}x")
    print(f"written to {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
