"""Contribution ids scoped to their provider: the id the provider's package carries.

The hub stores a contribution under that id when it is free, else under an id
it assigns; ``submitted_id`` keeps the provider's own, unique per agency.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("contribution") as batch:
        batch.add_column(sa.Column("submitted_id", sa.String(length=64), nullable=True))
    op.execute(sa.text("UPDATE contribution SET submitted_id = id"))
    with op.batch_alter_table("contribution") as batch:
        batch.alter_column("submitted_id", existing_type=sa.String(length=64), nullable=False)
        batch.create_unique_constraint(
            op.f("uq_contribution_agency_id_submitted_id"), ["agency_id", "submitted_id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("contribution") as batch:
        batch.drop_constraint(op.f("uq_contribution_agency_id_submitted_id"), type_="unique")
        batch.drop_column("submitted_id")
