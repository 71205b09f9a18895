"""`python -m bot.evaluation.situations`: what the first screen does with staff's situations.

A labelled situations file (`seeds/eval/situations.jsonl`) holds questions staff might type about
an incident or a policy, each labelled `urgent` (a child at risk now), `situation` (`danger`,
`incident` or `policy`) and `topics` (self_harm, sextortion, adult_involved, staff_depicted,
removal, device). The default library's engine answers each one, and this reports what a teacher
would see: urgent questions flagged, false alarms on non-urgent ones (those naming a topic, the hard
ones, apart from the rest), which first line comes first (999 for danger, the lead for an
incident), whether the steps stay on the page, and for each topic how often the situation the
escalation file recognises by its patterns agrees with the label (recall) and how often it is seen
where the label says it is not (false alarms).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterable
from pathlib import Path

from bot.config import PROJECT_ROOT, Settings

DEFAULT_FILE = PROJECT_ROOT / "seeds" / "eval" / "situations.jsonl"
TOPICS = ("self_harm", "sextortion", "adult_involved", "staff_depicted", "removal", "device")


def load_situations(path: Path, split: str = "all") -> list[dict]:
    """The labelled rows of `path`, of one split (`all`: every row)."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    for row in rows:
        missing = {"id", "question", "urgent", "situation", "topics"} - set(row)
        if missing:
            raise ValueError(f"{path}: {row.get('id', '?')} lacks {', '.join(sorted(missing))}")
        unknown = set(row["topics"]) - set(TOPICS)
        if unknown:
            raise ValueError(f"{path}: {row['id']} has unknown topics {', '.join(sorted(unknown))}")
    return [r for r in rows if split == "all" or r.get("split", "dev") == split]


def _share(hits: int, total: int) -> dict:
    return {"count": hits, "of": total, "share": round(hits / total, 3) if total else None}


def score(rows: Iterable[dict], answers: Iterable[dict]) -> dict:
    """The figures for labelled `rows` and the engine's `answers` to them, in the same order."""
    pairs = list(zip(rows, answers, strict=True))
    urgent = [(r, a) for r, a in pairs if r["urgent"]]
    calm = [(r, a) for r, a in pairs if not r["urgent"]]
    figures = {
        "questions": len(pairs),
        "urgent_flagged": _share(sum(a["urgent"] for _, a in urgent), len(urgent)),
        "false_alarms_with_a_topic": _share(sum(a["urgent"] for r, a in calm if r["topics"]),
                                            sum(1 for r, _ in calm if r["topics"])),
        "false_alarms_without_a_topic": _share(sum(a["urgent"] for r, a in calm if not r["topics"]),
                                               sum(1 for r, _ in calm if not r["topics"])),
        "danger_999_first": _share(sum(a["danger"] for r, a in urgent if r["situation"] == "danger"),
                                   sum(1 for r, _ in urgent if r["situation"] == "danger")),
        "incident_lead_first": _share(sum(a["urgent"] and not a["danger"] for r, a in urgent
                                          if r["situation"] == "incident"),
                                      sum(1 for r, _ in urgent if r["situation"] == "incident")),
        "steps_kept_with_a_topic": _share(sum(not a["off_topic"] for r, a in pairs if r["topics"]),
                                          sum(1 for r, _ in pairs if r["topics"])),
        "topics": {},
    }
    for topic in TOPICS:
        seen = [topic in a["escalation"]["situations"] for _, a in pairs]
        labelled = [topic in r["topics"] for r, _ in pairs]
        figures["topics"][topic] = {
            "recognised": _share(sum(s and t for s, t in zip(seen, labelled)), sum(labelled)),
            "false_alarms": _share(sum(s and not t for s, t in zip(seen, labelled)), sum(not t for t in labelled)),
        }
    return figures


def misses(rows: Iterable[dict], answers: Iterable[dict]) -> list[str]:
    """One line per disagreement, for reading (question ids, never written anywhere but stdout)."""
    lines = []
    for row, answer in zip(rows, answers, strict=True):
        if row["urgent"] != answer["urgent"]:
            lines.append(f"{row['id']}: urgent labelled {row['urgent']}, flagged {answer['urgent']}")
        seen = set(answer["escalation"]["situations"]) & set(TOPICS)
        if seen != set(row["topics"]):
            lines.append(f"{row['id']}: topics labelled {sorted(row['topics'])}, seen {sorted(seen)}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.evaluation.situations", description=__doc__.split("\n")[0])
    parser.add_argument("--questions", type=Path, default=DEFAULT_FILE)
    parser.add_argument("--split", default="all", help="dev, holdout or all (default)")
    parser.add_argument("--misses", action="store_true", help="list each disagreement by question id")
    args = parser.parse_args(argv)
    from bot.answer.engine import AnswerEngine

    rows = load_situations(args.questions, args.split)
    engine = AnswerEngine.load(Settings())
    answers = [engine.ask(row["question"]) for row in rows]
    print(json.dumps(score(rows, answers), indent=2))
    if args.misses:
        print("\n".join(misses(rows, answers)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
