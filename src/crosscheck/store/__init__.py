"""Storage: SQLAlchemy Core on SQLite (embedded default) and PostgreSQL (hub)."""

from crosscheck.store.bank_store import BankInfo, BankStore
from crosscheck.store.case_store import CaseStore, ImportResult, Stats
from crosscheck.store.engine import make_engine

__all__ = ["BankInfo", "BankStore", "CaseStore", "ImportResult", "Stats", "make_engine"]
