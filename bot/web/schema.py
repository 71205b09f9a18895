"""The shared database's tables, and `upgrade`, which brings a database to the newest migration.

The tables are described here once (SQLAlchemy Core); Alembic's migrations in bot/web/migrations
create and change them, so an operator's database is upgraded in place, never rebuilt. Several
web processes may start at once: on PostgreSQL they take an advisory lock around the upgrade, so
exactly one runs it and the others find it done.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

MIGRATIONS = Path(__file__).parent / "migrations"
_UPGRADE_LOCK = 472_901_337  # any fixed number: the advisory lock's name

metadata = sa.MetaData()

schools = sa.Table(
    "schools", metadata,
    sa.Column("slug", sa.String(48), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("created", sa.String(32), nullable=False),
    sa.Column("contacts", sa.Text, nullable=True),  # TOML, the format of prompts/school.toml
    sa.Column("version", sa.Integer, nullable=False, server_default="0"),
    sa.Column("removed", sa.String(32), nullable=True),  # when the operator took it out of service
)

accounts = sa.Table(
    "accounts", metadata,
    sa.Column("school", sa.String(48), primary_key=True),
    sa.Column("name", sa.String(40), primary_key=True),
    sa.Column("password_hash", sa.String(300), nullable=False),
)

audit = sa.Table(
    "audit", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("school", sa.String(48), nullable=False, index=True),
    sa.Column("time", sa.String(32), nullable=False),
    sa.Column("user_name", sa.String(40), nullable=False),
    sa.Column("action", sa.String(100), nullable=False),
    sa.Column("target", sa.Text, nullable=False),
)

counts = sa.Table(
    "counts", metadata,
    sa.Column("school", sa.String(48), primary_key=True),
    sa.Column("day", sa.String(10), primary_key=True),
    sa.Column("asked", sa.Integer, nullable=False, server_default="0"),
    sa.Column("answered", sa.Integer, nullable=False, server_default="0"),
    sa.Column("not_covered", sa.Integer, nullable=False, server_default="0"),
    sa.Column("no_procedure", sa.Integer, nullable=False, server_default="0"),
    sa.Column("urgent", sa.Integer, nullable=False, server_default="0"),
)

settings = sa.Table(
    "settings", metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)


def _insert_for(engine: sa.Engine):
    if engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif engine.dialect.name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - PostgreSQL and SQLite are the two supported
        raise ValueError(f"unsupported database {engine.dialect.name}")
    return insert


def insert_ignore(engine: sa.Engine, table: sa.Table, values: dict):
    """INSERT ... ON CONFLICT DO NOTHING."""
    return _insert_for(engine)(table).values(**values).on_conflict_do_nothing()


def upsert_counts(engine: sa.Engine, school: str, day: str, add: dict[str, int]):
    """Add `add` to the school's row for `day` in one statement (made if absent)."""
    statement = _insert_for(engine)(counts).values(school=school, day=day, **add)
    return statement.on_conflict_do_update(
        index_elements=[counts.c.school, counts.c.day],
        set_={key: getattr(counts.c, key) + statement.excluded[key] for key in add})


def alembic_config(connection=None):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def upgrade(engine: sa.Engine) -> None:
    """Run every migration not yet applied (once, whichever process gets there first)."""
    import logging

    from alembic import command

    logging.getLogger("alembic").setLevel(logging.WARNING)  # one line per migration is noise at start-up
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _UPGRADE_LOCK})
        command.upgrade(alembic_config(connection), "head")


def current_revision(engine: sa.Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
