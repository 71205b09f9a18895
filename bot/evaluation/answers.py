"""Answer figures on the labelled set, measured on the answer engine exactly as it ships.

A temporary index is built from the seeds folder under evaluation, the engine is loaded on it, and
every question is asked as a member of staff would ask it. The figures:
- `in_scope_wrongly_refused`: questions the documents answer that got no quote;
- `out_of_scope_refused`: questions the documents do not answer (admin, other topics, on the topic
  but about things never mentioned) that got no quote;
- `procedural_answered`: "what do I do" questions the documents cannot answer that got a quote
  anyway (the lower the better); `procedural_not_urgent_answered` the same over the ones that are
  not urgent;
- `hit@3`: of the in-scope questions answered, the share with a gold evidence passage among the
  quotes shown (`hit@3_all_in_scope` counts a refused in-scope question as a miss);
- `highlight@1` / `highlight@3`: of the in-scope questions answered, the share whose first quote's
  highlight (any quote's highlight) overlaps a gold evidence span;
- `intent_what_to_do_recall` / `intent_fact_false_alarm`: the intent classifier on situations and
  policy questions, and on general questions the documents answer.
"""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path

from bot.answer.engine import AnswerEngine
from bot.config import Settings
from bot.evaluation.labelled import GoldSpan, LabelledQuestion, overlaps
from bot.search.embedder import Embedder
from bot.search.index import build_index


def load_engine_for(settings: Settings, embedder: Embedder, index_dir: Path) -> AnswerEngine:
    """Build the seeds folder's index into `index_dir` and load the engine on it."""
    local = replace(settings, index_dir=index_dir)
    build_index(local, embedder=embedder, progress=False)
    return AnswerEngine.load(local, embedder=embedder)


def load_profile(profile: str, folder: Path, settings: Settings, embedder: Embedder, questions: Path,
                 split: str | None) -> tuple[AnswerEngine, list[LabelledQuestion]]:
    """Lay a library profile out under `folder`, build and load its engine, and read the labelled
    questions of `split` (None: all) against its cleaned documents."""
    from bot.evaluation.labelled import load_questions
    from bot.evaluation.profiles import lay_out

    local = replace(settings, seeds_dir=lay_out(profile, folder / "library"))
    engine = load_engine_for(local, embedder, folder / "index")
    texts = {doc_id: doc.text for doc_id, doc in engine.index.documents.items()}
    return engine, load_questions(questions, texts, split)


def quote_matches(item: dict, gold: tuple[GoldSpan, ...]) -> tuple[bool, bool]:
    """Does one quote shown (an answer's passage) overlap gold evidence, and does its highlight?"""
    doc, loc = item["source"]["id"], item["location"]
    h_start, h_end = item["highlight"][0]
    return (overlaps(doc, loc["start"], loc["end"], gold),
            overlaps(doc, loc["start"] + h_start, loc["start"] + h_end, gold))


def judge_answer(answer: dict, gold: tuple[GoldSpan, ...]) -> dict[str, bool]:
    """Did a shown quote hold gold evidence, and did the highlights land on it?"""
    hit = highlight_first = highlight_any = False
    for position, item in enumerate(answer["passages"]):
        held, lit = quote_matches(item, gold)
        hit |= held
        highlight_any |= lit
        if position == 0:
            highlight_first = lit
    return {"hit": hit, "highlight@1": highlight_first, "highlight@3": highlight_any}


def _share(values: list[bool]) -> float | None:
    return sum(values) / len(values) if values else None


class AnswerTally:
    """The answer figures of a set of labelled questions, one answer at a time.

    Shared by `python -m bot eval` (answers from the engine as it ships) and the calibration
    (answers under candidate settings), so both count exactly the same way.
    """

    def __init__(self) -> None:
        self.groups: dict[str, list[bool]] = {name: [] for name in (
            "in_refused", "out_refused", "procedural_answered", "procedural_calm_answered", "hit", "hit_all",
            "highlight@1", "highlight@3", "intent_todo", "intent_fact")}

    def add(self, q: LabelledQuestion, answer: dict) -> None:
        """`answer`: an answer object, or at least its "answered", "asks_what_to_do" and "passages"."""
        groups, answered = self.groups, answer["answered"]
        if q.category in ("urgent", "non_urgent"):
            groups["intent_todo"].append(answer["asks_what_to_do"])
        elif q.category == "in_scope":
            groups["intent_fact"].append(answer["asks_what_to_do"])
        if q.in_scope:
            groups["in_refused"].append(not answered)
            judged = judge_answer(answer, q.gold)
            groups["hit_all"].append(judged["hit"])
            if answered:
                groups["hit"].append(judged["hit"])
                groups["highlight@1"].append(judged["highlight@1"])
                groups["highlight@3"].append(judged["highlight@3"])
        elif q.category == "out_of_scope":
            groups["out_refused"].append(not answered)
        else:
            groups["procedural_answered"].append(answered)
            if not q.urgent:
                groups["procedural_calm_answered"].append(answered)

    def figures(self) -> dict:
        groups = self.groups
        return {
            "in_scope_wrongly_refused": _share(groups["in_refused"]),
            "out_of_scope_refused": _share(groups["out_refused"]),
            "procedural_answered": _share(groups["procedural_answered"]),
            "procedural_not_urgent_answered": _share(groups["procedural_calm_answered"]),
            "hit@3": _share(groups["hit"]),
            "hit@3_all_in_scope": _share(groups["hit_all"]),
            "highlight@1": _share(groups["highlight@1"]),
            "highlight@3": _share(groups["highlight@3"]),
            "intent_what_to_do_recall": _share(groups["intent_todo"]),
            "intent_fact_false_alarm": _share(groups["intent_fact"]),
            "counts": {"in_scope": len(groups["in_refused"]), "out_of_scope": len(groups["out_refused"]),
                       "procedural": len(groups["procedural_answered"])},
        }


def answer_figures(engine: AnswerEngine, questions: list[LabelledQuestion],
                   kinds: dict[str, str] | None = None, keep: list | None = None) -> dict:
    """The answer figures, and with `kinds` (document id -> kind) the same figures for the
    questions whose evidence comes from each kind of document; where the questions say what their
    author wrote them as, the same figures for each (`by_written_as`: the issue's "answerable
    questions" are the ones written as a question a passage answers, not an account of a child
    now that a passage also happens to answer). `keep` collects the answers."""
    tally = AnswerTally()
    by_kind: dict[str, AnswerTally] = {}
    by_written: dict[str, AnswerTally] = {}
    for q in questions:
        answer = engine.ask(q.question)
        tally.add(q, answer)
        if kinds and q.primary_doc in kinds:
            by_kind.setdefault(kinds[q.primary_doc], AnswerTally()).add(q, answer)
        if q.written_as:
            by_written.setdefault(q.written_as, AnswerTally()).add(q, answer)
        if keep is not None:
            keep.append(answer)
    figures = tally.figures()
    if by_kind:
        figures["by_document_kind"] = {kind: t.figures() for kind, t in sorted(by_kind.items())}
    if by_written:
        figures["by_written_as"] = {name: t.figures() for name, t in sorted(by_written.items())}
    return figures


def evaluate_answers(settings: Settings, embedder: Embedder, questions: list[LabelledQuestion],
                     kinds: dict[str, str] | None = None, keep: list | None = None) -> dict:
    with tempfile.TemporaryDirectory(prefix="bot-eval-index-") as tmp:
        engine = load_engine_for(settings, embedder, Path(tmp))
        return answer_figures(engine, questions, kinds, keep)
