"""Command line: `python -m bot index | search | ask | check | serve | eval | admin | schools | encoder`."""

from __future__ import annotations

import argparse
import os
import sys
import textwrap
from dataclasses import replace
from pathlib import Path

from bot.config import Settings


def _settings(args: argparse.Namespace) -> Settings:
    settings = Settings.from_env()
    if getattr(args, "seeds", None):
        settings = replace(settings, seeds_dir=Path(args.seeds))
    if getattr(args, "index_dir", None):
        settings = replace(settings, index_dir=Path(args.index_dir))
    if getattr(args, "prompts_dir", None):
        settings = replace(settings, prompts_dir=Path(args.prompts_dir))
    return settings


def cmd_index(args: argparse.Namespace) -> int:
    from bot.search.index import IndexLoadError, build_index, read_manifest, staleness, verify_files

    settings = _settings(args)
    if args.if_stale:
        try:
            built = read_manifest(settings.index_dir)
            verify_files(settings.index_dir, built)
            if not staleness(built, settings.seeds_dir, settings.index):
                print(f"index at {settings.index_dir} is up to date")
                return 0
        except IndexLoadError:
            pass
    try:
        report = build_index(settings, progress=not args.quiet)
    except OSError as exc:  # disk full, read-only folder, permissions
        print(f"error: could not write the index in {settings.index_dir} ({exc.strerror or exc}); "
              "the previous index is unchanged", file=sys.stderr)
        return 1
    print(f"indexed {report.documents} documents, {report.passages} passages, "
          f"{report.bytes_on_disk / 1024:.1f} KiB in {report.index_dir}, {report.seconds:.1f} s")
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    from bot.search.hybrid import HybridRetriever
    from bot.search.index import load_index

    settings = _settings(args)
    index = load_index(settings)
    if args.retriever == "bm25":
        hits = index.bm25.search(args.question, args.k)
    elif args.retriever == "dense":
        hits = index.dense.search(args.question, args.k)
    else:
        hits = HybridRetriever(index.bm25, index.dense, settings.fusion, settings.feedback).search(args.question, args.k)
    if not hits:
        print("no passages matched")
    for hit in hits:
        passage = index.by_id[hit.id]
        where = f"paragraph {passage.paragraph}" + (f", page {passage.page}" if passage.page else "")
        print(f"{hit.rank:>2}. {hit.score:.4f}  {passage.doc_id} [{passage.start}:{passage.end}] {where}")
        print(textwrap.indent(textwrap.fill(passage.text, 100), "      "))
    return 0


def format_answer(answer: dict) -> str:
    """A readable answer for a terminal: urgent steps first, then quotes with citations, then contacts."""
    lines: list[str] = []
    esc = answer["escalation"]
    rule = "=" * 78
    if answer["urgent"]:
        lines += [rule, "URGENT: " + esc["message"], *[f"  - {step}" for step in esc["steps"]], rule, ""]
    elif answer.get("steps_first"):
        lines += [textwrap.fill(esc["message"], 100), *[f"  - {step}" for step in esc["steps"]], ""]
    if answer["answered"]:
        for number, item in enumerate(answer["passages"], start=1):
            quote = item["quote"]
            start, end = item["highlight"][0] if item.get("highlight") else (0, 0)
            marked = quote[:start] + ">>" + quote[start:end] + "<<" + quote[end:] if end > start else quote
            lines += [f"[{number}] " + textwrap.fill(f'"{marked}"', 100, subsequent_indent="    "),
                      f"    - {item['citation']}; characters {item['location']['start']}-{item['location']['end']}",
                      *([f"    Note: {item['caution']}"] if item.get("caution") else []),
                      ""]
    else:
        lines += [textwrap.fill(answer.get("not_covered") or "Not covered.", 100), ""]
    if not answer.get("steps_first", answer["urgent"]):
        lines += [textwrap.fill(esc["message"], 100), *[f"  - {step}" for step in esc["steps"]], ""]
    lines.append("Contacts:")
    for contact in esc["contacts"]:
        reach = ", ".join(x for x in (contact.get("phone"), contact.get("email"), contact.get("url")) if x)
        lines.append(f"  - {contact['name']}: {reach or contact.get('note', '')} ({contact['when']})")
    return "\n".join(lines)


