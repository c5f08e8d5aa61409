"""Message metadata sealed at rest: subject, case reference, handling note, attachment names.

``message.sealed_meta`` holds the subject, case reference and handling note and
``message_attachment.sealed_meta`` the attachment's name and SHA-256, each as
nonce + AES-GCM ciphertext bound to the message. Rows written from now on keep
an empty subject, name and digest in the clear columns (kept for messages sent
before this revision, which the migration cannot seal: it has no key).

Revision ID: 0010
Revises: 0009
Create Date: 2027-01-10
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("message", sa.Column("sealed_meta", sa.LargeBinary(), nullable=True))
    op.add_column("message_attachment", sa.Column("sealed_meta", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    # sealed subjects and names cannot be unsealed here (no key): they are lost on downgrade
    with op.batch_alter_table("message_attachment") as batch:
        batch.drop_column("sealed_meta")
    with op.batch_alter_table("message") as batch:
        batch.drop_column("sealed_meta")
