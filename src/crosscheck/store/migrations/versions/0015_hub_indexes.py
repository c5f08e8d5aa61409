"""The hub's indexes: identifier keys per entity, and the feed the PDQ index on disk follows.

Contributions already held get their keys and an "add" entry in the feed here.

Revision ID: 0015
Revises: 0014
Create Date: 2027-01-19
"""

from __future__ import annotations

import secrets
from collections import defaultdict

import sqlalchemy as sa
from alembic import op

from crosscheck.text.identity_keys import IDENTIFIER_PROPS, entity_keys

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    identifier_key = op.create_table(
        "identifier_key",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("contribution_id", sa.String(length=64), nullable=False),
        sa.Column("entity_id", sa.String(length=1024), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=1024), nullable=False),
        sa.ForeignKeyConstraint(
            ["contribution_id"],
            ["contribution.id"],
            name=op.f("fk_identifier_key_contribution_id_contribution"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identifier_key")),
    )
    op.create_index(
        op.f("ix_identifier_key_contribution_id"), "identifier_key", ["contribution_id"]
    )
    op.create_index(op.f("ix_identifier_key_kind_key"), "identifier_key", ["kind", "key"])
    index_feed = op.create_table(
        "index_feed",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("contribution_id", sa.String(length=64), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("op", sa.String(length=8), nullable=False),
        sa.Column("nonce", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_index_feed")),
    )
    bind = op.get_bind()
    held = sa.table(
        "contribution", sa.column("id"), sa.column("agency_id"), sa.column("received_at")
    )
    stmt = sa.table(
        "statement",
        sa.column("contribution_id"),
        sa.column("entity_id"),
        sa.column("prop"),
        sa.column("value"),
    )
    for row in bind.execute(sa.select(held).order_by(held.c.received_at, held.c.id)).all():
        values: dict[str, list[tuple[str, str]]] = defaultdict(list)
        found = bind.execute(
            sa.select(stmt.c.entity_id, stmt.c.prop, stmt.c.value).where(
                stmt.c.contribution_id == row.id, stmt.c.prop.in_(IDENTIFIER_PROPS)
            )
        )
        for entity, prop, value in found:
            values[entity].append((prop, value))
        keys = [
            {"contribution_id": row.id, "entity_id": entity, "kind": kind, "key": key}
            for entity, pairs in sorted(values.items())
            for kind, key in sorted(entity_keys(pairs))
        ]
        if keys:
            bind.execute(identifier_key.insert(), keys)
        bind.execute(
            index_feed.insert().values(
                contribution_id=row.id,
                agency_id=row.agency_id,
                op="add",
                nonce=secrets.token_hex(8),
            )
        )


def downgrade() -> None:
    op.drop_table("index_feed")
    op.drop_index(op.f("ix_identifier_key_kind_key"), table_name="identifier_key")
    op.drop_index(op.f("ix_identifier_key_contribution_id"), table_name="identifier_key")
    op.drop_table("identifier_key")
