"""`python -m bot eval`: retrieval, answers and triage measured on labelled data.

Runs any set of retrievers over either the labelled question set of the default corpus
(passage-level relevance by span overlap) or a BEIR-format folder (document-level, long
documents split into passages whose scores are max-pooled). Metrics come from ir-measures.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

import ir_measures
import numpy as np
from tqdm import tqdm

from bot.config import (
    PROJECT_ROOT,
    BM25Settings,
    ChunkSettings,
    FusionSettings,
    IndexSettings,
    Settings,
    TokenizerSettings,
)
from bot.evaluation.latency import STAGES, percentiles
from bot.library.clean import CleanDocument, Paragraph
from bot.library.passages import Passage, search_text, split_passages
from bot.search.analyzer import Analyzer
from bot.search.bm25 import BM25Retriever
from bot.search.dense import DenseRetriever, flat_index
from bot.search.embedcache import DEFAULT_CACHE_DIR, cached_encode
from bot.search.embedder import Embedder
from bot.search.fusion import fuse_rrf, fuse_weighted, max_pool
from bot.search.hits import Hit
from bot.search.onnx_encoder import load_embedder

RETRIEVER_NAMES = ("bm25", "dense", "hybrid-rrf", "hybrid-weighted")
LABELLED_MEASURES = ("nDCG@10", "R@1", "R@3", "R@10", "RR@10")
BEIR_MEASURES = ("nDCG@10", "R@1", "R@3", "R@10", "RR@10", "R@100")
RECALL_CURVE = (1, 2, 3, 5, 10, 20, 50, 100)


@dataclass(frozen=True)
class EvalConfig:
    retrievers: tuple[str, ...] = RETRIEVER_NAMES
    index: IndexSettings = field(default_factory=IndexSettings)
    rrf_k: int = 60
    dense_weight: float = 0.5
    depth: int = 1000
    bm25_unit: str = "document"  # BEIR only: BM25 over whole documents or over passages
    whole_documents_too: bool = False  # BEIR only: dense also scores the whole document
    bm25_floor: float | None = 0.0  # weighted fusion: BM25 normalised from 0 (None: list minimum)
    cv: int = 0  # folds for cross-validated tuning (0: none; the labelled set: tune on dev, report on test)


@dataclass
class SearchSpace:
    """What the retrievers search: passages, and for BEIR the document each passage belongs to."""

    passages: list[Passage]
    bm25: BM25Retriever
    dense: DenseRetriever
    parent: dict[str, str] | None = None  # passage id -> document id; None for passage-level runs
    bm25_is_document_level: bool = False
    whole: DenseRetriever | None = None  # BEIR with windows and whole documents: the whole documents alone

    def views(self):
        """The dense views the cross-validation grid searches."""
        from bot.evaluation.crossval import Views

        return Views(self.dense, self.whole, self.parent)


@dataclass
class RunResult:
    runs: dict[str, dict[str, list[Hit]]]  # retriever -> query id -> ranked hits
    latency: dict[str, list[float]]  # stage or retriever -> seconds per query
    vectors: dict[str, np.ndarray] = field(default_factory=dict)  # query id -> its embedding


def _whole(doc_id: str, text: str) -> CleanDocument:
    return CleanDocument(doc_id, text, (Paragraph(1, 0, len(text), None),))


def build_space(doc_texts: dict[str, str], config: EvalConfig, embedder: Embedder, *,
                split_documents: bool, progress: bool, cache_dir: Path = DEFAULT_CACHE_DIR,
                passages: list[Passage] | None = None) -> SearchSpace:
    """Passages (given, or cut from `doc_texts`), BM25 statistics and cached embeddings.

    With `split_documents`, each document is cut into (overlapping) passages; with
    `config.whole_documents_too` the whole document (as far as the model reads it) is kept as one
    more passage beside them, so max-pooling can pick the better of the two views.
    """
    analyzer = Analyzer(config.index.tokenizer)
    parent = None
    groups: list[list[Passage]] = [passages] if passages is not None else []
    if passages is None:
        whole = [Passage(d, d, t, 0, len(t), 1, 1, None) for d, t in doc_texts.items()]
        if split_documents:
            windows = [piece for d, t in doc_texts.items() if t.strip()
                       for piece in split_passages(_whole(d, t), config.index.chunk)]
            groups = [whole, windows] if config.whole_documents_too else [windows]
        else:
            groups = [whole]
        parent = {p.id: p.doc_id for group in groups for p in group}
    passages = [p for group in groups for p in group]
    ids = [p.id for p in passages]
    chunk = config.index.chunk
    vectors = np.vstack([cached_encode([search_text(p, chunk) for p in group], embedder, cache_dir,
                                       progress=progress)[0]
                         for group in groups])
    dense = DenseRetriever(ids, flat_index(vectors), embedder)
    whole_dense = None
    if len(groups) == 2:  # whole documents first, then their windows
        whole_dense = DenseRetriever(ids[:len(groups[0])], flat_index(vectors[:len(groups[0])]), embedder)
    bm25_settings = config.index.bm25
    document_level = parent is not None and config.bm25_unit == "document"
    if document_level:
        unit_ids, unit_texts = list(doc_texts), list(doc_texts.values())
    else:
        unit_ids, unit_texts = ids, [search_text(p, chunk) for p in passages]
    terms = [analyzer(t) for t in tqdm(unit_texts, desc="BM25 terms", disable=not progress)]
    bm25 = BM25Retriever(unit_ids, terms, analyzer, bm25_settings.k1, bm25_settings.b, bm25_settings.idf)
    return SearchSpace(passages, bm25, dense, parent, document_level, whole_dense)


def run_queries(space: SearchSpace, queries: dict[str, str], config: EvalConfig, k: int = 100,
                progress: bool = True) -> RunResult:
    """Every retriever on every query; each stage is run once per query and timed."""
    runs: dict[str, dict[str, list[Hit]]] = {name: {} for name in config.retrievers}
    latency: dict[str, list[float]] = {name: [] for name in (*STAGES, *config.retrievers)}
    vectors: dict[str, np.ndarray] = {}
    depth = max(config.depth, k)
    for qid, text in tqdm(queries.items(), desc="queries", disable=not progress):
        t0 = time.perf_counter()
        vector = vectors[qid] = space.dense.embedder.encode_query(text)
        t1 = time.perf_counter()
        lexical = space.bm25.search(text, depth)
        if space.parent is not None and not space.bm25_is_document_level:
            lexical = max_pool(lexical, space.parent, depth)
        t2 = time.perf_counter()
        semantic = space.dense.search_vector(vector, depth)
        t3 = time.perf_counter()
        if space.parent is not None:
            semantic = max_pool(semantic, space.parent, depth)
        fused = {}
        if "hybrid-rrf" in config.retrievers:
            fused["hybrid-rrf"] = fuse_rrf([lexical, semantic], k=config.rrf_k, limit=k)
        if "hybrid-weighted" in config.retrievers:
            w = config.dense_weight
            fused["hybrid-weighted"] = fuse_weighted([lexical, semantic], [1 - w, w], limit=k,
                                                     floors=[config.bm25_floor, None])
        t4 = time.perf_counter()
        stage = {"embed": t1 - t0, "bm25": t2 - t1, "faiss": t3 - t2, "fusion": t4 - t3}
        for name, seconds in stage.items():
            latency[name].append(seconds)
        totals = {"bm25": stage["bm25"], "dense": stage["embed"] + stage["faiss"],
                  "hybrid-rrf": sum(stage.values()), "hybrid-weighted": sum(stage.values())}
        for name in config.retrievers:
            hits = {"bm25": lexical[:k], "dense": semantic[:k]}.get(name) or fused.get(name, [])
            runs[name][qid] = hits
            latency[name].append(totals[name])
    return RunResult(runs, latency, vectors)


def _run_dict(hits_by_query: dict[str, list[Hit]]) -> dict[str, dict[str, float]]:
    # ir-measures orders by score; strictly decreasing pseudo-scores keep our tie-breaking.
    return {qid: {h.id: float(len(hits) - h.rank + 1) for h in hits} for qid, hits in hits_by_query.items()}


def compute_metrics(qrels: dict[str, dict[str, int]], hits_by_query: dict[str, list[Hit]],
                    measures: tuple[str, ...]) -> dict[str, float]:
    """Aggregate metrics over the judged queries, with ir-measures (trec_eval semantics)."""
    parsed = [ir_measures.parse_measure(m) for m in measures]
    run = _run_dict({q: h for q, h in hits_by_query.items() if q in qrels})
    for qid in qrels:  # a query with no results still counts, as zero
        run.setdefault(qid, {})
    if not qrels:  # nothing judged (e.g. the triage-only holdout split): no figure, not zero
        return {str(m): None for m in parsed}
    values = ir_measures.calc_aggregate(parsed, qrels, run)
    return {str(m): float(values.get(m, 0.0)) for m in parsed}


def _fit_settings(args: argparse.Namespace, beir: bool) -> EvalConfig:
    defaults = IndexSettings()
    max_words = args.max_words if args.max_words is not None else (0 if beir else defaults.chunk.max_words)
    index = IndexSettings(
        chunk=ChunkSettings(max_words=max_words or 10**9, overlap_words=args.overlap,
                            heading_context=args.heading_context),
        tokenizer=TokenizerSettings(stopwords=args.stopwords, stemmer=args.stemmer),
        bm25=BM25Settings(k1=args.k1, b=args.b, idf=args.idf),
        max_seq_length=args.max_seq_length,
    )
    retrievers = tuple(r.strip() for r in args.retrievers.split(",") if r.strip())
    unknown = set(retrievers) - set(RETRIEVER_NAMES)
    if unknown:
        raise SystemExit(f"error: unknown retriever(s) {', '.join(sorted(unknown))}; "
                         f"choose from {', '.join(RETRIEVER_NAMES)}")
    # a library's retrieval figures are those of the weight the assistant ships with; BEIR keeps
    # the even weight its published comparison was run with (README, "Results")
    dense_weight = args.dense_weight if args.dense_weight is not None else \
        (EvalConfig.dense_weight if beir else FusionSettings().dense_weight)
    return EvalConfig(retrievers, index, args.rrf_k, dense_weight, args.depth, args.bm25_unit,
                      args.whole_documents_too, 0.0 if args.bm25_norm == "zero" else None, args.cv)


def evaluate_beir(folder: Path, config: EvalConfig, embedder: Embedder, progress: bool,
                  limit: int | None = None) -> dict:
    from bot.evaluation.beir import load_beir

    collection = load_beir(folder)
    texts = {d: f"{title} {text}".strip() for d, (title, text) in collection.corpus.items()}
    split = config.index.chunk.max_words < 10**9
    space = build_space(texts, config, embedder, split_documents=split, progress=progress)
    queries = dict(list(collection.queries.items())[:limit]) if limit else collection.queries
    qrels = {q: collection.qrels[q] for q in queries}
    result = run_queries(space, queries, config, k=100, progress=progress)
    metrics = {name: compute_metrics(qrels, result.runs[name], BEIR_MEASURES) for name in config.retrievers}
    curves = {name: compute_metrics(qrels, result.runs[name], tuple(f"R@{k}" for k in RECALL_CURVE))
              for name in config.retrievers}
    outcome = {"name": collection.name, "kind": "beir", "queries": len(queries), "documents": len(collection.corpus),
               "passages": len(space.passages), "metrics": metrics, "curves": curves, "result": result}
    if config.cv:
        outcome["extra"] = {"cross_validation": cross_validated(space, queries, qrels, result.vectors, config,
                                                                 progress)}
    return outcome


def cross_validated(space: SearchSpace, queries: dict[str, str], qrels: dict, vectors: dict[str, np.ndarray],
                    config: EvalConfig, progress: bool, fold: dict[str, int] | None = None,
                    report_on: tuple[int, ...] | None = None, k: int = 100) -> dict:
    """Every grid setting on every judged query, then tuning on one fold and reporting on the other."""
    from bot.evaluation.crossval import cross_validate, expand_with_rm3, grid, per_query_ndcg, run_setting

    depth = max(config.depth, k)
    judged = {q: vectors[q] for q in queries if q in qrels}
    pooled = space.parent is not None and not space.bm25_is_document_level
    first = {q: space.bm25.search(queries[q], depth) for q in judged}
    lexical = {q: max_pool(h, space.parent, depth) for q, h in first.items()} if pooled else first
    lexical_rm3 = expand_with_rm3(space.bm25, queries, first, depth, space.parent if pooled else None)
    views = space.views()
    scores = {}
    for setting in tqdm(grid(windows=space.whole is not None), desc="settings", disable=not progress):
        run = run_setting(views, judged, lexical, lexical_rm3, setting, depth, k, config.bm25_floor)
        scores[setting] = per_query_ndcg(qrels, run)
    return cross_validate(scores, config.cv or 2, fold, report_on)


def evaluate_labelled(questions_path: Path, settings: Settings, config: EvalConfig, embedder: Embedder,
                      split: str | None, progress: bool) -> dict:
    from bot.answer.triage import DEFAULT_TRIAGE_FILE, load_triage_rules
    from bot.answer.triage import triage as triage_decision
    from bot.evaluation.labelled import load_questions, passage_qrels
    from bot.library.corpus import load_library, passages_of

    _, docs = load_library(settings.seeds_dir)
    passages = passages_of(docs, config.index.chunk)
    texts = {d.entry.id: d.clean.text for d in docs}
    questions = load_questions(questions_path, texts, split)
    space = build_space(texts, config, embedder, split_documents=False, progress=progress, passages=passages)
    queries = {q.id: q.question for q in questions}
    qrels = passage_qrels(questions, passages)
    result = run_queries(space, queries, config, k=10, progress=progress)
    metrics = {name: compute_metrics(qrels, result.runs[name], LABELLED_MEASURES) for name in config.retrievers}
    curves = {name: compute_metrics(qrels, result.runs[name], tuple(f"R@{k}" for k in RECALL_CURVE if k <= 10))
              for name in config.retrievers}

    # Answers: the engine as it ships, on an index built from the same seeds.
    from bot.evaluation.answers import evaluate_answers
    from bot.evaluation.profiles import document_kinds

    kinds = document_kinds(settings.seeds_dir)
    kept: list[dict] = []
    answers = evaluate_answers(replace(settings, index=config.index), embedder, questions,
                               kinds if len(set(kinds.values())) > 1 else None, kept)
    by_kind = {}
    for kind in sorted(set(kinds.values())) if len(set(kinds.values())) > 1 else ():
        subset = {q.id: qrels[q.id] for q in questions if q.id in qrels and kinds.get(q.primary_doc) == kind}
        if subset:
            by_kind[kind] = {name: compute_metrics(subset, result.runs[name], LABELLED_MEASURES)
                             for name in config.retrievers}
    paragraph_check = _paragraph_check(settings.seeds_dir, questions, kept)
    rules = load_triage_rules(Path(settings.prompts_dir) / DEFAULT_TRIAGE_FILE.name)
    # flagged as the engine flags it when asked (the question embedded as it embeds it, with the
    # library's abbreviations spelled out), so the figures are those of what ships
    with_model = {q.id: answer["urgent"] for q, answer in zip(questions, kept)}
    rules_only = {q.id: triage_decision(q.question, rules).urgent for q in questions}
    triage = _triage_figures(questions, with_model)
    as_the_issue_counts = written_as_summary(answers, triage)
    extra = {
        **({"cross_validation": tuned_on_dev(questions_path, texts, passages, space, embedder, config, progress)}
           if config.cv else {}),
        "answers": answers,
        **({"retrieval_by_document_kind": by_kind} if by_kind else {}),
        **({"paragraph_numbers": paragraph_check} if paragraph_check else {}),
        "triage": triage,
        **({"as_the_issue_counts": as_the_issue_counts} if as_the_issue_counts else {}),
        "triage_rules_only": _triage_figures(questions, rules_only),
        **({"danger_first": _danger_figures(questions, kept)} if any(q.situation for q in questions) else {}),
    }
    return {"name": f"labelled-{split or 'all'}", "kind": "labelled", "queries": len(qrels),
            "documents": len(docs), "passages": len(passages), "metrics": metrics, "curves": curves,
            "result": result, "extra": extra, "questions": len(questions)}


def _paragraph_check(seeds_dir: Path, questions, answers: list[dict]) -> dict | None:
    """Every quote from a numbered PDF: is its paragraph number the one the document prints?"""
    from bot.evaluation.paragraphs import check_quotes
    from bot.library.manifest import load_manifest

    try:
        import pypdf  # noqa: F401 - the second reader is a test extra (pip install -e ".[test]")
    except ImportError:
        return None
    manifest = load_manifest(seeds_dir)
    files = {e.id: manifest.source_path(e) for e in manifest.documents if e.format == "pdf"}
    if not files or not answers:
        return None
    gold = []
    for q in questions:
        spans: dict[str, dict[tuple[int, int], str]] = {}
        for span, number in q.numbered:
            spans.setdefault(span.doc_id, {})[(span.start, span.end)] = number
        gold.append(spans)
    return check_quotes(answers, files, gold)


def tuned_on_dev(questions_path: Path, texts: dict[str, str], passages: list[Passage], space: SearchSpace,
                 embedder: Embedder, config: EvalConfig, progress: bool) -> dict:
    """The search settings the protocol chooses on the dev split, reported on the test split.

    Whatever split the run reports on, tuning always sees dev and only dev; this is how the
    product's own defaults (bot/config.py FusionSettings, FeedbackSettings) are chosen.
    """
    from bot.evaluation.labelled import load_questions, passage_qrels

    tuned = [q for q in load_questions(questions_path, texts, None) if q.split in ("dev", "test")]
    qrels = passage_qrels(tuned, passages)
    encoded = embedder.encode([q.question for q in tuned])
    vectors = {q.id: vector for q, vector in zip(tuned, encoded)}
    fold = {q.id: 0 if q.split == "dev" else 1 for q in tuned if q.id in qrels}
    result = cross_validated(space, {q.id: q.question for q in tuned}, qrels, vectors, config, progress,
                             fold=fold, report_on=(1,), k=10)
    result["folds"] = {"0": "dev", "1": "test"}
    return result


def _triage_figures(questions, flagged: dict[str, bool]) -> dict[str, float | None]:
    """Recall on urgent questions; false alarms on non-urgent situations and on general questions."""
    groups = {"urgent": [], "non_urgent": [], "general": []}
    written: dict[str, list[bool]] = {}
    for q in questions:
        groups[q.category if q.category in groups else "general"].append(flagged[q.id])
        if q.written_as:
            written.setdefault(q.written_as, []).append(flagged[q.id])
    figures = {"urgent_recall": _share(groups["urgent"], True),
               "non_urgent_false_alarm": _share(groups["non_urgent"], True),
               "general_false_alarm": _share(groups["general"], True)}
    if written:
        # flagged urgent, by what the author wrote the question as: the issue counts false alarms
        # over the questions written as in scope, "what do I do" and out of scope, and incidents
        # on their own
        figures["flagged_by_written_as"] = {name: _share(values, True) for name, values in sorted(written.items())}
        questions_not_accounts = [v for name in ("in_scope", "what_to_do", "out_of_scope") for v in written.get(name, [])]
        figures["questions_flagged"] = _share(questions_not_accounts, True)
    return figures


def written_as_summary(answers: dict, triage: dict) -> dict | None:
    """The six figures the issue sets targets for, counted as it counts them: over the questions
    written as ones a passage answers (not accounts of a child now that a passage also answers),
    "what do I do" questions no document answers, out-of-scope questions, and false alarms over
    those three kinds, with incidents apart. None where the questions do not say how they were
    written."""
    by = answers.get("by_written_as")
    if not by:
        return None

    def get(kind: str, name: str) -> float | None:
        return by.get(kind, {}).get(name)

    refused = get("in_scope", "in_scope_wrongly_refused")
    todo = get("what_to_do", "procedural_answered")
    return {"hit@3": get("in_scope", "hit@3"), "highlight@3": get("in_scope", "highlight@3"),
            "highlight@1": get("in_scope", "highlight@1"),
            "answerable_answered": None if refused is None else 1 - refused,
            "what_to_do_unanswerable_refused": None if todo is None else 1 - todo,
            "out_of_scope_refused": get("out_of_scope", "out_of_scope_refused"),
            "not_urgent_flagged_urgent": triage.get("questions_flagged"),
            "incidents_flagged_urgent": triage.get("flagged_by_written_as", {}).get("incident"),
            "urgent_recall": triage.get("flagged_by_written_as", {}).get("urgent"),
            # accounts of a child now, or of an incident, that a passage also answers: the steps
            # come first for them; how often a quote follows is their own figure
            "accounts_answerable_answered": _pooled_answered(by, ("urgent", "incident")),
            "counts": {kind: sum(by[kind]["counts"].values()) for kind in sorted(by)}}


def _pooled_answered(by: dict, kinds: tuple[str, ...]) -> float | None:
    """The share answered of the answerable questions of `kinds`, pooled over them."""
    pairs = [(by[k]["counts"]["in_scope"], by[k]["in_scope_wrongly_refused"]) for k in kinds
             if k in by and by[k]["counts"]["in_scope"]]
    total = sum(n for n, _ in pairs)
    return sum(n * (1 - refused) for n, refused in pairs) / total if total else None


def _danger_figures(questions, answers: list[dict]) -> dict[str, float | None]:
    """Is 999 the first line where it should be, and only there? Over the situations labelled
    "danger" (a child may need emergency help now) and "incident" (the lead must be told now, but
    nothing says a child is in danger): 999 first on danger, and the false alarm of 999 first on an
    incident, with how many incidents still get the lead-now block. Counted on the answers the
    engine gave (`answers`, one per question in order), so the situations it recognises count."""
    groups: dict[str, list[dict]] = {"danger": [], "incident": []}
    for q, answer in zip(questions, answers):
        if q.situation in groups:
            groups[q.situation].append(answer)
    return {"danger_999_first": _share([a["danger"] for a in groups["danger"]], True),
            "danger_urgent_block": _share([a["urgent"] for a in groups["danger"]], True),
            "incident_999_first": _share([a["danger"] for a in groups["incident"]], True),
            "incident_lead_now": _share([a["urgent"] and not a["danger"] for a in groups["incident"]], True),
            "counts": {k: len(v) for k, v in groups.items()}}


def _share(values: list[bool], wanted: bool) -> float | None:
    return sum(v == wanted for v in values) / len(values) if values else None


def cmd_eval(args: argparse.Namespace) -> int:
    from bot.evaluation.report import write_outputs

    progress = not args.quiet and not args.json
    settings = Settings.from_env()
    config = _fit_settings(args, beir=bool(args.beir))
    embedder = load_embedder(settings.resolved_model_path(), config.index.max_seq_length)
    if args.beir:
        outcome = evaluate_beir(Path(args.beir), config, embedder, progress, args.limit_queries)
    else:
        import tempfile

        from bot.evaluation.profiles import QUESTIONS, ProfileError, lay_out

        split = None if args.split == "all" else args.split
        with tempfile.TemporaryDirectory(prefix="bot-eval-library-") as tmp:
            if args.seeds:
                settings = replace(settings, seeds_dir=Path(args.seeds))
            else:
                try:
                    settings = replace(settings, seeds_dir=lay_out(args.library, Path(tmp) / "library"))
                except ProfileError as exc:
                    raise SystemExit(f"error: {exc}") from None
            questions = Path(args.questions) if args.questions else QUESTIONS[args.library]
            outcome = evaluate_labelled(questions, settings, config, embedder, split, progress)
            outcome["name"] = f"{args.library if not args.seeds else 'seeds'}-{outcome['name']}"
    summary = {name: dict(values) for name, values in outcome["metrics"].items()}
    for name in config.retrievers:
        summary[name].update({f"latency_{k}": v for k, v in percentiles(outcome["result"].latency[name]).items()})
    summary.update(outcome.get("extra", {}))
    out_dir = Path(args.out) if args.out else PROJECT_ROOT / "runs" / \
        f"{outcome['name']}-{datetime.now(UTC).strftime('%Y%m%dT%H%M%S')}"
    write_outputs(out_dir, outcome, config, summary)
    if args.json:
        print(json.dumps(summary, indent=1, sort_keys=True))
    else:
        print((out_dir / "report.md").read_text(encoding="utf-8"))
        print(f"written to {out_dir}", file=sys.stderr)
    return 0


def add_eval_parser(sub) -> None:
    p = sub.add_parser("eval", help="measure retrieval, answers and triage (labelled set or a BEIR folder)")
    p.add_argument("--beir", metavar="PATH", help="a BEIR-format folder (corpus.jsonl, queries.jsonl, qrels/test.tsv)")
    p.add_argument("--library", choices=("news", "default", "real"), default="news",
                   help="library to measure on: the news seeds its labelled set was written for (default), "
                        "the default library (news + KCSIE 2025 Part one), or the real-size one (+ KCSIE 2024, "
                        "Working together 2023, KCSIE 2025 full text from ../shared/library, a school procedure)")
    p.add_argument("--questions", default=None,
                   help="labelled question set (default: seeds/eval/questions.jsonl; real: seeds/eval/real/)")
    p.add_argument("--seeds", help="a seeds folder the labelled set refers to (instead of --library)")
    p.add_argument("--split", choices=("dev", "test", "holdout", "all"), default="test",
                   help="labelled set split (default test; holdout holds triage questions only)")
    p.add_argument("--retrievers", default=",".join(RETRIEVER_NAMES),
                   help=f"comma-separated, from {', '.join(RETRIEVER_NAMES)}")
    p.add_argument("--max-words", type=int, default=None,
                   help="passage size in words (default: the index setting; BEIR: 0 = whole documents)")
    p.add_argument("--overlap", type=int, default=0, help="words of overlap between passages")
    p.add_argument("--heading-context", choices=("none", "first", "all"), default=ChunkSettings().heading_context,
                   help="search passages with the heading they stand under: none, the first after it, or all")
    p.add_argument("--stemmer", choices=("porter", "english", "none"), default=TokenizerSettings().stemmer)
    p.add_argument("--stopwords", choices=("lucene", "none"), default=TokenizerSettings().stopwords)
    p.add_argument("--k1", type=float, default=BM25Settings().k1)
    p.add_argument("--b", type=float, default=BM25Settings().b)
    p.add_argument("--idf", choices=("lucene", "okapi"), default=BM25Settings().idf)
    p.add_argument("--bm25-unit", choices=("document", "passage"), default="document",
                   help="BEIR: BM25 over whole documents (default) or over passages, max-pooled")
    p.add_argument("--whole-documents-too", action="store_true",
                   help="BEIR with --max-words: dense also embeds each whole document, max-pooled with its passages")
    p.add_argument("--rrf-k", type=int, default=60)
    p.add_argument("--dense-weight", type=float, default=None,
                   help="weighted fusion: weight of the dense score (default: the assistant's for a library, 0.5 for BEIR)")
    p.add_argument("--bm25-norm", choices=("zero", "min"), default="zero",
                   help="weighted fusion: BM25 scores normalised from 0 (default) or from the list minimum")
    p.add_argument("--depth", type=int, default=1000, help="candidates per retriever before fusion")
    p.add_argument("--max-seq-length", type=int, default=IndexSettings().max_seq_length)
    p.add_argument("--limit-queries", type=int, default=None, help="BEIR: only the first N queries (smoke runs)")
    p.add_argument("--cv", type=int, default=0, metavar="FOLDS",
                   help="tune the search settings (fusion, feedback, windows) on all folds but one and report on it "
                        "(BEIR: 2 folds by query id; the labelled set: tuned on dev, reported on test)")
    p.add_argument("--out", help="output folder (default: runs/<name>-<time>/)")
    p.add_argument("--json", action="store_true", help="print one JSON object {retriever: {metric: value}}")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    p.set_defaults(func=cmd_eval)
