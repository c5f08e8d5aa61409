"""Bank entries keep the VICS fields they came with (MediaID, MediaSize, MediaFiles…).

Revision ID: 0012
Revises: 0011
Create Date: 2027-01-16
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("bank_entry", sa.Column("vics", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("bank_entry") as batch:
        batch.drop_column("vics")
