"""What a real-size library costs: the index build's time and peak memory, and answer latency.

The library is the `real` evaluation profile (the default library plus KCSIE 2024, Working
together 2023 and the full KCSIE 2025 text from ../shared/library, and a school's Word procedure:
about 400 pages). The build runs as its own process, so its peak memory (maximum resident set)
is the build's alone; the answers are then timed in-process against the query embedding, as
`python -m bot.bench.answer` does for the default library.

    python -m bot.bench.library [--repeats N]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from bot.answer.engine import AnswerEngine
from bot.bench.answer import measure
from bot.config import PROJECT_ROOT, Settings
from bot.evaluation.profiles import QUESTIONS, lay_out


def pages_of(seeds: Path) -> int:
    """Pages of the library's PDFs and form-feed text, counted from the sources themselves."""
    from bot.library.manifest import load_manifest

    total = 0
    for entry in load_manifest(seeds).documents:
        path = seeds / entry.file
        if entry.format == "pdf":
            import pdfplumber

            with pdfplumber.open(str(path)) as pdf:
                total += len(pdf.pages)
        elif entry.format == "text":
            total += path.read_text(encoding="utf-8").count("\f") + 1
    return total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.bench.library", description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=1, help="rounds over the questions (default 1)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-library-") as tmp:
        seeds = lay_out("real", Path(tmp) / "seeds")
        index_dir = Path(tmp) / "index"
        # a first build: every PDF read from scratch (an empty cache folder), as when a library is new
        cold = {**os.environ, "BOT_CACHE_DIR": str(Path(tmp) / "cache")}
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "bot", "index", "--quiet", "--seeds", str(seeds),
                        "--index-dir", str(index_dir)], cwd=PROJECT_ROOT, check=True, stdout=subprocess.DEVNULL,
                       env=cold)
        build_seconds = time.perf_counter() - started
        peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # Linux reports KiB
        # a rebuild, as after a publish: the PDFs already read are taken from the cache, and the
        # vectors of every text the earlier build embedded are kept (in place, as a publish keeps
        # the serving version's); then the same with every text embedded again
        rebuild_seconds = {}
        for name, target in (("kept", index_dir), ("embedded_again", Path(tmp) / "index-again")):
            started = time.perf_counter()
            subprocess.run([sys.executable, "-m", "bot", "index", "--quiet", "--seeds", str(seeds),
                            "--index-dir", str(target)], cwd=PROJECT_ROOT, check=True, stdout=subprocess.DEVNULL,
                           env=cold)
            rebuild_seconds[name] = round(time.perf_counter() - started, 1)
        settings = replace(Settings(), seeds_dir=seeds, index_dir=index_dir)
        engine = AnswerEngine.load(settings)
        questions = [json.loads(line)["question"] for line in QUESTIONS["real"].read_text(encoding="utf-8").splitlines()
                     if json.loads(line)["split"] != "holdout"]
        latency = measure(engine, questions, args.repeats)
        summary = {
            "library": {"documents": len(engine.index.documents), "pages": pages_of(seeds),
                        "passages": len(engine.index.passages),
                        "sentences": int(engine.index.sentence_vectors.shape[0])},
            "build_seconds": round(build_seconds, 1),
            "rebuild_seconds_pdfs_already_read": rebuild_seconds["embedded_again"],
            "rebuild_seconds_vectors_kept": rebuild_seconds["kept"],
            "build_peak_mib": round(peak_mib),
            **latency,
        }
    print(json.dumps(summary, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
