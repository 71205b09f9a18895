"""Where a school's own state lives: admin accounts, the audit log, coverage counts, its contacts.

Two kinds of store, one interface (`Store`), so the pages never know which they use:

- `FileStore`, the embedded default: files in the school's instance folder (admins.json,
  audit.log, coverage.json, school.toml), exactly as a one-school install has always kept them.
- `SqlStore`, when a database address is set (`BOT_DATABASE_URL`): one row set per school in
  PostgreSQL (or SQLite), so several web processes, on one machine or several, share every account,
  audit line, count and contact, and a killed process loses nothing it had confirmed. The tables
  are made and upgraded by Alembic (bot/web/migrations).

No store ever holds a staff question: the counts are numbers per day, as in coverage.py.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Protocol

from bot.web import accounts, coverage

SCHOOL_FILE = "school.toml"
AUDIT_FILE = "audit.log"


class Store(Protocol):
    """One school's state. Every method is safe to call from several threads."""

    def users(self) -> dict[str, str]:
        """Account name -> password hash (werkzeug scrypt)."""

    def put_user(self, name: str, password_hash: str) -> None: ...

    def remove_user(self, name: str) -> bool: ...

    def audit(self, user: str, action: str, target: str) -> None: ...

    def audit_entries(self, limit: int = 50) -> list[dict]:
        """Newest first: {"time", "user", "action", "target"}."""

    def record(self, answer: dict, today: date | None = None) -> None:
        """Add one answer's outcome to today's counts; never raises (an answer is never stopped)."""

    def coverage_days(self, days: int = 14) -> list[dict]: ...

    def contacts_text(self) -> str | None:
        """The school's contacts and nation as TOML (the format of prompts/school.toml), or None."""

    def set_contacts_text(self, text: str) -> None: ...


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class FileStore:
    """The embedded default: the instance folder's files."""

    root: Path

    def users(self) -> dict[str, str]:
        return accounts.load_users(self.root)

    def put_user(self, name: str, password_hash: str) -> None:
        users = accounts.load_users(self.root)
        users[name] = password_hash
        accounts.write_users(self.root, users)

    def remove_user(self, name: str) -> bool:
        users = accounts.load_users(self.root)
        if users.pop(name, None) is None:
            return False
        accounts.write_users(self.root, users)
        return True

    def audit(self, user: str, action: str, target: str) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        record = {"time": _now(), "user": user, "action": action, "target": target}
        with open(self.root / AUDIT_FILE, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")

    def audit_entries(self, limit: int = 50) -> list[dict]:
        path = self.root / AUDIT_FILE
        if not path.is_file():
            return []
        lines = path.read_text(encoding="utf-8").splitlines()[-limit:]
        return [json.loads(line) for line in reversed(lines) if line.strip()]

    def record(self, answer: dict, today: date | None = None) -> None:
        coverage.record(self.root / coverage.COVERAGE_FILE, answer, today)

    def coverage_days(self, days: int = 14) -> list[dict]:
        return coverage.coverage_days(self.root / coverage.COVERAGE_FILE, days)

    def contacts_text(self) -> str | None:
        path = self.root / SCHOOL_FILE
        return path.read_text(encoding="utf-8") if path.is_file() else None

    def set_contacts_text(self, text: str) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        staged = (self.root / SCHOOL_FILE).with_suffix(".tmp")
        staged.write_text(text, encoding="utf-8")
        staged.replace(self.root / SCHOOL_FILE)

    def secret(self) -> str:
        return accounts.secret_key(self.root)


class Database:
    """The shared database: its tables made or upgraded once, then one `SqlStore` per school."""

    def __init__(self, url: str, migrate: bool = True):
        import sqlalchemy as sa

        from bot.web import schema

        self.url = url
        self.engine = sa.create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5) \
            if not url.startswith("sqlite") else sa.create_engine(url)
        self.tables = schema
        if migrate:
            schema.upgrade(self.engine)

    def store(self, school: str) -> SqlStore:
        return SqlStore(self, school)

    def secret(self) -> str:
        """The session-signing secret every process shares: made once, by whichever process is first."""
        import sqlalchemy as sa

        settings = self.tables.settings
        with self.engine.begin() as conn:
            found = conn.execute(sa.select(settings.c.value).where(settings.c.key == "secret_key")).scalar()
            if found:
                return found
            conn.execute(self.tables.insert_ignore(self.engine, settings,
                                                   {"key": "secret_key", "value": secrets.token_hex(32)}))
            return conn.execute(sa.select(settings.c.value).where(settings.c.key == "secret_key")).scalar_one()

    # schools ------------------------------------------------------------------------------------

    def schools(self, removed: bool = False) -> list[dict]:
        """The schools in service (or, with `removed`, those taken out of it)."""
        import sqlalchemy as sa

        table = self.tables.schools
        state = table.c.removed.is_not(None) if removed else table.c.removed.is_(None)
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(table.c.slug, table.c.name, table.c.created, table.c.removed)
                                .where(~table.c.slug.startswith("_", autoescape=True), state)
                                .order_by(table.c.slug))
            return [dict(row._mapping) for row in rows]

    def school(self, slug: str) -> dict | None:
        """A school in service; None for any other address."""
        import sqlalchemy as sa

        table = self.tables.schools
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(table).where(
                table.c.slug == slug, ~table.c.slug.startswith("_", autoescape=True),
                table.c.removed.is_(None))).first()
            return dict(row._mapping) if row else None

    def set_removed(self, slug: str, removed: bool) -> bool:
        """Take a school out of service, or put it back; its rows are kept either way."""
        import sqlalchemy as sa

        table = self.tables.schools
        with self.engine.begin() as conn:
            return bool(conn.execute(sa.update(table).where(
                table.c.slug == slug, ~table.c.slug.startswith("_", autoescape=True),
                table.c.removed.is_not(None) if not removed else table.c.removed.is_(None))
                .values(removed=_now() if removed else None)).rowcount)

    def add_school(self, slug: str, name: str) -> bool:
        """False when a school with that address exists already."""
        import sqlalchemy as sa

        try:
            with self.engine.begin() as conn:
                conn.execute(sa.insert(self.tables.schools).values(slug=slug, name=name, created=_now(), version=0))
        except sa.exc.IntegrityError:
            return False
        return True

    def school_version(self, slug: str) -> int | None:
        """A number that grows whenever the school's contacts change (other processes reload then)."""
        import sqlalchemy as sa

        table = self.tables.schools
        with self.engine.connect() as conn:
            return conn.execute(sa.select(table.c.version).where(table.c.slug == slug)).scalar()


