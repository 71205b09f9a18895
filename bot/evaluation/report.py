"""Evaluation outputs: Markdown report, metrics JSON, TREC run files and a PNG plot."""

from __future__ import annotations

import json
from pathlib import Path

from bot.evaluation.latency import STAGES, percentiles
from bot.evaluation.published import PUBLISHED_NDCG10


def write_trec_run(path: Path, hits_by_query: dict, tag: str) -> None:
    """Standard six-column TREC run format, readable by trec_eval."""
    with open(path, "w", encoding="utf-8") as handle:
        for qid, hits in hits_by_query.items():
            for hit in hits:
                # Scores strictly decrease with rank so trec_eval keeps our order on ties.
                handle.write(f"{qid} Q0 {hit.id} {hit.rank} {len(hits) - hit.rank + 1 + hit.score * 1e-9:.9f} {tag}\n")


def _table(rows: list[list[str]]) -> str:
    head, *body = rows
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in body]
    return "\n".join(lines)


def render_report(outcome: dict, config, summary: dict) -> str:
    metrics = outcome["metrics"]
    measures = list(next(iter(metrics.values())).keys())
    parts = [
        f"# Evaluation: {outcome['name']}",
        "",
        f"{outcome['queries']} judged queries, {outcome['documents']} documents, {outcome['passages']} passages. "
        + (f"Passages of at most {config.index.chunk.max_words} words, overlap {config.index.chunk.overlap_words}"
           if config.index.chunk.max_words < 10**9 else "Whole documents, not split")
        + f"; tokenizer {config.index.tokenizer.stopwords} stop words, "
        f"{config.index.tokenizer.stemmer} stemmer; BM25 k1={config.index.bm25.k1} b={config.index.bm25.b}; "
        f"RRF k={config.rrf_k}; weighted fusion dense weight {config.dense_weight}, BM25 normalised from "
        f"{'0' if config.bm25_floor == 0 else 'the list minimum'}; depth {config.depth}.",
        "",
        "## Retrieval",
        "",
        _table([["retriever", *measures, "p50 ms", "p95 ms"]] + [
            [name, *(_number(metrics[name][m], 4) for m in measures),
             f"{summary[name]['latency_p50_ms']:.1f}", f"{summary[name]['latency_p95_ms']:.1f}"]
            for name in metrics
        ]),
    ]
    published = PUBLISHED_NDCG10.get(outcome["name"].lower())
    if published:
        parts += ["", "## Published reference figures (nDCG@10)", "",
                  _table([["system", "nDCG@10"]] + [[name, f"{value:.3f}"] for name, value in published]
                         + [[f"ours: {name}", _number(metrics[name]["nDCG@10"], 3)] for name in metrics])]

    latency = outcome["result"].latency
    parts += ["", "## Latency per stage (per query)", "",
              _table([["stage", "p50 ms", "p95 ms"]] + [
                  [s, f"{percentiles(latency[s])['p50_ms']:.2f}", f"{percentiles(latency[s])['p95_ms']:.2f}"]
                  for s in STAGES])]
    for section in ("answers", "as_the_issue_counts", "triage", "triage_rules_only", "danger_first"):
        if section in summary:
            parts += ["", f"## {section.replace('_', ' ').capitalize()}", "",
                      _table([["measure", "value"]] + [[k, _number(v, 3) if isinstance(v, float) or v is None else str(v)]
                                                       for k, v in summary[section].items()])]
    if "cross_validation" in summary:
        parts += cross_validation_section(summary["cross_validation"])
    return "\n".join(parts) + "\n"


def cross_validation_section(cv: dict) -> list[str]:
    """The tuned figure beside the default, each fold's choice, and the grid it was chosen from."""
    choices = [["tuned on fold(s)", "reported on fold", "best on the tuning fold", "its tuning / held-out nDCG@10",
                "gain p", "kept", "kept: tuning nDCG@10 (default)", "kept: held-out nDCG@10 (default)"]]
    for c in cv["choices"]:
        best = ", ".join(f"{k} {v}" for k, v in c["best_on_tuning_fold"].items())
        choices.append([" ".join(str(f) for f in c["chosen_on_folds"]), str(c["reported_on_fold"]), best,
                        f"{c['best_on_tuning_fold_tuning_ndcg10']:.4f} / {c['best_on_tuning_fold_held_out_ndcg10']:.4f}",
                        f"{c['gain_p_value']:.3f}", "it" if c["significant"] else "the default",
                        f"{c['tuning_ndcg10']:.4f} ({c['tuning_default_ndcg10']:.4f})",
                        f"{c['held_out_ndcg10']:.4f} ({c['held_out_default_ndcg10']:.4f})"])
    grid = "; ".join(f"{k}: {v}" for k, v in cv["grid"].items())
    return ["", "## Cross-validated tuning (no setting is reported on the queries it was chosen on)", "",
            _table([["figure", "nDCG@10"],
                    ["tuned, cross-validated (a setting kept only on a significant gain)",
                     f"{cv['cross_validated_ndcg10']:.4f}"],
                    ["untuned default", f"{cv['default_ndcg10']:.4f}"],
                    ["the best setting of each tuning fold, whatever its gain, cross-validated",
                     f"{cv['cross_validated_best_on_tuning_fold_ndcg10']:.4f}"],
                    ["best setting on the reported queries (optimistic, for contrast)",
                     f"{cv['best_on_reported_queries_ndcg10_optimistic']:.4f}"]]),
            "", f"Folds: {cv['folds']}. Grid ({cv['settings_tried']} settings): {grid}. A setting replaces the "
            f"default when its gain on the tuning fold has p < {cv['significance_level']} (one-sided paired "
            "t-test).", "", _table(choices)]


def _number(value: float | None, digits: int) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def plot(path: Path, outcome: dict) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt


    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    for name, curve in outcome["curves"].items():
        ks = [int(m.split("@")[1]) for m in curve]
        left.plot(ks, [float("nan") if v is None else v for v in curve.values()], marker="o", label=name)
    left.set_xscale("log")
    left.set_xlabel("k")
    left.set_ylabel("Recall@k")
    left.set_title(f"Recall@k, {outcome['name']}")
    left.grid(True, alpha=0.3)
    left.legend()
    latency = outcome["result"].latency
    p50 = [percentiles(latency[s])["p50_ms"] for s in STAGES]
    p95 = [percentiles(latency[s])["p95_ms"] for s in STAGES]
    x = range(len(STAGES))
    right.bar([i - 0.2 for i in x], p50, width=0.4, label="p50")
    right.bar([i + 0.2 for i in x], p95, width=0.4, label="p95")
    right.set_xticks(list(x), STAGES)
    right.set_ylabel("ms per query")
    right.set_title("Latency per stage")
    right.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_outputs(out_dir: Path, outcome: dict, config, summary: dict) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, hits in outcome["result"].runs.items():
        write_trec_run(out_dir / f"{name}.trec", hits, name)
    (out_dir / "metrics.json").write_text(json.dumps(summary, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    (out_dir / "report.md").write_text(render_report(outcome, config, summary), encoding="utf-8")
    plot(out_dir / "plot.png", outcome)