def cmd_ask(args: argparse.Namespace) -> int:
    import json

    from bot.answer.engine import AnswerEngine, QuestionError

    engine = AnswerEngine.load(_settings(args), school_file=args.school)
    try:
        answer = engine.ask(args.question)
    except QuestionError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(answer, indent=1, ensure_ascii=False) if args.json else format_answer(answer))
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    """Print what the school must still do; exit 1 while its safeguarding lead is unset."""
    from datetime import date

    from bot.answer.escalation import (
        DEFAULT_ESCALATION_FILE,
        DEFAULT_SCHOOL_FILE,
        load_escalation,
        load_school,
    )
    from bot.answer.readiness import readiness
    from bot.library.manifest import load_manifest

    settings = _settings(args)
    prompts = Path(settings.prompts_dir)
    book = load_escalation(prompts / DEFAULT_ESCALATION_FILE.name)
    school = load_school(Path(args.school) if args.school else prompts / DEFAULT_SCHOOL_FILE.name)
    findings = readiness(book, school, load_manifest(settings.seeds_dir).documents, date.today())
    for finding in findings:
        print(("MUST " if finding.blocking else "TODO ") + finding.message)
    if not findings:
        print("ready: the lead and local contacts are set, every contact was reviewed within a year, "
              "and every document has a date and an address")
    return 1 if any(f.blocking for f in findings) else 0


def _schools_directory(args: argparse.Namespace):
    """The deployment's schools (in the shared database when one is set, else in the instance
    folder) and the instance folder, from `--instance` and `--database`."""
    from bot.web.app import instance_dir
    from bot.web.schools import DatabaseSchools, SchoolsFolder

    instance = instance_dir({"INSTANCE_DIR": args.instance})
    database_url = args.database or os.environ.get("BOT_DATABASE_URL")
    if database_url:
        from bot.web.store import Database

        return DatabaseSchools(Database(database_url), instance), instance
    return SchoolsFolder(instance), instance


def cmd_admin_add_user(args: argparse.Namespace) -> int:
    """Create or reset an admin account; the password is typed twice, never given on the command line."""
    import getpass

    from bot.web.accounts import AccountError, create_account
    from bot.web.schools import OPERATOR, DatabaseSchools
    from bot.web.store import FileStore

    if args.password_stdin:  # for provisioning scripts: one line on standard input, never an argument
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass(f"New password for {args.name}: ")
    if not args.password_stdin and getpass.getpass("Type it again: ") != password:
        print("error: the two passwords differ; nothing was saved", file=sys.stderr)
        return 2
    directory, instance = _schools_directory(args)
    try:
        if args.school:
            if directory.school(args.school) is None:
                raise AccountError(f"there is no school at /s/{args.school}/ (the operator adds schools first)")
            store, where = directory.store(args.school), f"/s/{args.school}/ ({directory.folder(args.school)})"
        elif isinstance(directory, DatabaseSchools):  # the operator's account in the shared database
            store, where = directory.db.store(OPERATOR), "the database, for the operator"
        else:
            store, where = FileStore(instance), str(instance)
        create_account(store, args.name, password)
    except AccountError as exc:
        print(f"error: {exc}; nothing was saved", file=sys.stderr)
        return 2
    print(f"account {args.name} saved in {where}")
    return 0


def cmd_schools(args: argparse.Namespace) -> int:
    """A many-school deployment's schools: list them, add one, or import a list (CSV: address,name)."""
    import csv

    from bot.web.schools import SchoolError

    directory, _ = _schools_directory(args)
    if args.schools_command == "list":
        for school in directory.schools():
            print(f"/s/{school['slug']}/\t{school['name']}")
        return 0
    if args.schools_command == "add":
        rows = [(args.slug, args.name)]
    else:
        with open(args.file, newline="", encoding="utf-8-sig") as handle:
            rows = [(row[0].strip(), row[1].strip()) for row in csv.reader(handle) if len(row) >= 2 and row[0].strip()]
        if rows and rows[0][0].lower() in ("address", "slug"):
            rows = rows[1:]  # a header line
    added = existing = 0
    for slug, name in rows:
        try:
            if directory.add_school(slug, name):
                added += 1
            else:
                existing += 1
        except SchoolError as exc:
            print(f"error: {slug!r}: {exc}; nothing more was added", file=sys.stderr)
            return 2
    print(f"{added} school(s) added, {existing} already there")
    return 0


