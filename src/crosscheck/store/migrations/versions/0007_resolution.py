"""Entity resolution: resolved records and their clusters, scored links, analyst judgements.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "resolution_record",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("scope", sa.String(length=200), nullable=False),
        sa.Column("record_id", sa.String(length=255), nullable=False),
        sa.Column("digest", sa.String(length=40), nullable=False),
        sa.Column("cluster_id", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resolution_record")),
        sa.UniqueConstraint(
            "scope", "record_id", name=op.f("uq_resolution_record_scope_record_id")
        ),
    )
    op.create_table(
        "resolution_link",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("scope", sa.String(length=200), nullable=False),
        sa.Column("left_id", sa.String(length=255), nullable=False),
        sa.Column("right_id", sa.String(length=255), nullable=False),
        sa.Column("probability", sa.Float(), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resolution_link")),
        sa.UniqueConstraint(
            "scope", "left_id", "right_id", name=op.f("uq_resolution_link_scope_left_id_right_id")
        ),
    )
    op.create_table(
        "resolution_judgement",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("scope", sa.String(length=200), nullable=False),
        sa.Column("left_id", sa.String(length=255), nullable=False),
        sa.Column("right_id", sa.String(length=255), nullable=False),
        sa.Column("verdict", sa.String(length=16), nullable=False),
        sa.Column("judged_by", sa.String(length=200), nullable=False),
        sa.Column("judged_at", sa.DateTime(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("cluster_id", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resolution_judgement")),
    )
    op.create_index(op.f("ix_resolution_judgement_left_id"), "resolution_judgement", ["left_id"])
    op.create_index(op.f("ix_resolution_judgement_right_id"), "resolution_judgement", ["right_id"])


def downgrade() -> None:
    op.drop_table("resolution_judgement")
    op.drop_table("resolution_link")
    op.drop_table("resolution_record")
