"""API tokens checked by a keyed hash: ``token_mac`` = HMAC-SHA-256(token key, secret).

The argon2 hashes of the tokens issued before go: such a credential keeps its
row (listed, revocable) but no token opens it any more; re-issue it with
``crosscheck user add``.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("credential") as batch:
        batch.add_column(sa.Column("token_mac", sa.String(length=64), nullable=True))
        batch.create_unique_constraint(op.f("uq_credential_token_mac"), ["token_mac"])
        batch.drop_column("token_hash")


def downgrade() -> None:
    # the MACs cannot become argon2 hashes: every credential is left without a usable token
    with op.batch_alter_table("credential") as batch:
        batch.add_column(sa.Column("token_hash", sa.String(length=255), nullable=True))
    op.execute(sa.text("UPDATE credential SET token_hash = '!'"))
    with op.batch_alter_table("credential") as batch:
        batch.alter_column("token_hash", existing_type=sa.String(length=255), nullable=False)
        batch.drop_constraint(op.f("uq_credential_token_mac"), type_="unique")
        batch.drop_column("token_mac")
