"""Initial schema: agencies, contributions, statements, fingerprints.

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "agency",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("country", sa.String(length=8), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agency")),
        sa.UniqueConstraint("name", name=op.f("uq_agency_name")),
    )
    op.create_table(
        "contribution",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("case_reference", sa.String(length=200), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("handling_code", sa.String(length=2), nullable=False),
        sa.Column("handling_note", sa.Text(), nullable=True),
        sa.Column("source_reliability", sa.String(length=1), nullable=False),
        sa.Column("information_assessment", sa.String(length=1), nullable=False),
        sa.Column("review_date", sa.Date(), nullable=False),
        sa.Column("format_version", sa.Integer(), nullable=False),
        sa.Column("members_digest", sa.String(length=64), nullable=False),
        sa.Column("entity_count", sa.Integer(), nullable=False),
        sa.Column("fingerprint_count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agency.id"], name=op.f("fk_contribution_agency_id_agency")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contribution")),
    )
    op.create_index(op.f("ix_contribution_agency_id"), "contribution", ["agency_id"])
    op.create_index(op.f("ix_contribution_review_date"), "contribution", ["review_date"])

    op.create_table(
        "fingerprint",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("contribution_id", sa.String(length=64), nullable=False),
        sa.Column("entity_id", sa.String(length=1024), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=64), nullable=False),
        sa.Column("quality", sa.Integer(), nullable=True),
        sa.Column("frame", sa.Integer(), nullable=True),
        sa.Column("ts", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["contribution_id"],
            ["contribution.id"],
            name=op.f("fk_fingerprint_contribution_id_contribution"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fingerprint")),
    )
    op.create_index(op.f("ix_fingerprint_contribution_id"), "fingerprint", ["contribution_id"])
    op.create_index(op.f("ix_fingerprint_entity_id"), "fingerprint", ["entity_id"])
    op.create_index(op.f("ix_fingerprint_kind_value"), "fingerprint", ["kind", "value"])

    op.create_table(
        "statement",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.String(length=1024), nullable=False),
        sa.Column("canonical_id", sa.String(length=1024), nullable=False),
        sa.Column("prop", sa.String(length=64), nullable=False),
        sa.Column("schema", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("contribution_id", sa.String(length=64), nullable=False),
        sa.Column("lang", sa.String(length=16), nullable=True),
        sa.Column("original_value", sa.Text(), nullable=True),
        sa.Column("first_seen", sa.String(length=32), nullable=True),
        sa.Column("last_seen", sa.String(length=32), nullable=True),
        sa.Column("external", sa.Boolean(), nullable=False),
        sa.Column("origin", sa.String(length=255), nullable=True),
        sa.ForeignKeyConstraint(
            ["contribution_id"],
            ["contribution.id"],
            name=op.f("fk_statement_contribution_id_contribution"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_statement")),
    )
    op.create_index(op.f("ix_statement_canonical_id"), "statement", ["canonical_id"])
    op.create_index(op.f("ix_statement_contribution_id"), "statement", ["contribution_id"])
    op.create_index(op.f("ix_statement_entity_id"), "statement", ["entity_id"])
    op.create_index(op.f("ix_statement_prop_schema"), "statement", ["prop", "schema"])


def downgrade() -> None:
    op.drop_table("statement")
    op.drop_table("fingerprint")
    op.drop_table("contribution")
    op.drop_table("agency")
