"""Alembic's environment: migrations run on the connection `bot.web.schema.upgrade` hands over."""

from alembic import context

from bot.web.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - always called through bot.web.schema.upgrade
    raise RuntimeError("run migrations through bot.web.schema.upgrade")
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
