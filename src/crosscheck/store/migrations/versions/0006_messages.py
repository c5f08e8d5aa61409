"""Secure messages between agencies: bodies and attachments encrypted at rest.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "message",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("ref", sa.String(length=32), nullable=False),
        sa.Column("thread", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("case_reference", sa.String(length=200), nullable=True),
        sa.Column("sender_agency_id", sa.Integer(), nullable=False),
        sa.Column("handling_code", sa.String(length=2), nullable=False),
        sa.Column("handling_note", sa.Text(), nullable=True),
        sa.Column("source_reliability", sa.String(length=1), nullable=False),
        sa.Column("information_assessment", sa.String(length=1), nullable=False),
        sa.Column("nonce", sa.LargeBinary(), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["sender_agency_id"], ["agency.id"], name=op.f("fk_message_sender_agency_id_agency")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message")),
        sa.UniqueConstraint("ref", name=op.f("uq_message_ref")),
    )
    op.create_index(op.f("ix_message_thread"), "message", ["thread"])
    op.create_table(
        "message_recipient",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agency.id"], name=op.f("fk_message_recipient_agency_id_agency")
        ),
        sa.ForeignKeyConstraint(
            ["message_id"], ["message.id"], name=op.f("fk_message_recipient_message_id_message")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_recipient")),
    )
    op.create_index(op.f("ix_message_recipient_message_id"), "message_recipient", ["message_id"])
    op.create_index(op.f("ix_message_recipient_agency_id"), "message_recipient", ["agency_id"])
    op.create_table(
        "message_attachment",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("nonce", sa.LargeBinary(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"], ["message.id"], name=op.f("fk_message_attachment_message_id_message")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_attachment")),
    )
    op.create_index(op.f("ix_message_attachment_message_id"), "message_attachment", ["message_id"])


def downgrade() -> None:
    op.drop_table("message_attachment")
    op.drop_table("message_recipient")
    op.drop_table("message")
