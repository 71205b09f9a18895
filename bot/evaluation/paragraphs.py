"""Is each quote's paragraph number the one the document prints? Checked two independent ways.

1. Against a second reading of the PDF: pypdf's plain text (not pdfplumber's layout, not the
   structure reader) is scanned for lines that start "N." in sequence, and the quote's opening
   words are found in it; the number in force there is the reference.
2. Against the labels: where a quote overlaps a gold evidence span whose author wrote down the
   paragraph number printed in the document, the two must agree.
"""

from __future__ import annotations

import re
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
    first sixteen words (two paragraphs may open alike: KCSIE 2024's 70 and 71 share eight), or
    the first eight where a page break or a line pypdf reads differently breaks the longer run."""
    words, numbers = reference_numbers(pdf)
    for length in (16, 8):
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
