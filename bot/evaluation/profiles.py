"""Libraries to measure on: the news seeds alone, the default library, and one of real size.

- `news`: the default seeds' news documents only. The labelled set in seeds/eval/questions.jsonl
  was written for them (its "out of scope" questions include FGM and Prevent, which KCSIE
  answers), so its figures are measured on the library it labels.
- `default`: the library `make run` serves (the news seeds and KCSIE 2025 Part one).
- `real`: the default library plus KCSIE 2024, Working together 2023 and the full KCSIE 2025 text
  from ../shared/library, and a fictional school's Word procedure (about 400 pages in all), with
  its own labelled set in seeds/eval/real/.

A profile is laid out as a seeds folder (links to the files and one merged manifest) in a
temporary folder, so the index build and the engine read it exactly as they read seeds/.
"""

from __future__ import annotations

import os
import shutil
import tomllib
from pathlib import Path

import tomli_w

from bot.config import DEFAULT_SEEDS_DIR, PROJECT_ROOT
from bot.library.manifest import MANIFEST_NAME, load_manifest

PROFILES = ("news", "default", "real")
REAL_DIR = DEFAULT_SEEDS_DIR / "eval" / "real"
SHARED_LIBRARY = PROJECT_ROOT.parent / "shared" / "library"
QUESTIONS = {"news": DEFAULT_SEEDS_DIR / "eval" / "questions.jsonl",
             "default": DEFAULT_SEEDS_DIR / "eval" / "questions.jsonl",
             "real": REAL_DIR / "questions.jsonl"}


class ProfileError(ValueError):
    """A profile's documents are not all here; the message names what is missing."""


def _entries(directory: Path) -> list[dict]:
    return tomllib.loads((directory / MANIFEST_NAME).read_text(encoding="utf-8")).get("document", [])


def _link(source: Path, target: Path) -> None:
    try:
        os.symlink(source.resolve(), target)
    except OSError:
        shutil.copy2(source, target)


def lay_out(profile: str, folder: Path, shared: Path = SHARED_LIBRARY, only: set[str] | None = None) -> Path:
    """Write the profile's seeds folder into `folder` (created) and return it; with `only`, just
    those documents of it."""
    if profile not in PROFILES:
        raise ProfileError(f"unknown library profile {profile!r} (use one of {', '.join(PROFILES)})")
    folder.mkdir(parents=True, exist_ok=True)
    entries = _entries(DEFAULT_SEEDS_DIR)
    if profile == "news":
        entries = [e for e in entries if e.get("kind") == "news"]
    sources = {e["file"]: DEFAULT_SEEDS_DIR / e["file"] for e in entries}
    if profile == "real":
        for entry in _entries(REAL_DIR):
            local = REAL_DIR / entry["file"]
            sources[entry["file"]] = local if local.is_file() else shared / entry["file"]
            entries.append(entry)
    if only is not None:
        entries = [e for e in entries if e["id"] in only]
        sources = {e["file"]: sources[e["file"]] for e in entries}
        if not entries:
            raise ProfileError(f"none of {', '.join(sorted(only))} is in the {profile} library")
    missing = [str(path) for path in sources.values() if not path.is_file()]
    if missing:
        raise ProfileError(f"the {profile} library needs {', '.join(missing)}")
    for name, path in sources.items():
        _link(path, folder / name)
    (folder / MANIFEST_NAME).write_text(tomli_w.dumps({"document": entries}), encoding="utf-8")
    load_manifest(folder)  # the merged manifest must pass the same checks as seeds/
    return folder


def document_kinds(seeds_dir: Path) -> dict[str, str]:
    """Document id -> its kind (news, statutory guidance, school policy, ...), for reports by type."""
    return {entry.id: entry.kind or "other" for entry in load_manifest(seeds_dir).documents}
