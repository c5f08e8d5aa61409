"""The domain: FtM entities held as statements, and our own records."""

from crosscheck.model.records import (
    Agency,
    Contribution,
    Evaluation,
    Fingerprint,
    FingerprintKind,
    Handling,
    HandlingCode,
    InformationAssessment,
    SourceReliability,
)
from crosscheck.model.statements import assemble, entity_dict, parse_entity, statements_of

__all__ = [
    "Agency",
    "Contribution",
    "Evaluation",
    "Fingerprint",
    "FingerprintKind",
    "Handling",
    "HandlingCode",
    "InformationAssessment",
    "SourceReliability",
    "assemble",
    "entity_dict",
    "parse_entity",
    "statements_of",
]
