"""Hash-list formats: VICS 1.x/2.0 JSON, CSV, ThreatExchange PDQ text, our JSON lines."""

from crosscheck.exchange.banks.formats import FORMATS, BankFormat, read_bank, write_pdq_text
from crosscheck.exchange.banks.vics import write_vics

__all__ = ["FORMATS", "BankFormat", "read_bank", "write_pdq_text", "write_vics"]
