"""The hub: agency keys, the hash-chained audit log, hits between contributions.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.String(length=1024), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit")),
    )
    op.create_table(
        "agency_key",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("public_key", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agency.id"], name=op.f("fk_agency_key_agency_id_agency")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agency_key")),
        sa.UniqueConstraint("key_id", name=op.f("uq_agency_key_key_id")),
    )
    op.create_index(op.f("ix_agency_key_agency_id"), "agency_key", ["agency_id"])
    op.create_table(
        "hit",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("ref", sa.String(length=32), nullable=False),
        sa.Column("signal", sa.String(length=32), nullable=False),
        sa.Column("distance", sa.Integer(), nullable=False),
        sa.Column("contribution_id", sa.String(length=64), nullable=False),
        sa.Column("entity_id", sa.String(length=1024), nullable=False),
        sa.Column("other_contribution_id", sa.String(length=64), nullable=False),
        sa.Column("other_entity_id", sa.String(length=1024), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["contribution_id"],
            ["contribution.id"],
            name=op.f("fk_hit_contribution_id_contribution"),
        ),
        sa.ForeignKeyConstraint(
            ["other_contribution_id"],
            ["contribution.id"],
            name=op.f("fk_hit_other_contribution_id_contribution"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hit")),
        sa.UniqueConstraint("ref", name=op.f("uq_hit_ref")),
        sa.UniqueConstraint(
            "signal",
            "contribution_id",
            "entity_id",
            "other_contribution_id",
            "other_entity_id",
            name="uq_hit_pair",
        ),
    )
    op.create_index(op.f("ix_hit_contribution_id"), "hit", ["contribution_id"])
    op.create_index(op.f("ix_hit_other_contribution_id"), "hit", ["other_contribution_id"])


def downgrade() -> None:
    op.drop_table("hit")
    op.drop_table("agency_key")
    op.drop_table("audit")
