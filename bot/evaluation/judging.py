"""`python -m bot.evaluation.judging`: a blind judge's verdict on the quotes shown, beside the labels'.

The labelled figures (hit@3, highlight@3) count a quote as right only when it overlaps the sentence
the question's author named. In a library of several long documents the same answer often stands in
another document in other words (Working together's "within one working day of a referral being
received" beside KCSIE's), so the labels can undercount; they can also overcount, when a highlight
touches the named sentence but a reader would not take it as the answer. A judge who sees only the
question, the author's reference answer and the quotes as shown (never which of them the labels
matched) says of each quote whether its highlighted sentence, and its passage, answer what was
asked (`seeds/eval/JUDGING.md`). Two steps, with the judging between them:

  export  the answers as the engine ships them, for chosen questions: `shown.json` for the judge
          and `key.json` with the labels' matches, kept apart
  score   the judge's `verdicts.json` against the key: the labels' figures, the judge's, either
          one's, and how often the judge agreed with the labels
"""

from __future__ import annotations

import argparse
import json
import tempfile
from collections.abc import Iterable
from pathlib import Path

from bot.evaluation.answers import quote_matches
from bot.evaluation.labelled import LabelledQuestion

SHOWN, KEY, VERDICTS = "shown.json", "key.json", "verdicts.json"


def blind_item(question: LabelledQuestion, reference: list[str], answer: dict) -> tuple[dict, list[dict]]:
    """What the judge sees of one answer, and (apart) which of its quotes the labels matched."""
    shown, matched = [], []
    for n, item in enumerate(answer["passages"], 1):
        h_start, h_end = item["highlight"][0]
        shown.append({"n": n, "citation": item["citation"], "passage": item["quote"],
                      "highlighted_sentence": item["quote"][h_start:h_end]})
        held, lit = quote_matches(item, question.gold)
        matched.append({"passage": held, "sentence": lit})
    return {"id": question.id, "question": question.question, "reference_answer": reference, "shown": shown}, matched


def score(key: dict[str, list[dict]], verdicts: dict[str, list[dict]]) -> dict:
    """Figures over the answered questions in `key` (id -> the labels' match per quote shown).

    hit@3: a quote shown answers; highlight@3: a highlighted sentence does; highlight@1: the first
    quote's does. "labels" judge by overlap with the named sentence, "judge" by the verdicts,
    "either" counts a question when one of them does. Agreement: of the quotes the labels matched,
    the share the judge also took as answering, and of the others, the share the judge did.
    """
    missing = sorted(set(key) - set(verdicts))
    if missing:
        raise ValueError(f"no verdict for {len(missing)} question(s): {', '.join(missing[:5])}")
    for qid, matched in key.items():
        if len(verdicts[qid]) != len(matched):
            raise ValueError(f"{qid}: {len(matched)} quotes shown, {len(verdicts[qid])} verdicts")

    def share(flags: Iterable[bool]) -> float | None:
        flags = list(flags)
        return round(sum(flags) / len(flags), 3) if flags else None

    def says(who: str, qid: str, field: str, first: bool = False) -> bool:
        labels = [m[field] for m in key[qid]]
        judge = [v[f"{field}_answers"] for v in verdicts[qid]]
        if first:
            labels, judge = labels[:1], judge[:1]
        return {"labels": any(labels), "judge": any(judge), "either": any(labels) or any(judge)}[who]

    figures: dict = {"answered": len(key)}
    for who in ("labels", "judge", "either"):
        figures[who] = {"hit@3": share(says(who, q, "passage") for q in key),
                        "highlight@3": share(says(who, q, "sentence") for q in key),
                        "highlight@1": share(says(who, q, "sentence", first=True) for q in key)}
    pairs = [(m, v) for q in key for m, v in zip(key[q], verdicts[q], strict=True)]
    figures["agreement"] = {
        "labelled_sentences_judged_answering": share(v["sentence_answers"] for m, v in pairs if m["sentence"]),
        "labelled_passages_judged_answering": share(v["passage_answers"] for m, v in pairs if m["passage"]),
        "other_sentences_judged_answering": share(v["sentence_answers"] for m, v in pairs if not m["passage"]),
        "quotes": len(pairs),
    }
    return figures


def export(library: str, questions_path: Path, prefixes: tuple[str, ...], split: str | None, out: Path) -> int:
    """Ask the chosen in-scope questions of `library` as shipped; write shown.json and key.json."""
    from bot.config import Settings
    from bot.evaluation.answers import load_profile
    from bot.search.onnx_encoder import load_embedder

    settings = Settings.from_env()
    embedder = load_embedder(settings.resolved_model_path(), settings.index.max_seq_length)
    shown, key = [], {}
    with tempfile.TemporaryDirectory(prefix="bot-judging-") as tmp:
        engine, questions = load_profile(library, Path(tmp), settings, embedder, questions_path, split)
        for q in questions:
            if not q.in_scope or (prefixes and not q.id.startswith(prefixes)):
                continue
            answer = engine.ask(q.question)
            if answer["answered"]:
                item, matched = blind_item(q, list(q.evidence_texts), answer)
                shown.append(item)
                key[q.id] = matched
    out.mkdir(parents=True, exist_ok=True)
    (out / SHOWN).write_text(json.dumps(shown, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    (out / KEY).write_text(json.dumps(key, indent=1) + "\n", encoding="utf-8")
    return len(shown)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.evaluation.judging", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("export", help="the answers as shown, for a blind judge")
    p.add_argument("--library", choices=("news", "default", "real"), required=True)
    p.add_argument("--questions", type=Path, required=True)
    p.add_argument("--ids", default="", help="id prefixes to keep, comma-separated (default: all)")
    p.add_argument("--split", choices=("dev", "test", "holdout", "all"), default="dev")
    p.add_argument("--out", type=Path, required=True, help="folder for shown.json and key.json")
    p = sub.add_parser("score", help="the judge's verdicts beside the labels")
    p.add_argument("folder", type=Path, help="holding shown.json, key.json and verdicts.json")
    args = parser.parse_args(argv)
    if args.command == "export":
        prefixes = tuple(x for x in args.ids.split(",") if x)
        count = export(args.library, args.questions, prefixes, None if args.split == "all" else args.split, args.out)
        print(f"{count} answered questions written to {args.out / SHOWN} (for the judge) and {args.out / KEY}")
        return 0
    try:
        key = json.loads((args.folder / KEY).read_text(encoding="utf-8"))
        verdicts = json.loads((args.folder / VERDICTS).read_text(encoding="utf-8"))
        print(json.dumps(score(key, verdicts), indent=1))
    except (OSError, ValueError) as exc:
        raise SystemExit(f"error: {exc}") from None
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
