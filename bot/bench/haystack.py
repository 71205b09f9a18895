"""Our hybrid retriever against Haystack 2's standard hybrid pipeline, in one run on one machine.

Why this exists: we keep our own BM25 + FAISS + fusion instead of adopting a framework, and that
choice should rest on a measurement rather than a belief. This script answers two questions on a
public benchmark (BEIR SciFact): is our ranking at least as good (nDCG@10), and how much query-time
work does each system do (per-query latency, p50 and p95).

Haystack is deliberately not a dependency of the project. It is installed only in the separate
virtual environment `.venv-bench` (`make bench-haystack` creates it), and every Haystack import
below is local to a function, so this module still imports in the project's own environment.

What is compared. Both systems search the same documents (title + " " + text, one document per
entry) and use the same model (the bundled all-MiniLM-L6-v2, loaded from disk, offline). Corpus
embeddings are computed once and shared: the Haystack documents are given the very vectors our
FAISS index holds, so document embedding is identical by construction and the comparison is of
query-time work only. Everything on Haystack's query side is Haystack's own:
SentenceTransformersTextEmbedder -> InMemoryEmbeddingRetriever and InMemoryBM25Retriever (the
document store's default BM25 variant), joined by DocumentJoiner(join_mode="reciprocal_rank_fusion"),
all in one Pipeline. Queries are timed one at a time, interleaved, alternating which system goes
first, so drifts in machine load hit both alike.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

# Set before anything imports Haystack or huggingface_hub: no telemetry, no hub look-ups.
os.environ.setdefault("HAYSTACK_TELEMETRY_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import numpy as np  # noqa: E402

from bot.config import PROJECT_ROOT, FeedbackSettings, FusionSettings, bundled_model_path  # noqa: E402
from bot.evaluation.beir import BeirCollection, load_beir  # noqa: E402
from bot.evaluation.evaluate import EvalConfig, SearchSpace, build_space, compute_metrics, run_queries  # noqa: E402
from bot.evaluation.latency import percentiles  # noqa: E402
from bot.search.embedcache import cached_encode  # noqa: E402
from bot.search.hits import Hit  # noqa: E402
from bot.search.hybrid import HybridRetriever  # noqa: E402
from bot.search.index import package_versions  # noqa: E402
from bot.search.onnx_encoder import load_embedder  # noqa: E402

if TYPE_CHECKING:
    from haystack import Pipeline

TOP_K = 100  # Haystack's retrievers and joiner; our fused list is cut to the same length
WARM_UP_QUERIES = 5
MEASURE = "nDCG@10"
OURS = "ours (hybrid-weighted)"
OURS_TUNED = "ours (hybrid-weighted, tuned)"
HAYSTACK = "Haystack (BM25 + embedding, RRF)"
VERSIONED_PACKAGES = ("haystack-ai", "sentence-transformers", "transformers", "torch", "faiss-cpu", "numpy")

Search = Callable[[str], list[Hit]]


@dataclass
class SystemResult:
    """Ranked hits and per-query wall-clock seconds of one system, keyed by query id."""

    runs: dict[str, list[Hit]]
    seconds: dict[str, float]


def build_haystack_pipeline(texts: dict[str, str], vectors: np.ndarray, model_path: Path,
                            top_k: int = TOP_K) -> Pipeline:
    """Haystack's documented hybrid retrieval pipeline over an in-memory store.

    Documents carry precomputed embeddings (ours, row for row), so no document embedder is run.
    """
    from haystack import Document, Pipeline
    from haystack.components.embedders import SentenceTransformersTextEmbedder
    from haystack.components.joiners import DocumentJoiner
    from haystack.components.retrievers.in_memory import InMemoryBM25Retriever, InMemoryEmbeddingRetriever
    from haystack.document_stores.in_memory import InMemoryDocumentStore
    from haystack.utils import ComponentDevice

    if len(vectors) != len(texts):
        raise ValueError(f"{len(vectors)} vectors for {len(texts)} documents")
    store = InMemoryDocumentStore()  # defaults: BM25L, dot-product similarity
    store.write_documents([Document(id=doc_id, content=text, embedding=vector.tolist())
                           for (doc_id, text), vector in zip(texts.items(), vectors)])
    pipeline = Pipeline()
    pipeline.add_component("text_embedder", SentenceTransformersTextEmbedder(
        model=str(model_path), device=ComponentDevice.from_str("cpu"), local_files_only=True,
        progress_bar=False))
    pipeline.add_component("bm25_retriever", InMemoryBM25Retriever(document_store=store, top_k=top_k))
    pipeline.add_component("embedding_retriever", InMemoryEmbeddingRetriever(document_store=store, top_k=top_k))
    pipeline.add_component("joiner", DocumentJoiner(join_mode="reciprocal_rank_fusion", top_k=top_k))
    pipeline.connect("text_embedder.embedding", "embedding_retriever.query_embedding")
    pipeline.connect("bm25_retriever", "joiner")
    pipeline.connect("embedding_retriever", "joiner")
    pipeline.warm_up()
    return pipeline


def haystack_search(pipeline: Pipeline) -> Search:
    """One full pipeline run per query, its documents turned into our Hit type."""

    def search(text: str) -> list[Hit]:
        result = pipeline.run({"text_embedder": {"text": text}, "bm25_retriever": {"query": text}})
        documents = result["joiner"]["documents"]
        return [Hit(str(d.id), float(d.score or 0.0), rank) for rank, d in enumerate(documents, start=1)]

    return search


def our_search(space: SearchSpace, fusion: FusionSettings, feedback: FeedbackSettings) -> Search:
    """Our search stage as the app runs it (bot/search/hybrid.py): query embedding, BM25 (RM3 when
    on), FAISS, fusion, dense feedback when on."""
    retriever = HybridRetriever(space.bm25, space.dense, fusion, feedback)

    def search(text: str) -> list[Hit]:
        return retriever.rank(text, TOP_K)

    return search


def describe(fusion: FusionSettings, feedback: FeedbackSettings) -> str:
    rocchio = (f"Rocchio feedback from the best {feedback.dense_docs} fused documents at weight "
               f"{feedback.dense_weight}" if feedback.dense_docs else "no dense feedback")
    return (f"dense weight {fusion.dense_weight}, {fusion.normalisation} normalisation, {rocchio}, "
            f"RM3 {'on' if feedback.rm3 else 'off'}")


def time_interleaved(queries: dict[str, str], systems: dict[str, Search]) -> dict[str, SystemResult]:
    """Each query through every system in turn; the starting system rotates from query to query."""
    names = list(systems)
    results = {name: SystemResult({}, {}) for name in names}
    for position, (qid, text) in enumerate(queries.items()):
        shift = position % len(names)
        for name in names[shift:] + names[:shift]:
            start = time.perf_counter()
            hits = systems[name](text)
            results[name].seconds[qid] = time.perf_counter() - start
            results[name].runs[qid] = hits
    return results


def summarise(collection: BeirCollection, queries: dict[str, str], results: dict[str, SystemResult],
              reference_ndcg: float, depth: int, vectors_cached: bool, tuned: str | None = None) -> dict[str, Any]:
    """Everything the report shows, as one JSON-serialisable dict."""
    import torch

    qrels = {q: collection.qrels[q] for q in queries}
    systems = {}
    for name, result in results.items():
        systems[name] = {MEASURE: compute_metrics(qrels, result.runs, (MEASURE,))[MEASURE],
                         **percentiles(list(result.seconds.values())),
                         "mean_ms": statistics.fmean(result.seconds.values()) * 1000,
                         "per_query_ms": {q: s * 1000 for q, s in result.seconds.items()}}
    return {
        "collection": collection.name,
        "queries": len(queries),
        "documents": len(collection.corpus),
        "top_k": TOP_K,
        "our_depth": depth,
        "warm_up_queries": WARM_UP_QUERIES,
        "corpus_vectors_from_cache": vectors_cached,
        "systems": systems,
        "p50_ratio_haystack_over_ours": systems[HAYSTACK]["p50_ms"] / systems[OURS]["p50_ms"],
        **({"p50_ratio_haystack_over_ours_tuned": systems[HAYSTACK]["p50_ms"] / systems[OURS_TUNED]["p50_ms"]}
           if OURS_TUNED in systems else {}),
        "tuned_settings": tuned,
        "reference_untimed": {"ours (hybrid-rrf)": {MEASURE: reference_ndcg}},
        "versions": package_versions(VERSIONED_PACKAGES),
        "machine": {"cpus": os.cpu_count(), "torch_threads": torch.get_num_threads()},
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def render(summary: dict[str, Any]) -> str:
    rows = ["| system | nDCG@10 | p50 ms | p95 ms |", "|---|---|---|---|"]
    for name, values in summary["systems"].items():
        rows.append(f"| {name} | {values[MEASURE]:.4f} | {values['p50_ms']:.1f} | {values['p95_ms']:.1f} |")
    v = summary["versions"]
    reference = summary["reference_untimed"]["ours (hybrid-rrf)"][MEASURE]
    return "\n".join([
        f"# Our hybrid retriever vs Haystack's hybrid pipeline: {summary['collection']}",
        "",
        f"{summary['queries']} judged test queries, {summary['documents']} documents; one run, "
        f"{summary['machine']['cpus']} CPU cores, torch using {summary['machine']['torch_threads']} threads. "
        f"Per-query wall clock of one full search (query embedding, BM25, dense search, fusion), queries "
        f"interleaved between the systems with the first system alternating; {summary['warm_up_queries']} "
        "warm-up queries per system beforehand, not timed.",
        "",
        *rows,
        "",
        f"p50 ratio, Haystack / ours: **{summary['p50_ratio_haystack_over_ours']:.2f}x**",
        *([f"p50 ratio, Haystack / ours tuned: **{summary['p50_ratio_haystack_over_ours_tuned']:.2f}x** "
           f"(tuned: {summary['tuned_settings']})"] if summary.get("tuned_settings") else []),
        "",
        "Document embeddings are identical by construction: the Haystack documents carry the same "
        "all-MiniLM-L6-v2 vectors as our FAISS index "
        f"({'read from' if summary['corpus_vectors_from_cache'] else 'computed into'} the embedding cache), "
        "so this compares query-time work only. Haystack's query side is entirely its own: "
        "SentenceTransformersTextEmbedder (same local model, CPU) -> InMemoryEmbeddingRetriever, and "
        "InMemoryBM25Retriever (default BM25L, regex tokenizer), joined by "
        f"DocumentJoiner(join_mode=\"reciprocal_rank_fusion\"), top_k={summary['top_k']} throughout.",
        f"Ours: Lucene-style analyzer (stop words, Porter stemming) BM25 and exact FAISS inner product, "
        f"{summary['our_depth']} candidates each, weighted fusion (dense weight 0.5; BM25 normalised from 0, dense min-max), cut to "
        f"{summary['top_k']}.",
        f"For reference (untimed): our hybrid-rrf, the same fusion rule as the Haystack joiner, "
        f"scores nDCG@10 {reference:.4f}.",
        "",
        "Versions: " + ", ".join(f"{name} {version}" for name, version in v.items()) + ".",
        "",
    ])


def run(folder: Path, out_dir: Path, limit: int | None, depth: int,
        tuned: tuple[FusionSettings, FeedbackSettings] | None = None) -> dict[str, Any]:
    collection = load_beir(folder)
    texts = {d: f"{title} {text}".strip() for d, (title, text) in collection.corpus.items()}
    queries = dict(list(collection.queries.items())[:limit]) if limit else collection.queries
    model_path = bundled_model_path()
    embedder = load_embedder(model_path, max_seq_length=256)  # ONNX when checked, as the product runs
    print(f"our encoder: {embedder.runtime}", file=sys.stderr)

    config = EvalConfig(retrievers=("hybrid-weighted",), depth=depth)
    print(f"building our search space over {len(texts)} documents", file=sys.stderr)
    space = build_space(texts, config, embedder, split_documents=False, progress=False)
    vectors, cached = cached_encode(list(texts.values()), embedder, progress=True)
    print("building the Haystack document store and pipeline", file=sys.stderr)
    pipeline = build_haystack_pipeline(texts, vectors, model_path)

    systems = {OURS: our_search(space, FusionSettings(depth=depth), FeedbackSettings())}
    if tuned is not None:
        systems[OURS_TUNED] = our_search(space, *tuned)
    systems[HAYSTACK] = haystack_search(pipeline)
    warm_up = list(queries.values())[:WARM_UP_QUERIES]
    for search in systems.values():
        for text in warm_up:
            search(text)
    print(f"timing {len(queries)} queries on both systems", file=sys.stderr)
    results = time_interleaved(queries, systems)

    reference = run_queries(space, queries, EvalConfig(retrievers=("hybrid-rrf",), depth=depth),
                            k=TOP_K, progress=False).runs["hybrid-rrf"]
    qrels = {q: collection.qrels[q] for q in queries}
    summary = summarise(collection, queries, results, compute_metrics(qrels, reference, (MEASURE,))[MEASURE],
                        depth, cached, describe(*tuned) if tuned is not None else None)
    report = render(summary)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "haystack-comparison.md").write_text(report, encoding="utf-8")
    (out_dir / "haystack-comparison.json").write_text(json.dumps(summary, indent=1), encoding="utf-8")
    print(report)
    print(f"written to {out_dir}", file=sys.stderr)
    return summary


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.bench.haystack", description=__doc__.splitlines()[0])
    parser.add_argument("--beir", required=True, metavar="PATH", help="BEIR folder, e.g. BEIR SciFact")
    parser.add_argument("--limit-queries", type=int, default=None, help="only the first N judged queries")
    parser.add_argument("--depth", type=int, default=FusionSettings().depth,
                        help="our candidates per retriever before fusion (default: the app's, %(default)s, "
                             "the same as Haystack's top_k)")
    tuned = parser.add_argument_group("a tuned setting timed beside the default (any of these adds it)")
    tuned.add_argument("--dense-weight", type=float, default=None, help="weighted fusion: weight of the dense score")
    tuned.add_argument("--normalisation", choices=("minmax", "zscore"), default=None)
    tuned.add_argument("--feedback-docs", type=int, default=None, help="Rocchio: fused documents fed back")
    tuned.add_argument("--feedback-weight", type=float, default=None, help="Rocchio: their weight")
    tuned.add_argument("--rm3", action="store_true", help="RM3 expansion of the BM25 query")
    parser.add_argument("--out", help="output folder (default: runs/haystack-<time>/)")
    args = parser.parse_args(argv)
    given = {"dense_weight": args.dense_weight, "normalisation": args.normalisation}
    fusion = FusionSettings(depth=args.depth, **{k: v for k, v in given.items() if v is not None})
    feedback = FeedbackSettings(dense_docs=args.feedback_docs or 0,
                                dense_weight=args.feedback_weight if args.feedback_weight is not None else 0.5,
                                rm3=args.rm3)
    any_tuned = args.rm3 or args.feedback_docs or any(v is not None for v in given.values())
    try:
        import haystack  # noqa: F401
    except ImportError:
        parser.exit(2, "error: Haystack is not installed here; run `make bench-haystack`, which uses .venv-bench\n")
    out_dir = Path(args.out) if args.out else \
        PROJECT_ROOT / "runs" / f"haystack-{datetime.now(UTC).strftime('%Y%m%dT%H%M%S')}"
    run(Path(args.beir), out_dir, args.limit_queries, args.depth, (fusion, feedback) if any_tuned else None)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
