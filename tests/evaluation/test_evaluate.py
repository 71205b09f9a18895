"""Evaluation plumbing: metrics against hand-computed values, BEIR reading, caching, outputs, floors."""

import json
import math
from dataclasses import replace
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import Settings
from bot.evaluation.beir import CollectionError, load_beir
from bot.evaluation.crossval import GRID
from bot.evaluation.evaluate import EvalConfig, compute_metrics, evaluate_labelled
from bot.evaluation.labelled import DEFAULT_QUESTIONS
from bot.search.hits import Hit


def ranking(*ids):
    return [Hit(i, 10.0 - n, n + 1) for n, i in enumerate(ids)]


def test_metrics_match_a_hand_computed_example():
    qrels = {"q1": {"d1": 1, "d3": 1}, "q2": {"d9": 2, "d8": 1}}
    run = {"q1": ranking("d2", "d1", "d3"), "q2": ranking("d9", "d7")}
    metrics = compute_metrics(qrels, run, ("nDCG@10", "R@1", "R@3", "RR@10"))
    q1_ndcg = (1 / math.log2(3) + 1 / math.log2(4)) / (1 + 1 / math.log2(3))
    q2_ndcg = (2 / math.log2(2)) / (2 + 1 / math.log2(3))  # trec_eval (and BEIR): gain = grade
    assert metrics["nDCG@10"] == pytest.approx((q1_ndcg + q2_ndcg) / 2, abs=1e-4)
    assert metrics["R@1"] == pytest.approx((0 + 0.5) / 2)
    assert metrics["R@3"] == pytest.approx((1 + 0.5) / 2)
    assert metrics["RR@10"] == pytest.approx((0.5 + 1) / 2)


def test_a_query_without_results_counts_as_zero():
    metrics = compute_metrics({"q1": {"d1": 1}, "q2": {"d2": 1}}, {"q1": ranking("d1")}, ("R@1",))
    assert metrics["R@1"] == pytest.approx(0.5)


def write_beir(folder: Path) -> None:
    (folder / "qrels").mkdir(parents=True)
    docs = [
        ("d1", "Sextortion", "Blackmail of children with sexual images is rising, police warn."),
        ("d2", "Nudify apps", "Apps that edit a photo to make someone appear nude are used by pupils."),
        ("d3", "School meals", "Free school meals are available to pupils from low income families."),
        ("d4", "Timetables", "The new timetable starts in September with longer lunch breaks."),
    ]
    with open(folder / "corpus.jsonl", "w", encoding="utf-8") as handle:
        for doc_id, title, text in docs:
            handle.write(json.dumps({"_id": doc_id, "title": title, "text": text, "metadata": {}}) + "\n")
    with open(folder / "queries.jsonl", "w", encoding="utf-8") as handle:
        for qid, text in [("q1", "children blackmailed with images"), ("q2", "apps making fake nude photos"),
                          ("q3", "unjudged query")]:
            handle.write(json.dumps({"_id": qid, "text": text, "metadata": {}}) + "\n")
    (folder / "qrels" / "test.tsv").write_bytes(b"query-id\tcorpus-id\tscore\r\nq1\td1\t1\r\nq2\td2\t2\r\n")


def test_beir_reader_handles_crlf_qrels_and_keeps_only_judged_queries(tmp_path: Path):
    write_beir(tmp_path)
    collection = load_beir(tmp_path)
    assert collection.qrels == {"q1": {"d1": 1}, "q2": {"d2": 2}}
    assert set(collection.queries) == {"q1", "q2"}
    assert collection.corpus["d2"][0] == "Nudify apps"
    with pytest.raises(CollectionError, match="missing"):
        load_beir(tmp_path / "nothing")


