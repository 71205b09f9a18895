"""Is each quote's paragraph number the one the document prints? Checked two independent ways.

1. Against a second reading of the PDF: pypdf's plain text (not pdfplumber's layout, not the
   structure reader) is scanned for lines that start "N." in sequence, and the quote's opening
   words are found in it; the number in force there is the reference.
2. Against the labels: where a quote overlaps a gold evidence span whose author wrote down the
   paragraph number printed in the document, the two must agree.
"""

from __future__ import annotations

import argparse
import json
import re
import tempfile
from functools import cache
from pathlib import Path

_LINE_NUMBER = re.compile(r"^\s*(\d{1,3})\.\s+\S")
_WORDS = re.compile(r"[0-9a-z]+")


def _words(text: str) -> list[str]:
    return [w for w in _WORDS.findall(text.lower()) if not (w.isdigit() and len(w) <= 3)]


@cache
def reference_numbers(pdf: Path) -> tuple[list[str], list[int | None]]:
    """pypdf's words of a PDF and, for each, the paragraph number in force (None before the first)."""
    from pypdf import PdfReader

    words: list[str] = []
    numbers: list[int | None] = []
    current: int | None = None
    for page in PdfReader(str(pdf)).pages:
        for line in (page.extract_text() or "").splitlines():
            match = _LINE_NUMBER.match(line)
            if match:
                value = int(match.group(1))
                if (current is None and value <= 3) or (current is not None and current < value <= current + 3):
                    current = value
            for word in _words(line):
                words.append(word)
                numbers.append(current)
    return words, numbers


def reference_number(pdf: Path, quote: str) -> int | None:
    """The paragraph number in force where the quote's opening words stand in pypdf's text: the
    first forty words (two paragraphs may open alike: KCSIE 2024's 538 and 548 share sixteen), or
    fewer where a page break or a line pypdf reads differently breaks the longer run."""
    words, numbers = reference_numbers(pdf)
    for length in (40, 16, 8):
        probe = _words(quote)[:length]
        if len(probe) < 4:
            return None
        for i in range(len(words) - len(probe) + 1):
            if words[i:i + len(probe)] == probe:
                return numbers[i]
    return None


def check_quotes(answers: list[dict], files: dict[str, Path], gold_paragraphs: list[dict]) -> dict:
    """Both checks over every quote from a numbered PDF in `answers`.

    `files`: document id -> its PDF; `gold_paragraphs`: per answer, {doc id: {(start, end): "50"}}
    for the evidence whose author wrote down a paragraph number.
    """
    checked, agree, labels_checked, labels_agree = 0, 0, 0, 0
    disagreements = []
    per_document: dict[str, int] = {}
    for answer, gold in zip(answers, gold_paragraphs):
        for item in answer["passages"]:
            doc, loc = item["source"]["id"], item["location"]
            label = loc.get("label")
            if doc in files and label and label.isdigit():
                reference = reference_number(files[doc], item["quote"].split("\n\n")[0])
                if reference is not None:
                    checked += 1
                    per_document[doc] = per_document.get(doc, 0) + 1
                    agree += reference == int(label)
                    if reference != int(label):
                        disagreements.append({"doc": doc, "cited": label, "pypdf": reference,
                                              "quote": item["quote"][:80]})
            for (start, end), number in gold.get(doc, {}).items():
                if label and number and loc["start"] < end and start < loc["end"]:
                    labels_checked += 1
                    labels_agree += number in {label, loc.get("label_end")}
    return {"against_pypdf": {"quotes": checked, "agree": agree, "by_document": per_document,
                              "disagreements": disagreements},
            "against_labels": {"quotes": labels_checked, "agree": labels_agree}}


def main(argv: list[str] | None = None) -> int:
    """Ask the real set's questions of a library of the given documents and check every quote's
    paragraph number against pypdf: the way to get a sample of quotes from one document."""
    from dataclasses import replace

    from bot.answer.engine import AnswerEngine
    from bot.config import Settings
    from bot.evaluation.profiles import QUESTIONS, lay_out
    from bot.library.manifest import load_manifest
    from bot.search.index import build_index

    parser = argparse.ArgumentParser(prog="python -m bot.evaluation.paragraphs", description=main.__doc__.split(":")[0])
    parser.add_argument("--documents", required=True, help="comma-separated ids from the real library")
    parser.add_argument("--splits", default="test,dev", help="splits of seeds/eval/real whose questions are asked")
    args = parser.parse_args(argv)
    splits = set(args.splits.split(","))
    questions = [json.loads(line) for line in QUESTIONS["real"].read_text(encoding="utf-8").splitlines() if line.strip()]
    asked = [q["question"] for q in questions if q["split"] in splits]
    with tempfile.TemporaryDirectory(prefix="bot-paragraphs-") as tmp:
        seeds = lay_out("real", Path(tmp) / "seeds", only=set(args.documents.split(",")))
        settings = replace(Settings(), seeds_dir=seeds, index_dir=Path(tmp) / "index")
        build_index(settings, progress=False)
        engine = AnswerEngine.load(settings)
        answers = [engine.ask(q) for q in asked]
        manifest = load_manifest(seeds)
        files = {e.id: manifest.source_path(e) for e in manifest.documents if e.format == "pdf"}
        result = check_quotes(answers, files, [{} for _ in answers])
    print(json.dumps({"questions": len(asked), **result["against_pypdf"]}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
