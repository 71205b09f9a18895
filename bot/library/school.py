"""A school's own library: a seeds-format folder (files + manifest.toml) it adds to and removes from.

Files arrive from a browser upload, so nothing about them is trusted: the type is decided from
the content (never the name), the stored name is made from the document id, and a file that
cannot be extracted and cleaned is refused before anything is written. Every change is written
to a new manifest beside the old one and swapped in with one rename.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
import tomllib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import tomli_w

from bot.config import ChunkSettings
from bot.library.clean import CleanDocument, CleaningError, clean_document
from bot.library.extract import ExtractionError, extract
from bot.library.manifest import MANIFEST_NAME, CleaningRules, ManifestError, load_manifest
from bot.library.passages import Passage, split_passages

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
_SUFFIX = {"pdf": ".pdf", "html": ".html", "text": ".txt", "docx": ".docx"}
MAX_UNPACKED_BYTES = 200 * 1024 * 1024  # a Word file is a zip: refuse one that unpacks to more
REMOVED_RECORD = "removed.json"


class UploadError(ValueError):
    """The uploaded file cannot become a library document; the message says why, in plain words."""


def sniff(data: bytes) -> str:
    """The format of an upload from its content: "pdf", "docx", "html" or "text"; UploadError otherwise."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return _sniff_zip(data)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise UploadError("This is an older Word (.doc) file: open it in Word and save it as .docx or PDF, "
                          "then upload that.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UploadError("The file is not a PDF, HTML or plain-text (UTF-8) document.") from None
    if "\x00" in text:
        raise UploadError("The file is not a PDF, HTML or plain-text (UTF-8) document.")
    head = text.lstrip()[:512].lower()
    return "html" if head.startswith(("<!doctype html", "<html")) or "<body" in head else "text"


def _sniff_zip(data: bytes) -> str:
    """A zip is a Word document when it holds word/document.xml (and unpacks to a sane size)."""
    import io
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise UploadError("The file looks like a zip archive but cannot be opened.") from None
    if "word/document.xml" not in names:
        raise UploadError("The file is a zip archive, not a Word document, PDF, HTML or plain-text file.")
    if unpacked > MAX_UNPACKED_BYTES:
        raise UploadError("The Word document is too large once unpacked.")
    return "docx"


def make_id(title: str, data: bytes) -> str:
    """A manifest id from the title and the content: never from the uploaded file's name."""
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:48] or "document"
    return f"{slug}-{hashlib.sha256(data).hexdigest()[:8]}"


@dataclass(frozen=True)
class Preview:
    clean: CleanDocument
    passages: list[Passage]
    running: tuple[str, ...] = ()  # running headers, footers and page numbers found and left out
    dropped: tuple[str, ...] = ()  # paragraphs the lead's rules leave out (at most 50)


def preview(path: Path, fmt: str, doc_id: str, rules: CleaningRules, chunk: ChunkSettings) -> Preview:
    """What the document would add to the library with these cleaning rules, and what its rules
    leave out (from the same extraction: a PDF is read once)."""
    try:
        extracted = extract(path, fmt)
        clean = clean_document(doc_id, extracted, rules)
        dropped: tuple[str, ...] = ()
        if rules.patterns:
            everything = clean_document(doc_id, extracted, CleaningRules(rules.start_at, rules.end_before))
            drops = [re.compile(p) for p in rules.patterns]
            text = everything.text
            dropped = tuple(text[p.start:p.end] for p in everything.paragraphs
                            if any(d.search(text[p.start:p.end]) for d in drops))[:50]
    except (ExtractionError, CleaningError) as exc:
        raise UploadError(str(exc)) from None
    passages = split_passages(clean, chunk)
    if not passages:
        raise UploadError("No text is left to quote once the cleaning rules are applied.")
    return Preview(clean, passages, extracted.left_out, dropped)


def ensure_library(library_dir: Path, seeds_dir: Path) -> None:
    """Start the school's library as a copy of the default seeds (which the school may then remove)."""
    if (library_dir / MANIFEST_NAME).is_file():
        return
    library_dir.mkdir(parents=True, exist_ok=True)
    manifest = load_manifest(seeds_dir)
    for entry in manifest.documents:
        shutil.copy2(manifest.source_path(entry), library_dir / entry.file)
    shutil.copy2(manifest.path, library_dir / MANIFEST_NAME)


def _raw_entries(library_dir: Path) -> tuple[str, list[dict]]:
    text = (library_dir / MANIFEST_NAME).read_text(encoding="utf-8")
    return text, tomllib.loads(text).get("document", [])