def cmd_encoder(args: argparse.Namespace) -> int:
    """Export the model to ONNX and check it against PyTorch (`prepare`), or say which encoder is used."""
    import json
    from dataclasses import asdict

    from bot.search.onnx_encoder import cache_dir, load_embedder, prepare, read_check

    settings = Settings.from_env()
    model, length = settings.resolved_model_path(), settings.index.max_seq_length
    if args.encoder_command == "prepare":
        check = prepare(model, length, force=args.force)
        print(json.dumps(asdict(check), indent=1))
        print(f"{'ONNX encoder checked and used' if check.passed else 'ONNX encoder not used: PyTorch is'}"
              f" (export in {cache_dir(model, length)})")
        return 0
    check = read_check(model, length)
    print(json.dumps(asdict(check), indent=1) if check else "no ONNX export checked yet: python -m bot encoder prepare")
    print(f"encoder in use: {load_embedder(model, length).runtime}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p_index = sub.add_parser("index", help="(re)build the search index from a seeds folder")
    p_index.add_argument("--seeds", help="seeds folder (default: seeds/ or $BOT_SEEDS_DIR)")
    p_index.add_argument("--index-dir", help="where to write the index (default: index/ or $BOT_INDEX_DIR)")
    p_index.add_argument("--quiet", action="store_true", help="no progress bar")
    p_index.add_argument("--if-stale", action="store_true", help="only rebuild when the index is missing or stale")
    p_index.set_defaults(func=cmd_index)

    p_search = sub.add_parser("search", help="print ranked passages for a question, for inspection")
    p_search.add_argument("question")
    p_search.add_argument("--k", type=int, default=5, help="number of passages (default 5)")
    p_search.add_argument("--retriever", choices=("bm25", "dense", "hybrid"), default="hybrid")
    p_search.add_argument("--seeds")
    p_search.add_argument("--index-dir")
    p_search.set_defaults(func=cmd_search)

    p_ask = sub.add_parser("ask", help="answer a question with quoted guidance, citations and contacts")
    p_ask.add_argument("question")
    p_ask.add_argument("--json", action="store_true", help="print the answer object as JSON")
    p_ask.add_argument("--school", help="the school's contacts file (default: prompts/school.toml)")
    p_ask.add_argument("--prompts-dir", help="folder of reviewable wording and rules (default: prompts/ or $BOT_PROMPTS_DIR)")
    p_ask.add_argument("--seeds")
    p_ask.add_argument("--index-dir")
    p_ask.set_defaults(func=cmd_ask)

    p_check = sub.add_parser("check", help="what the school must do before going live (exit 1 while the lead is unset)")
    p_check.add_argument("--school", help="the school's contacts file (default: prompts/school.toml)")
    p_check.add_argument("--prompts-dir", help="folder of reviewable wording and rules (default: prompts/ or $BOT_PROMPTS_DIR)")
    p_check.add_argument("--seeds", help="seeds folder (default: seeds/ or $BOT_SEEDS_DIR)")
    p_check.set_defaults(func=cmd_check)

    p_admin = sub.add_parser("admin", help="manage admin accounts for the /admin pages")
    admin_sub = p_admin.add_subparsers(dest="admin_command", required=True)
    p_add = admin_sub.add_parser("add-user", help="create an account (or reset its password); prompts for it twice")
    p_add.add_argument("name")
    p_add.add_argument("--instance", help="instance folder (default: instance/ or $BOT_INSTANCE_DIR)")
    p_add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    p_add.add_argument("--school", help="a school's account in a many-school deployment (default: the operator's)")
    p_add.add_argument("--database", help="the shared database's address (default: $BOT_DATABASE_URL; none: files)")
    p_add.set_defaults(func=cmd_admin_add_user)

    p_schools = sub.add_parser("schools", help="a many-school deployment's schools (BOT_SCHOOLS=1)")
    schools_sub = p_schools.add_subparsers(dest="schools_command", required=True)
    for name, text in (("list", "list the schools"), ("add", "add a school at /s/SLUG/"),
                       ("import", "add every school of a CSV file (address,name per line)")):
        p = schools_sub.add_parser(name, help=text)
        if name == "add":
            p.add_argument("slug", help="its address: lower-case letters, digits and '-'")
            p.add_argument("--name", required=True, help="the school's name")
        if name == "import":
            p.add_argument("file", help="CSV file: address,name (a header line is skipped)")
        p.add_argument("--instance", help="instance folder (default: instance/ or $BOT_INSTANCE_DIR)")
        p.add_argument("--database", help="the shared database's address (default: $BOT_DATABASE_URL; none: files)")
        p.set_defaults(func=cmd_schools)

    p_encoder = sub.add_parser("encoder", help="the query and passage encoder: ONNX Runtime when checked, else PyTorch")
    encoder_sub = p_encoder.add_subparsers(dest="encoder_command", required=True)
    p_prepare = encoder_sub.add_parser("prepare", help="export the model to ONNX once and check its vectors")
    p_prepare.add_argument("--force", action="store_true", help="export again even if an export exists")
    p_prepare.set_defaults(func=cmd_encoder)
    encoder_sub.add_parser("status", help="which encoder is used, and the last check").set_defaults(func=cmd_encoder)

    from bot.evaluation.evaluate import add_eval_parser
    from bot.web.serve import add_serve_parser

    add_eval_parser(sub)
    add_serve_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    from bot.answer.prompts import PromptsError
    from bot.library.clean import CleaningError
    from bot.library.extract import ExtractionError
    from bot.library.manifest import ManifestError
    from bot.search.embedder import ModelLoadError
    from bot.search.index import IndexLoadError

    args = build_parser().parse_args(argv)
    if getattr(args, "k", 1) is not None and getattr(args, "k", 1) < 1:
        print("error: --k must be at least 1", file=sys.stderr)
        return 2
    try:
        return args.func(args)
    except (IndexLoadError, ManifestError, CleaningError, ExtractionError, ModelLoadError, PromptsError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
