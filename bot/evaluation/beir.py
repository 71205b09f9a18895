"""Read a BEIR-format collection: corpus.jsonl, queries.jsonl and graded qrels/test.tsv."""

from __future__ import annotations

import csv
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path


class CollectionError(ValueError):
    """The folder is not a readable BEIR collection."""


@dataclass(frozen=True)
class BeirCollection:
    name: str
    corpus: dict[str, tuple[str, str]]  # doc id -> (title, text)
    queries: dict[str, str]  # only queries that have judgements
    qrels: dict[str, dict[str, int]]
    corpus_sha256: str


def _jsonl(path: Path) -> list[dict]:
    if not path.is_file():
        raise CollectionError(f"missing {path}")
    rows = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError:
                    raise CollectionError(f"{path}:{number} is not JSON") from None
    return rows


def load_beir(folder: Path, split: str = "test") -> BeirCollection:
    folder = Path(folder)
    qrels_path = folder / "qrels" / f"{split}.tsv"
    if not qrels_path.is_file():
        raise CollectionError(f"missing {qrels_path}")
    qrels: dict[str, dict[str, int]] = {}
    # csv handles the CRLF line endings of the upstream files.
    with open(qrels_path, encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle, delimiter="\t")
        header = next(reader, None)
        if not header or header[0].strip() != "query-id":
            raise CollectionError(f"{qrels_path} lacks the 'query-id corpus-id score' header")
        for row in reader:
            if len(row) < 3:
                continue
            qrels.setdefault(row[0].strip(), {})[row[1].strip()] = int(row[2])
    corpus = {str(r["_id"]): (r.get("title") or "", r.get("text") or "") for r in _jsonl(folder / "corpus.jsonl")}
    queries = {str(r["_id"]): r["text"] for r in _jsonl(folder / "queries.jsonl") if str(r["_id"]) in qrels}
    missing = set(qrels) - set(queries)
    if missing:
        raise CollectionError(f"{len(missing)} judged queries are missing from queries.jsonl")
    digest = hashlib.sha256((folder / "corpus.jsonl").read_bytes()).hexdigest()
    return BeirCollection(folder.resolve().name, corpus, queries, qrels, digest)