@pytest.mark.slow
def test_eval_on_a_beir_folder_writes_report_runs_plot_and_json(tmp_path: Path, capsys):
    write_beir(tmp_path / "tiny")
    out = tmp_path / "out"
    assert main(["eval", "--beir", str(tmp_path / "tiny"), "--json", "--out", str(out), "--max-words", "8",
                 "--overlap", "3"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert set(summary) == {"bm25", "dense", "hybrid-rrf", "hybrid-weighted"}
    for values in summary.values():
        assert values["nDCG@10"] == pytest.approx(1.0)  # each query has one obvious answer
        assert values["latency_p50_ms"] > 0
    lines = (out / "hybrid-rrf.trec").read_text().splitlines()
    qid, q0, doc, rank, score, tag = lines[0].split()
    assert (qid, q0, rank, tag) == ("q1", "Q0", "1", "hybrid-rrf") and doc == "d1"
    assert (out / "plot.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    report = (out / "report.md").read_text()
    assert "nDCG@10" in report and "Latency per stage" in report


@pytest.mark.slow
def test_hybrid_retrieval_floor_on_the_labelled_test_split(embedder, tmp_path):
    """Quality floors: each set just under the figure measured with the default settings, on the
    news library the labelled set was written for (`bot eval --library news`)."""
    from bot.evaluation.profiles import lay_out

    news = replace(Settings(), seeds_dir=lay_out("news", tmp_path / "news"))
    outcome = evaluate_labelled(DEFAULT_QUESTIONS, news, EvalConfig(), embedder, "test", progress=False)
    hybrid = outcome["metrics"]["hybrid-weighted"]  # the app's default fusion
    assert hybrid["nDCG@10"] >= HYBRID_TEST_NDCG10_FLOOR
    assert hybrid["R@3"] >= HYBRID_TEST_R3_FLOOR
    assert outcome["metrics"]["hybrid-rrf"]["nDCG@10"] >= RRF_TEST_NDCG10_FLOOR
    answers, triage = outcome["extra"]["answers"], outcome["extra"]["triage"]
    assert answers["procedural_answered"] <= PROCEDURAL_ANSWERED_CEILING
    assert answers["out_of_scope_refused"] >= OUT_OF_SCOPE_REFUSED_FLOOR
    assert answers["in_scope_wrongly_refused"] <= WRONGLY_REFUSED_CEILING
    assert answers["hit@3"] >= HIT3_FLOOR
    assert answers["highlight@3"] >= HIGHLIGHT3_FLOOR
    assert triage["urgent_recall"] >= TRIAGE_RECALL_FLOOR
    assert triage["non_urgent_false_alarm"] <= TRIAGE_FALSE_ALARM_CEILING
    assert triage["general_false_alarm"] <= TRIAGE_GENERAL_FALSE_ALARM_CEILING
    danger = outcome["extra"]["danger_first"]
    assert danger["danger_999_first"] >= DANGER_999_FIRST_FLOOR
    assert danger["incident_999_first"] <= INCIDENT_999_FIRST_CEILING


@pytest.mark.slow
def test_triage_floor_on_the_holdout_split(embedder, tmp_path):
    """Triage patterns were revised after reading test-split misses; holdout keeps an honest check."""
    from bot.evaluation.profiles import lay_out

    news = replace(Settings(), seeds_dir=lay_out("news", tmp_path / "news"))
    outcome = evaluate_labelled(DEFAULT_QUESTIONS, news, EvalConfig(retrievers=("bm25",)), embedder,
                                "holdout", progress=False)
    triage = outcome["extra"]["triage"]
    assert triage["urgent_recall"] >= HOLDOUT_TRIAGE_RECALL_FLOOR
    assert triage["non_urgent_false_alarm"] <= HOLDOUT_TRIAGE_FALSE_ALARM_CEILING


# Measured on the test split with the default settings (90-word passages, BM25 normalised from 0,
# answerability weights 1.0 / 0.2 and bars 0.7 / 1.15 chosen on dev, question kind 0.2, heading
# signals): hybrid-weighted nDCG@10 0.832, R@3 0.819; hybrid-rrf nDCG@10 0.795; unanswerable "what do
# I do" questions answered 0.0 (of 19), out-of-scope refused 1.0 (of 19), in-scope wrongly refused
# 0.097 (7 of 72), hit@3 0.923 and highlight@3 0.815 of the answered in-scope; urgent recall 1.0,
# false alarms 0.0 on non-urgent situations and 0.013 on general questions (patterns revised after
# reading test misses); 999 first for 12 of 12 danger situations and 1 of 5 incidents; holdout
# (q384-q443, measured once): urgent recall 1.0, false alarms 0.033. Each floor allows one more miss.
HYBRID_TEST_NDCG10_FLOOR = 0.82
HYBRID_TEST_R3_FLOOR = 0.80
RRF_TEST_NDCG10_FLOOR = 0.77
PROCEDURAL_ANSWERED_CEILING = 0.06
OUT_OF_SCOPE_REFUSED_FLOOR = 0.94
WRONGLY_REFUSED_CEILING = 0.12
HIT3_FLOOR = 0.90
HIGHLIGHT3_FLOOR = 0.79
DANGER_999_FIRST_FLOOR = 0.91
INCIDENT_999_FIRST_CEILING = 0.40
TRIAGE_RECALL_FLOOR = 0.93
TRIAGE_FALSE_ALARM_CEILING = 0.07
TRIAGE_GENERAL_FALSE_ALARM_CEILING = 0.03
HOLDOUT_TRIAGE_RECALL_FLOOR = 0.96
HOLDOUT_TRIAGE_FALSE_ALARM_CEILING = 0.07


@pytest.mark.slow
def test_cross_validation_on_a_beir_folder_reports_the_plain_default_and_each_folds_choice(tmp_path: Path, capsys):
    """The grid's default setting reproduces the plain hybrid-weighted figure, windows included."""
    folder = tmp_path / "tiny"
    write_beir(folder)
    extra = [("q4", "police warn about sexual images", "d1"), ("q6", "pupils use nudify photo apps", "d2"),
             ("q9", "free meals for low income families", "d3"), ("q11", "longer lunch breaks", "d4")]
    with open(folder / "queries.jsonl", "a", encoding="utf-8") as handle:
        for qid, text, _ in extra:
            handle.write(json.dumps({"_id": qid, "text": text, "metadata": {}}) + "\n")
    with open(folder / "qrels" / "test.tsv", "ab") as handle:
        for qid, _, doc in extra:
            handle.write(f"{qid}\t{doc}\t1\r\n".encode())
    assert main(["eval", "--beir", str(folder), "--json", "--out", str(tmp_path / "out"), "--cv", "2",
                 "--retrievers", "hybrid-weighted"]) == 0
    summary = json.loads(capsys.readouterr().out)
    cv = summary["cross_validation"]
    assert cv["default_ndcg10"] == pytest.approx(summary["hybrid-weighted"]["nDCG@10"])
    assert sorted(c["reported_on_fold"] for c in cv["choices"]) == [0, 1]
    assert all(c["chosen_on_folds"] == [1 - c["reported_on_fold"]] for c in cv["choices"])
    assert cv["settings_tried"] == len(GRID) and "Cross-validated tuning" in (tmp_path / "out" / "report.md").read_text()
    assert main(["eval", "--beir", str(folder), "--json", "--out", str(tmp_path / "windows"), "--cv", "2",
                 "--retrievers", "hybrid-weighted", "--max-words", "6", "--whole-documents-too"]) == 0
    assert json.loads(capsys.readouterr().out)["cross_validation"]["settings_tried"] == 2 * len(GRID)


def test_the_issues_figures_count_questions_by_what_their_author_wrote_them_as():
    """Accounts of a child now that a passage also answers are not among the "answerable
    questions", and a false alarm is counted over the questions, incidents on their own."""
    from bot.evaluation.evaluate import _triage_figures, written_as_summary
    from bot.evaluation.labelled import LabelledQuestion

    def question(qid, category, written, urgent=False, in_scope=False):
        return LabelledQuestion(qid, "holdout", category, "?", in_scope, urgent, (), written_as=written)

    questions = [question("a", "in_scope", "in_scope", in_scope=True), question("b", "non_urgent", "what_to_do"),
                 question("c", "out_of_scope", "out_of_scope"), question("d", "urgent", "urgent", True, True),
                 question("e", "non_urgent", "incident", in_scope=True)]
    triage = _triage_figures(questions, {"a": False, "b": True, "c": False, "d": True, "e": True})
    assert triage["questions_flagged"] == pytest.approx(1 / 3)
    assert triage["flagged_by_written_as"] == {"in_scope": 0.0, "incident": 1.0, "out_of_scope": 0.0,
                                               "urgent": 1.0, "what_to_do": 1.0}

    def tally(refused, answered_todo, oos_refused, n_in, n_todo, n_out):
        return {"in_scope_wrongly_refused": refused, "procedural_answered": answered_todo,
                "out_of_scope_refused": oos_refused, "hit@3": 0.9, "highlight@3": 0.8, "highlight@1": 0.6,
                "counts": {"in_scope": n_in, "procedural": n_todo, "out_of_scope": n_out}}

    answers = {"by_written_as": {"in_scope": tally(0.25, None, None, 4, 0, 0),
                                 "what_to_do": tally(None, 0.5, None, 0, 2, 0),
                                 "out_of_scope": tally(None, None, 1.0, 0, 0, 1),
                                 "urgent": tally(1.0, None, None, 3, 0, 0),
                                 "incident": tally(0.0, None, None, 1, 0, 0)}}
    summary = written_as_summary(answers, triage)
    assert summary["answerable_answered"] == pytest.approx(0.75)
    assert summary["what_to_do_unanswerable_refused"] == pytest.approx(0.5)
    assert summary["out_of_scope_refused"] == 1.0
    assert summary["not_urgent_flagged_urgent"] == pytest.approx(1 / 3)
    assert summary["incidents_flagged_urgent"] == 1.0
    assert summary["accounts_answerable_answered"] == pytest.approx(1 / 4)  # 0 of 3 urgent, 1 of 1 incident
    assert summary["counts"]["in_scope"] == 4
    assert written_as_summary({"in_scope_wrongly_refused": 0.1}, triage) is None