def _write_manifest(library_dir: Path, entries: list[dict]) -> None:
    """Write, check (the normal loader must accept it) and swap in the new manifest atomically."""
    body = "# The school's library, managed in the admin pages. Format: see seeds/manifest.toml.\n\n"
    body += tomli_w.dumps({"document": entries})
    fd, tmp = tempfile.mkstemp(prefix=".manifest-", suffix=".toml", dir=library_dir)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(body)
        handle.flush()
        os.fsync(handle.fileno())
    staged = Path(tmp)
    try:
        check_dir = Path(tempfile.mkdtemp(prefix=".check-", dir=library_dir))
        try:
            for entry in entries:
                os.link(library_dir / entry["file"], check_dir / entry["file"])
            shutil.copy2(staged, check_dir / MANIFEST_NAME)
            load_manifest(check_dir)
        finally:
            shutil.rmtree(check_dir, ignore_errors=True)
        os.replace(staged, library_dir / MANIFEST_NAME)
    except (ManifestError, OSError):
        staged.unlink(missing_ok=True)
        raise


def add_document(library_dir: Path, data: bytes, fields: dict) -> str:
    """Store an upload under a name made from its id and add its manifest entry; returns the id."""
    fmt = sniff(data)
    doc_id = make_id(fields["title"], data)
    _, entries = _raw_entries(library_dir)
    if any(e.get("id") == doc_id for e in entries):
        raise UploadError("This document is already in the library.")
    name = doc_id + _SUFFIX[fmt]
    target = library_dir / name
    fd, tmp = tempfile.mkstemp(prefix=".upload-", dir=library_dir)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, target)
    entry = {"id": doc_id, "file": name, **{k: v for k, v in fields.items() if v not in (None, "", [])}}
    try:
        _write_manifest(library_dir, [*entries, entry])
    except (ManifestError, OSError):
        target.unlink(missing_ok=True)
        raise
    return doc_id


def document_fields(library_dir: Path, doc_id: str) -> dict:
    """A document's manifest entry as written (its id and file included); UploadError if absent."""
    _, entries = _raw_entries(library_dir)
    for entry in entries:
        if entry.get("id") == doc_id:
            return dict(entry)
    raise UploadError("There is no such document in the library.")


def update_document(library_dir: Path, doc_id: str, fields: dict) -> tuple[dict, dict]:
    """Change a document's details and cleaning rules (never its id or file); returns the entry
    before and after. The new manifest is checked by the normal loader before it replaces the old."""
    _, entries = _raw_entries(library_dir)
    for position, entry in enumerate(entries):
        if entry.get("id") == doc_id:
            changed = {"id": doc_id, "file": entry["file"],
                       **{k: v for k, v in fields.items() if k not in ("id", "file") and v not in (None, "", [], False)}}
            if changed.get("replaces") == doc_id:
                raise UploadError("A document cannot replace itself.")
            entries[position] = changed
            _write_manifest(library_dir, entries)
            return entry, changed
    raise UploadError("There is no such document in the library.")


def remove_document(library_dir: Path, doc_id: str, removed_dir: Path | None = None) -> Path | None:
    """Take a document out of the library. With `removed_dir`, its file and manifest entry are
    moved there first (a folder per removal), so that `restore_document` can put it back exactly."""
    _, entries = _raw_entries(library_dir)
    kept = [e for e in entries if e.get("id") != doc_id]
    if len(kept) == len(entries):
        raise UploadError("There is no such document in the library.")
    if not kept:
        raise UploadError("The library must keep at least one document.")
    removed = next(e for e in entries if e.get("id") == doc_id)
    replaced_by = [e["id"] for e in kept if e.get("replaces") == doc_id]
    for entry in kept:  # a newer edition no longer replaces a document that has gone
        if entry.get("replaces") == doc_id:
            del entry["replaces"]
    kept_copy = None
    if removed_dir is not None:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        kept_copy = removed_dir / f"{stamp}-{doc_id}"
        kept_copy.mkdir(parents=True)
        shutil.copy2(library_dir / removed["file"], kept_copy / removed["file"])
        record = {"entry": removed, "removed": datetime.now(UTC).isoformat(timespec="seconds"),
                  "replaced_by": replaced_by}
        (kept_copy / REMOVED_RECORD).write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    try:
        _write_manifest(library_dir, kept)
    except (ManifestError, OSError):
        if kept_copy is not None:
            shutil.rmtree(kept_copy, ignore_errors=True)
        raise
    (library_dir / removed["file"]).unlink(missing_ok=True)
    return kept_copy


@dataclass(frozen=True)
class RemovedDocument:
    name: str  # the folder under the removed documents' folder
    entry: dict
    removed: str  # ISO time (UTC)


def removed_documents(removed_dir: Path) -> list[RemovedDocument]:
    """Documents taken out of the library that can still be put back, newest removal first."""
    found = []
    for folder in sorted(removed_dir.glob("*"), reverse=True) if removed_dir.is_dir() else []:
        record = folder / REMOVED_RECORD
        if folder.is_dir() and record.is_file():
            data = json.loads(record.read_text(encoding="utf-8"))
            found.append(RemovedDocument(folder.name, data["entry"], data["removed"]))
    return found


