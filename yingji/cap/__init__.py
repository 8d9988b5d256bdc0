"""CAP (Common Alerting Protocol) for Yingji: safe parsing, validation, reading and building.

Pure Python (lxml), no Django. The Django apps should use only the names re-exported here.
"""

from .build import (
    CPEAS_GEOCODE_NAME,
    EnglishText,
    InvalidWarningError,
    WarningArea,
    WarningMessage,
    build_cap,
    format_references,
    reference_to,
    warning_problems,
)
from .errors import CapParseError, CapXMLError, HostileXMLError, MalformedXMLError
from .identifier import make_identifier, make_sender_code, parse_identifier
from .model import CapAlert, CapArea, CapCircle, CapInfo, CapReference, dedup_key
from .parse import parse_cap
from .review import ACCEPT, ACCEPT_WITH_NOTE, REJECT, IncomingReview, review_incoming
from .safe_xml import DEFAULT_MAX_BYTES, safe_parse
from .validate import ValidationResult, validate_cap

__all__ = [
    "ACCEPT", "ACCEPT_WITH_NOTE", "CPEAS_GEOCODE_NAME", "DEFAULT_MAX_BYTES", "REJECT",
    "CapAlert", "CapArea", "CapCircle", "CapInfo", "CapParseError", "CapReference", "CapXMLError",
    "EnglishText", "HostileXMLError", "IncomingReview", "InvalidWarningError", "MalformedXMLError",
    "ValidationResult", "WarningArea", "WarningMessage",
    "build_cap", "dedup_key", "format_references", "make_identifier", "make_sender_code",
    "parse_cap", "parse_identifier", "reference_to", "review_incoming", "safe_parse",
    "validate_cap", "warning_problems",
]
