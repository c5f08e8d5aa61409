"""Banks: hash lists of known material (VICS, CSV, PDQ text), with video frames.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "bank",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("format", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank")),
        sa.UniqueConstraint("name", name=op.f("uq_bank_name")),
    )
    op.create_table(
        "bank_entry",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("bank_id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=1024), nullable=False),
        sa.Column("md5", sa.String(length=32), nullable=True),
        sa.Column("sha1", sa.String(length=40), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("pdq", sa.String(length=64), nullable=True),
        sa.Column("category", sa.String(length=64), nullable=True),
        sa.Column("series", sa.String(length=255), nullable=True),
        sa.Column("victim_identified", sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(["bank_id"], ["bank.id"], name=op.f("fk_bank_entry_bank_id_bank")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_entry")),
    )
    for column in ("bank_id", "md5", "sha1", "sha256"):
        op.create_index(op.f(f"ix_bank_entry_{column}"), "bank_entry", [column])
    op.create_table(
        "bank_frame",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("frame", sa.Integer(), nullable=False),
        sa.Column("ts", sa.Float(), nullable=False),
        sa.Column("pdq", sa.String(length=64), nullable=False),
        sa.Column("quality", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["bank_entry.id"], name=op.f("fk_bank_frame_entry_id_bank_entry")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_frame")),
    )
    op.create_index(op.f("ix_bank_frame_entry_id"), "bank_frame", ["entry_id"])


def downgrade() -> None:
    op.drop_table("bank_frame")
    op.drop_table("bank_entry")
    op.drop_table("bank")