def restore_document(library_dir: Path, removed_dir: Path, name: str) -> dict:
    """Put a removed document back, its file byte for byte and its manifest entry as it was (and
    the editions it was replaced by, if they are still here); returns the entry."""
    if not re.fullmatch(r"[0-9T]{21}-[a-z0-9][a-z0-9._-]*", name) or not (removed_dir / name / REMOVED_RECORD).is_file():
        raise UploadError("There is no such removed document.")
    folder = removed_dir / name
    data = json.loads((folder / REMOVED_RECORD).read_text(encoding="utf-8"))
    entry = data["entry"]
    _, entries = _raw_entries(library_dir)
    if any(e.get("id") == entry["id"] for e in entries):
        raise UploadError("That document is already back in the library.")
    if (library_dir / entry["file"]).exists():
        raise UploadError("A file of the same name is in the library; remove it first.")
    if entry.get("replaces") and not any(e.get("id") == entry["replaces"] for e in entries):
        entry = {k: v for k, v in entry.items() if k != "replaces"}  # the older edition has gone since
    shutil.copy2(folder / entry["file"], library_dir / entry["file"])
    for other in entries:
        if other.get("id") in data.get("replaced_by", []) and not other.get("replaces"):
            other["replaces"] = entry["id"]
    try:
        _write_manifest(library_dir, [*entries, entry])
    except (ManifestError, OSError):
        (library_dir / entry["file"]).unlink(missing_ok=True)
        raise
    shutil.rmtree(folder)
    return entry


SHARED_RECORD = "shared.json"


def _shared_digest(entry: dict, source: Path) -> str:
    """What a shared document is: its manifest entry and its file's bytes."""
    digest = hashlib.sha256(json.dumps(entry, sort_keys=True, default=str).encode("utf-8"))
    digest.update(source.read_bytes())
    return digest.hexdigest()


def sync_shared(library_dir: Path, shared_dir: Path) -> list[str]:
    """Bring the shared documents a school's library holds up to date with the operator's library.

    In a many-school deployment a school's library starts as a copy of the operator's; the school
    then adds its own documents. When the operator adds, changes or removes a shared document, the
    school's copy follows: added, replaced or taken out. A shared document the school removed stays
    removed, and a school's own document is never touched. `shared.json` in the school's library
    records what each shared document was when it was copied. Returns what changed, in words
    (nothing: the library is current, and no rebuild is needed).
    """
    if not (library_dir / MANIFEST_NAME).is_file() or not (shared_dir / MANIFEST_NAME).is_file():
        return []
    _, entries = _raw_entries(library_dir)
    _, shared_entries = _raw_entries(shared_dir)
    record_path = library_dir / SHARED_RECORD
    try:
        record: dict[str, str] = json.loads(record_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        record = {}
    ours = {entry["id"]: entry for entry in entries}
    theirs = {entry["id"]: entry for entry in shared_entries}
    changes: list[str] = []
    kept: dict[str, str] = {}
    obsolete: list[Path] = []  # files no entry names any more, deleted once the new manifest is in
    for doc_id, entry in theirs.items():
        source = shared_dir / entry["file"]
        digest = _shared_digest(entry, source)
        if doc_id in record and doc_id not in ours:
            kept[doc_id] = record[doc_id]  # the school removed it: it stays removed
            continue
        if doc_id in ours and doc_id not in record:
            mine = library_dir / ours[doc_id]["file"]
            if mine.is_file() and _shared_digest(ours[doc_id], mine) == digest:
                kept[doc_id] = digest  # the copy made when the library started: shared from now on
            continue  # otherwise a document of the school's own that happens to share the id
        if doc_id not in ours or record[doc_id] != digest:
            changes.append(f"{'updated' if doc_id in ours else 'added'} '{entry['title']}'")
            if doc_id in ours and ours[doc_id]["file"] != entry["file"]:
                obsolete.append(library_dir / ours[doc_id]["file"])
            shutil.copy2(source, library_dir / entry["file"])
            ours[doc_id] = dict(entry)
        kept[doc_id] = digest
    for doc_id in record:
        if doc_id not in theirs and doc_id in ours:
            changes.append(f"removed '{ours[doc_id]['title']}'")
            obsolete.append(library_dir / ours.pop(doc_id)["file"])
    if changes:
        _write_manifest(library_dir, list(ours.values()))
        for path in obsolete:
            path.unlink(missing_ok=True)
    if changes or kept != record:
        fd, tmp = tempfile.mkstemp(prefix=".shared-", dir=library_dir)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(kept, handle, sort_keys=True)
        os.replace(tmp, record_path)
    return changes
