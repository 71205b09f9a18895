"""Scale: build time, memory, disk and per-stage query latency at 10k, 100k and 1M passages.

What is real and what is not, said plainly in the report as well:
- Text: passages are real text, the BEIR SciFact and NFCorpus documents cut into 90-word
  windows (about 17,000). Larger collections add passages made by joining four random
  sentences of that real text (seeded), so BM25 sees real vocabulary and real lengths.
- Vectors: the first `--real-vectors` passages are embedded with the bundled model, and that
  run also gives the build-throughput figure. Beyond them, vectors are real embeddings of
  those passages plus Gaussian noise (renormalised): they keep the clustered shape of real
  embeddings (which decides how approximate indexes behave) without hours of CPU encoding.
- Queries: real SciFact and NFCorpus queries, embedded by the model each time (the embedding
  is part of every hybrid figure).

    python -m bot.bench.scale [--sizes 10000,100000,1000000] [--real-vectors 10000] [--queries 100]
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import re
import shutil
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import faiss
import numpy as np

from bot.config import PROJECT_ROOT, FusionSettings, IndexSettings, Settings
from bot.evaluation.beir import load_beir
from bot.evaluation.latency import percentiles
from bot.search.analyzer import Analyzer
from bot.search.bm25 import BM25Retriever, FastBM25Retriever
from bot.search.dense import index_for
from bot.search.embedcache import cached_encode
from bot.search.embedder import Embedder
from bot.search.fusion import fuse_weighted
from bot.search.hits import Hit
from bot.search.index import build_index, load_index
from bot.search.onnx_encoder import load_embedder

BENCHMARKS = PROJECT_ROOT.parent / "shared" / "benchmarks"
WORDS_PER_PASSAGE = 90
RANK_BM25_UP_TO = 100_000  # beyond this the reference engine's build is not attempted (minutes, GBs)


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def real_passages(folders: list[Path]) -> tuple[list[str], list[str]]:
    """90-word windows of every document, and the queries, of the BEIR folders given."""
    passages, queries = [], []
    for folder in folders:
        collection = load_beir(folder)
        for title, text in collection.corpus.values():
            words = f"{title} {text}".split()
            passages += [" ".join(words[i:i + WORDS_PER_PASSAGE]) for i in range(0, len(words), WORDS_PER_PASSAGE)]
        queries += list(collection.queries.values())
    return passages, queries


def grow(real: list[str], n: int, seed: int = 13) -> list[str]:
    if n <= len(real):
        return real[:n]
    sentences = [s for p in real for s in re.split(r"(?<=[.!?])\s+", p) if len(s.split()) >= 4]
    rng = random.Random(seed)
    return real + [" ".join(rng.sample(sentences, 4)) for _ in range(n - len(real))]


def grow_vectors(real: np.ndarray, n: int, seed: int = 13) -> np.ndarray:
    if n <= len(real):
        return real[:n]
    rng = np.random.default_rng(seed)
    extra = real[rng.integers(0, len(real), n - len(real))] + rng.normal(0, 0.04, (n - len(real), real.shape[1]))
    extra = extra.astype(np.float32)
    faiss.normalize_L2(extra)
    return np.vstack([real, extra])


def timed_queries(fn, queries: list, repeat_warm: int = 3) -> tuple[dict, list]:
    for q in queries[:repeat_warm]:
        fn(q)
    seconds, results = [], []
    for q in queries:
        t0 = time.perf_counter()
        results.append(fn(q))
        seconds.append(time.perf_counter() - t0)
    return percentiles(seconds), results


def measure_size(n: int, texts: list[str], vectors: np.ndarray, query_texts: list[str], query_vectors: np.ndarray,
                 embedder: Embedder, analyzer: Analyzer, workdir: Path) -> dict:
    out: dict = {"passages": n}
    ids = [str(i) for i in range(n)]
    gc.collect()
    base = rss_mib()
    t0 = time.perf_counter()
    terms = [analyzer(t) for t in texts]
    out["tokenize_s"] = round(time.perf_counter() - t0, 1)

    def build(name: str, make):
        gc.collect()
        before = rss_mib()
        t0 = time.perf_counter()
        engine = make(ids, terms, analyzer)
        key = name.replace("-", "_")
        out[f"bm25_{key}_build_s"] = round(time.perf_counter() - t0, 1)
        out[f"bm25_{key}_mib"] = round(rss_mib() - before, 1)
        return engine

    engines = {}
    if n <= RANK_BM25_UP_TO:
        engines["rank-bm25"] = build("rank-bm25", BM25Retriever)
    engines["bm25s"] = build("bm25s", FastBM25Retriever)
    depth = FusionSettings().depth
    for name, engine in engines.items():
        out[f"bm25_{name.replace('-', '_')}_query_ms"], _ = timed_queries(lambda q: engine.search(q, depth),  # noqa: B023 - used at once
                                                                           query_texts)
    if "rank-bm25" in engines:
        same = sum([h.id for h in engines["rank-bm25"].search(q, 10)] == [h.id for h in engines["bm25s"].search(q, 10)]
                   for q in query_texts)
        out["bm25_engines_same_top10"] = f"{same}/{len(query_texts)}"
    # the engine the app's "auto" setting would load; the other is dropped before the dense part
    bm25 = engines["bm25s" if n >= Settings().bm25s_from_passages or "rank-bm25" not in engines else "rank-bm25"]
    engines.clear()
    gc.collect()

    # dense: exact flat search as the reference, and the index the size calls for
    t0 = time.perf_counter()
    flat = faiss.IndexFlatIP(vectors.shape[1])
    flat.add(vectors)
    out["faiss_flat_build_s"] = round(time.perf_counter() - t0, 2)
    out["faiss_flat_query_ms"], exact = timed_queries(lambda v: flat.search(v.reshape(1, -1), depth), list(query_vectors))
    gc.collect()
    before = rss_mib()
    t0 = time.perf_counter()
    ann, kind = index_for(vectors)
    out["faiss_index"] = kind
    out["faiss_build_s"] = round(time.perf_counter() - t0, 1)
    out["faiss_mib"] = round(rss_mib() - before, 1)
    out["faiss_query_ms"], approx = timed_queries(lambda v: ann.search(v.reshape(1, -1), depth), list(query_vectors))
    recall = [len(set(a[1][0][:10]) & set(e[1][0][:10])) / 10 for a, e in zip(approx, exact)]
    out["faiss_recall_at_10_vs_exact"] = round(float(np.mean(recall)), 4)

    # disk: what an index of this size writes (passages with terms, vectors)
    folder = workdir / f"n{n}"
    folder.mkdir()
    with open(folder / "passages.jsonl", "w", encoding="utf-8") as handle:
        for i, (text, t) in enumerate(zip(texts, terms)):
            handle.write(json.dumps({"id": ids[i], "text": text, "terms": t}) + "\n")
    faiss.write_index(ann, str(folder / "dense.faiss"))
    out["disk_mib"] = round(sum(f.stat().st_size for f in folder.iterdir()) / 2**20, 1)
    shutil.rmtree(folder)
    out["process_rss_growth_mib"] = round(rss_mib() - base, 1)

    # hybrid, per stage, as the app runs it (query embedding included)
    stages: dict[str, list[float]] = {"embed": [], "bm25": [], "faiss": [], "fusion": [], "total": []}
    for q in query_texts[:3]:
        embedder.encode_query(q)
    for q in query_texts:
        t0 = time.perf_counter()
        v = embedder.encode_query(q)
        t1 = time.perf_counter()
        lexical = bm25.search(q, depth)
        t2 = time.perf_counter()
        scores, rows = ann.search(v.reshape(1, -1), depth)
        semantic = [Hit(ids[r], float(s), k) for k, (s, r) in enumerate(zip(scores[0], rows[0]), start=1) if r >= 0]
        t3 = time.perf_counter()
        fuse_weighted([lexical, semantic], [0.5, 0.5], limit=10, floors=[0.0, None])
        t4 = time.perf_counter()
        for stage, seconds in zip(("embed", "bm25", "faiss", "fusion", "total"),
                                  (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t4 - t0)):
            stages[stage].append(seconds)
    out["hybrid_ms"] = {stage: percentiles(values) for stage, values in stages.items()}
    return out


def build_throughput(texts: list[str], embedder: Embedder, workdir: Path) -> dict:
    """The real `python -m bot index` pipeline against the model alone, on the same passages.

    The texts become one plain-text seed document; `build_index` cleans, splits, tokenises,
    embeds, writes and verifies it. The model alone then encodes exactly the passages that build
    produced, once before and once after, and the two timings are averaged.
    """
    seeds = workdir / "seeds"
    seeds.mkdir()
    (seeds / "sample.txt").write_text("\n\n".join(texts), encoding="utf-8")
    (seeds / "manifest.toml").write_text('[[document]]\nid = "sample"\nfile = "sample.txt"\n'
                                         'title = "BEIR sample"\npublisher = "BEIR"\n', encoding="utf-8")
    settings = replace(Settings(), seeds_dir=seeds, index_dir=workdir / "index")
    build_index(settings, embedder=embedder, progress=False)  # warm-up: model and caches
    passages = [p.text for p in load_index(settings, embedder=embedder).passages]
    t0 = time.perf_counter()
    embedder.encode(passages)
    raw_first = time.perf_counter() - t0
    t0 = time.perf_counter()
    build_index(settings, embedder=embedder, progress=False, reuse=False)  # every passage embedded again
    build_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    embedder.encode(passages)
    raw_s = (raw_first + time.perf_counter() - t0) / 2
    return {"passages": len(passages), "raw_model_passages_per_s": round(len(passages) / raw_s, 1),
            "index_build_passages_per_s": round(len(passages) / build_s, 1),
            "share_of_raw": round(raw_s / build_s, 3)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.bench.scale", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--real-vectors", type=int, default=10_000, help="passages embedded by the model")
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--throughput-sample", type=int, default=1500, help="passages for the build-throughput test")
    parser.add_argument("--beir", nargs="*", default=[str(BENCHMARKS / "scifact"), str(BENCHMARKS / "nfcorpus")])
    parser.add_argument("--out", help="folder for scale.json (default: runs/scale-<time>/)")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    settings = Settings()
    embedder = load_embedder(settings.resolved_model_path(), settings.index.max_seq_length)
    analyzer = Analyzer(IndexSettings().tokenizer)
    real, queries = real_passages([Path(p) for p in args.beir])
    queries = queries[:args.queries]
    texts_all = grow(real, max(sizes))
    print(f"{len(real)} real passages; largest collection {max(sizes)}", file=sys.stderr, flush=True)

    with tempfile.TemporaryDirectory() as tmp:
        throughput = build_throughput(texts_all[:args.throughput_sample], embedder, Path(tmp))
    print(json.dumps(throughput), file=sys.stderr, flush=True)
    sample = texts_all[:args.real_vectors]
    real_vectors, _ = cached_encode(sample, embedder, PROJECT_ROOT / ".cache", progress=True)
    query_vectors = np.vstack([embedder.encode_query(q) for q in queries])

    results = {"when": datetime.now(UTC).isoformat(timespec="seconds"), "real_passages": len(real),
               "real_vectors": len(sample), "queries": len(queries), "build_throughput": throughput, "sizes": []}
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            print(f"measuring {n} passages", file=sys.stderr, flush=True)
            vectors = grow_vectors(real_vectors, n)
            results["sizes"].append(measure_size(n, texts_all[:n], vectors, queries, query_vectors, embedder,
                                                 analyzer, Path(tmp)))
            print(json.dumps(results["sizes"][-1]), file=sys.stderr, flush=True)
            del vectors
            gc.collect()
    out = Path(args.out) if args.out else PROJECT_ROOT / "runs" / \
        f"scale-{datetime.now(UTC).strftime('%Y%m%dT%H%M%S')}"
    out.mkdir(parents=True, exist_ok=True)
    (out / "scale.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    print(json.dumps(results, indent=1))
    print(f"written to {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
