"""The case store's tables (SQLAlchemy Core); alembic migrations create them.

Names follow FtM's statement table where it has one; ``contribution_id`` is
FtM's ``dataset``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.types import TypeDecorator

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored as naive UTC on every engine and read back time-zone aware."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC)


agency = Table(
    "agency",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False),
    Column("country", String(8), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    UniqueConstraint("name"),
)

contribution = Table(
    "contribution",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("agency_id", Integer, ForeignKey("agency.id"), nullable=False, index=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("received_at", UTCDateTime(), nullable=False),
    Column("case_reference", String(200), nullable=False),
    Column("purpose", Text, nullable=False),
    Column("handling_code", String(2), nullable=False),
    Column("handling_note", Text, nullable=True),
    Column("source_reliability", String(1), nullable=False),
    Column("information_assessment", String(1), nullable=False),
    Column("review_date", Date, nullable=False, index=True),
    Column("format_version", Integer, nullable=False),
    Column("members_digest", String(64), nullable=False),
    Column("entity_count", Integer, nullable=False),
    Column("fingerprint_count", Integer, nullable=False),
    # the id the provider's package carries; ``id`` is the hub's, the same when it was free
    Column("submitted_id", String(64), nullable=False),
    UniqueConstraint("agency_id", "submitted_id"),
)

statement = Table(
    "statement",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("entity_id", String(1024), nullable=False, index=True),
    Column("canonical_id", String(1024), nullable=False, index=True),
    Column("prop", String(64), nullable=False),
    Column("schema", String(64), nullable=False),
    Column("value", Text, nullable=False),
    Column(
        "contribution_id",
        String(64),
        ForeignKey("contribution.id"),
        nullable=False,
        index=True,
    ),
    Column("lang", String(16), nullable=True),
    Column("original_value", Text, nullable=True),
    Column("first_seen", String(32), nullable=True),
    Column("last_seen", String(32), nullable=True),
    Column("external", Boolean, nullable=False, default=False),
    Column("origin", String(255), nullable=True),
    Index(None, "prop", "schema"),
)

fingerprint = Table(
    "fingerprint",
    metadata,
    Column("id", String(40), primary_key=True),
    Column(
        "contribution_id",
        String(64),
        ForeignKey("contribution.id"),
        nullable=False,
        index=True,
    ),
    Column("entity_id", String(1024), nullable=False, index=True),
    Column("kind", String(16), nullable=False),
    Column("value", String(64), nullable=False),
    Column("quality", Integer, nullable=True),
    Column("frame", Integer, nullable=True),
    Column("ts", Float, nullable=True),
    Column("variant", String(32), nullable=True),
    Index(None, "kind", "value"),
)

bank = Table(
    "bank",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False),
    Column("format", String(16), nullable=False),
    Column("version", Integer, nullable=False),  # bumped by every import: index caches key on it
    Column("updated_at", UTCDateTime(), nullable=False),
    UniqueConstraint("name"),
)

bank_entry = Table(
    "bank_entry",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("bank_id", Integer, ForeignKey("bank.id"), nullable=False, index=True),
    Column("ref", String(1024), nullable=False),
    Column("md5", String(32), nullable=True, index=True),
    Column("sha1", String(40), nullable=True, index=True),
    Column("sha256", String(64), nullable=True, index=True),
    Column("pdq", String(64), nullable=True),
    Column("category", String(64), nullable=True),
    Column("series", String(255), nullable=True),
    Column("victim_identified", Boolean, nullable=True),
    Column("vics", Text, nullable=True),  # VICS fields kept as they came (JSON object)
)

bank_frame = Table(
    "bank_frame",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("entry_id", Integer, ForeignKey("bank_entry.id"), nullable=False, index=True),
    Column("frame", Integer, nullable=False),
    Column("ts", Float, nullable=False),
    Column("pdq", String(64), nullable=False),
    Column("quality", Integer, nullable=True),
)

agency_key = Table(
    "agency_key",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("agency_id", Integer, ForeignKey("agency.id"), nullable=False, index=True),
    Column("key_id", String(16), nullable=False),
    Column("public_key", String(64), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("revoked_at", UTCDateTime(), nullable=True),
    UniqueConstraint("key_id"),
)

audit = Table(
    "audit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime(), nullable=False),
    Column("actor", String(200), nullable=False),
    Column(
        "action", String(32), nullable=False
    ),  # collection, access, disclosure, combination, ...
    Column("subject", String(1024), nullable=False),
    Column("detail", Text, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)

hit = Table(
    "hit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("ref", String(32), nullable=False),
    Column("signal", String(32), nullable=False),
    Column("distance", Integer, nullable=False),
    Column(
        "contribution_id", String(64), ForeignKey("contribution.id"), nullable=False, index=True
    ),
    Column("entity_id", String(1024), nullable=False),
    Column(
        "other_contribution_id",
        String(64),
        ForeignKey("contribution.id"),
        nullable=False,
        index=True,
    ),
    Column("other_entity_id", String(1024), nullable=False),
    Column("status", String(16), nullable=False),  # pending, released, declined
    Column("created_at", UTCDateTime(), nullable=False),
    Column("decided_at", UTCDateTime(), nullable=True),
    UniqueConstraint("ref"),
    UniqueConstraint(
        "signal",
        "contribution_id",
        "entity_id",
        "other_contribution_id",
        "other_entity_id",
        name="uq_hit_pair",
    ),
)

credential = Table(
    "credential",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("agency_id", Integer, ForeignKey("agency.id"), nullable=True, index=True),
    Column("name", String(200), nullable=False),
    Column("role", String(32), nullable=False),  # examiner, analyst, agency_admin, hub_operator
    # HMAC-SHA-256(the hub's token key, the token's secret), hex; NULL for a credential made
    # before revision 0009 (argon2-hashed, refused: re-issue it)
    Column("token_mac", String(64), nullable=True, unique=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("revoked_at", UTCDateTime(), nullable=True),
    # the workbench's log-in (revision 0013): argon2id of the password, failures, lock
    Column("password_hash", String(255), nullable=True),
    Column("failed_logins", Integer, nullable=False, server_default="0"),
    Column("locked_until", UTCDateTime(), nullable=True),
)

# A workbench session: the cookie holds a random token; the id is its SHA-256, never the token.
web_session = Table(
    "web_session",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("credential_id", Integer, ForeignKey("credential.id"), nullable=False, index=True),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("last_seen", UTCDateTime(), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False),
)

job = Table(
    "job",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(32), nullable=False),
    Column("subject", String(255), nullable=False),
    Column("status", String(16), nullable=False, index=True),  # queued, running, done, failed
    Column("attempts", Integer, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Column("error", Text, nullable=True),
    Column("not_before", UTCDateTime(), nullable=True),  # a retry waits until then (back-off)
)

message = Table(
    "message",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("ref", String(32), nullable=False),
    Column("thread", String(32), nullable=False, index=True),
    Column("subject", String(300), nullable=False),
    Column("case_reference", String(200), nullable=True),
    Column("sender_agency_id", Integer, ForeignKey("agency.id"), nullable=False),
    Column("handling_code", String(2), nullable=False),
    Column("handling_note", Text, nullable=True),
    Column("source_reliability", String(1), nullable=False),
    Column("information_assessment", String(1), nullable=False),
    Column("nonce", LargeBinary, nullable=False),
    Column("body", LargeBinary, nullable=False),  # AES-GCM ciphertext
    Column("created_at", UTCDateTime(), nullable=False),
    # nonce + AES-GCM of {subject, case_reference, handling_note}; then those columns are empty
    Column("sealed_meta", LargeBinary, nullable=True),
    UniqueConstraint("ref"),
)

message_recipient = Table(
    "message_recipient",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("message_id", Integer, ForeignKey("message.id"), nullable=False, index=True),
    Column("agency_id", Integer, ForeignKey("agency.id"), nullable=False, index=True),
    Column("acknowledged_at", UTCDateTime(), nullable=True),
)

message_attachment = Table(
    "message_attachment",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("message_id", Integer, ForeignKey("message.id"), nullable=False, index=True),
    Column("name", String(255), nullable=False),
    Column("size", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("nonce", LargeBinary, nullable=False),
    Column("content", LargeBinary, nullable=False),  # AES-GCM ciphertext
    # nonce + AES-GCM of {name, sha256}; then those columns are empty
    Column("sealed_meta", LargeBinary, nullable=True),
)

# entity resolution: per scope ("" = everything held; an agency's name = what it may see)
resolution_record = Table(
    "resolution_record",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("scope", String(200), nullable=False),
    Column("record_id", String(255), nullable=False),
    Column("digest", String(40), nullable=False),  # SHA-1 of the record's features
    Column("cluster_id", String(64), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    UniqueConstraint("scope", "record_id"),
)

resolution_link = Table(
    "resolution_link",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("scope", String(200), nullable=False),
    Column("left_id", String(255), nullable=False),
    Column("right_id", String(255), nullable=False),
    Column("probability", Float, nullable=False),
    Column("explanation", Text, nullable=False),  # JSON: match weights per field
    UniqueConstraint("scope", "left_id", "right_id"),
)

resolution_judgement = Table(
    "resolution_judgement",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("scope", String(200), nullable=False),  # where it was made; "" = the whole store
    Column("left_id", String(255), nullable=False, index=True),
    Column("right_id", String(255), nullable=False, index=True),
    Column("verdict", String(16), nullable=False),  # confirm, reject, unsure
    Column("judged_by", String(200), nullable=False),
    Column("judged_at", UTCDateTime(), nullable=False),
    Column("note", Text, nullable=True),
    Column("cluster_id", String(64), nullable=True),
)

handling_permission = Table(
    "handling_permission",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    # the contribution the permission is about, or a message reference (MSG-…)
    Column("subject", String(200), nullable=False, index=True),
    Column("to_agency", String(200), nullable=True),  # None: any agency
    Column("kind", String(32), nullable=False),  # judicial, dissemination, restriction-ack
    Column("granted_by", String(400), nullable=False),  # user@agency, or "local"
    Column("granted_at", UTCDateTime(), nullable=False),
    Column("note", Text, nullable=True),
)

# revision 0015: the hub's cross-check looks values up instead of reading the holding
# identifiers as the hub compares them (text/identity_keys.py), one row per entity and key
identifier_key = Table(
    "identifier_key",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "contribution_id", String(64), ForeignKey("contribution.id"), nullable=False, index=True
    ),
    Column("entity_id", String(1024), nullable=False),
    Column("kind", String(16), nullable=False),  # email, phone, account, wallet
    Column("key", String(1024), nullable=False),
    Index(None, "kind", "key"),
)

# every contribution stored or erased, in commit order: what the PDQ index on disk follows
# (its watermark is the last id it took in); no foreign key, an erased contribution stays named
index_feed = Table(
    "index_feed",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("contribution_id", String(64), nullable=False),
    Column("agency_id", Integer, nullable=False),
    Column("op", String(8), nullable=False),  # add, erase
    Column("nonce", String(16), nullable=False),  # tells this row from one of a replaced store
)
