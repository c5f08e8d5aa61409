"""Handling-code permissions: judicial use (H1), dissemination (H2), acknowledged restrictions (H3).

Revision ID: 0011
Revises: 0010
Create Date: 2027-01-15
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "handling_permission",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("to_agency", sa.String(length=200), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("granted_by", sa.String(length=400), nullable=False),
        sa.Column("granted_at", sa.DateTime(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handling_permission")),
    )
    op.create_index(op.f("ix_handling_permission_subject"), "handling_permission", ["subject"])


def downgrade() -> None:
    op.drop_index(op.f("ix_handling_permission_subject"), table_name="handling_permission")
    op.drop_table("handling_permission")