class SqlStore:
    """One school's rows in the shared database."""

    def __init__(self, database: Database, school: str):
        self.db = database
        self.school = school
        self._pruned: str | None = None  # the day old counts were last dropped, in this process

    @property
    def _t(self):
        return self.db.tables

    def users(self) -> dict[str, str]:
        import sqlalchemy as sa

        table = self._t.accounts
        with self.db.engine.connect() as conn:
            rows = conn.execute(sa.select(table.c.name, table.c.password_hash).where(table.c.school == self.school))
            return {name: hashed for name, hashed in rows}

    def put_user(self, name: str, password_hash: str) -> None:
        import sqlalchemy as sa

        table = self._t.accounts
        with self.db.engine.begin() as conn:
            done = conn.execute(sa.update(table).where(table.c.school == self.school, table.c.name == name)
                                .values(password_hash=password_hash)).rowcount
            if not done:
                conn.execute(sa.insert(table).values(school=self.school, name=name, password_hash=password_hash))

    def remove_user(self, name: str) -> bool:
        import sqlalchemy as sa

        table = self._t.accounts
        with self.db.engine.begin() as conn:
            return bool(conn.execute(sa.delete(table).where(table.c.school == self.school,
                                                           table.c.name == name)).rowcount)

    def audit(self, user: str, action: str, target: str) -> None:
        import sqlalchemy as sa

        with self.db.engine.begin() as conn:
            conn.execute(sa.insert(self._t.audit).values(school=self.school, time=_now(), user_name=user,
                                                         action=action, target=target))

    def audit_entries(self, limit: int = 50) -> list[dict]:
        import sqlalchemy as sa

        table = self._t.audit
        with self.db.engine.connect() as conn:
            rows = conn.execute(sa.select(table.c.time, table.c.user_name, table.c.action, table.c.target)
                                .where(table.c.school == self.school).order_by(table.c.id.desc()).limit(limit))
            return [{"time": t, "user": u, "action": a, "target": g} for t, u, a, g in rows]

    def record(self, answer: dict, today: date | None = None) -> None:
        import sqlalchemy as sa

        day = (today or date.today()).isoformat()
        add = coverage.outcome(answer)
        table = self._t.counts
        try:
            with self.db.engine.begin() as conn:
                # one statement that adds, so two processes counting at once never lose a count
                conn.execute(self._t.upsert_counts(self.db.engine, self.school, day, add))
                if self._pruned != day:  # days past keeping are dropped once a day, not on every answer
                    oldest = ((today or date.today()) - timedelta(days=coverage.KEEP_DAYS)).isoformat()
                    conn.execute(sa.delete(table).where(table.c.school == self.school, table.c.day < oldest))
            self._pruned = day
        except sa.exc.SQLAlchemyError:
            pass

    def coverage_days(self, days: int = 14) -> list[dict]:
        import sqlalchemy as sa

        table = self._t.counts
        with self.db.engine.connect() as conn:
            rows = conn.execute(sa.select(table).where(table.c.school == self.school)
                                .order_by(table.c.day.desc()).limit(days))
            return [{"day": row.day, **{k: int(getattr(row, k)) for k in coverage.COUNTS}} for row in rows]

    def contacts_text(self) -> str | None:
        import sqlalchemy as sa

        table = self._t.schools
        with self.db.engine.connect() as conn:
            return conn.execute(sa.select(table.c.contacts).where(table.c.slug == self.school)).scalar()

    def set_contacts_text(self, text: str) -> None:
        import sqlalchemy as sa

        table = self._t.schools
        with self.db.engine.begin() as conn:
            # the operator's own contacts (the national page at /) are kept in a row of their own
            conn.execute(self._t.insert_ignore(self.db.engine, table, {
                "slug": self.school, "name": self.school, "created": _now(), "version": 0}))
            conn.execute(sa.update(table).where(table.c.slug == self.school)
                         .values(contacts=text, version=table.c.version + 1))

    def secret(self) -> str:
        """The deployment's session secret, the same in every process (a school's app derives its own)."""
        return self.db.secret()
