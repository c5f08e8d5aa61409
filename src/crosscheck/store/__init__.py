"""Storage: SQLAlchemy Core on SQLite (embedded default) and PostgreSQL (hub)."""

from crosscheck.store.case_store import CaseStore, ImportResult, Stats
from crosscheck.store.engine import make_engine

__all__ = ["CaseStore", "ImportResult", "Stats", "make_engine"]
