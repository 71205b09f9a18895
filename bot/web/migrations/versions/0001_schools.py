"""Schools, their admin accounts, audit log, coverage counts, and shared settings.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "schools",
        sa.Column("slug", sa.String(48), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("created", sa.String(32), nullable=False),
        sa.Column("contacts", sa.Text, nullable=True),
        sa.Column("version", sa.Integer, nullable=False, server_default="0"),
    )
    op.create_table(
        "accounts",
        sa.Column("school", sa.String(48), primary_key=True),
        sa.Column("name", sa.String(40), primary_key=True),
        sa.Column("password_hash", sa.String(300), nullable=False),
    )
    op.create_table(
        "audit",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("school", sa.String(48), nullable=False),
        sa.Column("time", sa.String(32), nullable=False),
        sa.Column("user_name", sa.String(40), nullable=False),
        sa.Column("action", sa.String(100), nullable=False),
        sa.Column("target", sa.Text, nullable=False),
    )
    op.create_index("ix_audit_school", "audit", ["school"])
    op.create_table(
        "counts",
        sa.Column("school", sa.String(48), primary_key=True),
        sa.Column("day", sa.String(10), primary_key=True),
        *(sa.Column(name, sa.Integer, nullable=False, server_default="0")
          for name in ("asked", "answered", "not_covered", "no_procedure", "urgent")),
    )
    op.create_table(
        "settings",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )


def downgrade() -> None:
    for table in ("settings", "counts", "audit", "accounts", "schools"):
        op.drop_table(table)
