"""`crosscheck init`: create or upgrade the case store."""

from __future__ import annotations

from crosscheck.cli import common
from crosscheck.store import migrate


def init() -> None:
    """Create the case store (or bring its schema up to date)."""
    case_store = common.store(create=True)
    revision = migrate.current_revision(case_store.engine)
    url = case_store.engine.url.render_as_string(hide_password=True)
    common.out.print(f"Case store ready: {url} (schema {revision})")
