"""The capability table (yingji.rules.capabilities) is the one place roles get powers: every
capability named in code or templates exists there, no role check is spelled out elsewhere,
and the architecture notes show the table as it is."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from yingji.rules import capabilities as caps
from yingji.rules.roles import ROLES

ROOT = Path(__file__).resolve().parents[2]
CODE = ROOT / "yingji"

NAME = r"([a-z_]+(?:\.[a-z_]+)+)"
# Every way code names a capability: the check functions, model attributes, the template
# filter and the optional fourth element of an app's nav link.
USES = [
    re.compile(r"\b(?:can|has|require|holders|role_can|label|holder_names)\(\s*(?:[\w.\[\]]+\s*,\s*)?\"" + NAME + "\""),
    re.compile(r"\b(?:write_capability|[A-Z_]*CAPABILITY)\s*=\s*\"" + NAME + "\""),
    re.compile(r"\|can:\"" + NAME + "\""),
    re.compile(r"\(\"[^\"]*\", \"[^\"]*\", \"[^\"]*\", \"" + NAME + r"\"\)"),
]
ROLE_CHECK = re.compile(r"\.role\s*(?:==|!=|in\b|not in\b)|\bwrite_roles\b|\brole\s*==\s*\"")


def _sources():
    for path in sorted(CODE.rglob("*")):
        if path.suffix in (".py", ".html") and "migrations" not in path.parts:
            yield path, path.read_text(encoding="utf-8")


def _named_capabilities() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path, text in _sources():
        for pattern in USES:
            for name in pattern.findall(text):
                found.setdefault(name, set()).add(str(path.relative_to(ROOT)))
    return found


def test_every_capability_named_in_code_is_in_the_table():
    named = _named_capabilities()
    assert len(named) > 20, "the scan should find the capabilities the apps use"
    unknown = {name: sorted(where) for name, where in named.items() if name not in caps.CAPABILITIES}
    assert unknown == {}, f"capabilities missing from yingji/rules/capabilities.py: {unknown}"


def test_every_capability_in_the_table_is_used():
    named = _named_capabilities()
    unused = sorted(set(caps.CAPABILITIES) - set(named))
    assert unused == [], f"capabilities granted but never checked: {unused}"


def test_table_grants_only_known_roles():
    for name, (label, holders) in caps.CAPABILITIES.items():
        assert re.fullmatch(NAME, name), name
        assert label, name
        assert holders <= set(ROLES), (name, holders - set(ROLES))


def test_unknown_capability_is_an_error_not_a_silent_no(make_user, rf):
    from django.template import Context, Template

    from yingji.core import capabilities

    user = make_user("caps_admin", "sysadmin")
    with pytest.raises(caps.UnknownCapabilityError, match="warnings.aprove"):
        user.can("warnings.aprove")
    with pytest.raises(caps.UnknownCapabilityError, match="warnings.aprove"):
        capabilities.has(None, "warnings.aprove")
    with pytest.raises(caps.UnknownCapabilityError, match="no.such"):
        Template('{% if user|can:"no.such" %}x{% endif %}').render(Context({"user": user}))
    assert Template('{% if user|can:"warnings.sign" %}yes{% endif %}').render(Context({"user": user})) == "yes"


def test_user_can_follows_the_table(make_user):
    from django.contrib.auth.models import AnonymousUser

    from yingji.core import capabilities
    from yingji.core.errors import Forbidden

    viewer = make_user("caps_viewer", "readonly")
    commander = make_user("caps_commander", "commander")
    assert commander.can("warnings.sign") and not viewer.can("warnings.sign")
    assert not capabilities.has(AnonymousUser(), "warnings.sign")
    with pytest.raises(Forbidden, match="无权签发预警"):
        capabilities.require(viewer, "warnings.sign")
    commander.is_active = False
    assert not commander.can("warnings.sign")


def test_every_model_write_capability_resolves():
    from django.apps import apps

    from yingji.core import scope

    for model in apps.get_models():
        assert not hasattr(model, "write_roles"), f"{model.__name__}: name a write_capability instead"
        assert scope.write_capability(model) in caps.CAPABILITIES, model.__name__


def test_state_machines_take_their_roles_from_the_table():
    from yingji.rules import alarm_lifecycle, hidden_hazard, report_chain, task_lifecycle, warning_workflow as wf

    assert wf.DRAFTER_ROLES == caps.holders("warnings.draft")
    assert wf.REVIEWER_ROLES == caps.holders("warnings.review")
    assert wf.SIGNER_ROLES == caps.holders("warnings.sign")
    assert wf.PUBLISHER_ROLES == caps.holders("warnings.publish")
    assert report_chain.REPORT_ROLES == caps.holders("incidents.report")
    assert alarm_lifecycle.RESPONDER_ROLES == caps.holders("alarms.respond")
    assert alarm_lifecycle.BUREAU_ROLES == caps.holders("alarms.close")
    assert task_lifecycle.RECORDERS == caps.holders("command.tasks.record")
    assert task_lifecycle.COMMANDERS == caps.holders("command.tasks.cancel")
    assert hidden_hazard.REPORT_ROLES == caps.holders("hazards.report")
    assert hidden_hazard.SUPERVISOR_ROLES == caps.holders("hazards.supervise")
    assert hidden_hazard.ENTERPRISE_ROLES == caps.holders("hazards.rectify")
    assert hidden_hazard.REPORT_ROLES == hidden_hazard.SUPERVISOR_ROLES | hidden_hazard.ENTERPRISE_ROLES


def test_no_role_checks_outside_the_table():
    """Apps ask for a capability, never for a role; the rules package keeps the role data."""
    allowed = {CODE / "rules", CODE / "demo"}
    offenders = []
    for path, text in _sources():
        if any(parent in allowed for parent in path.parents):
            continue
        for n, line in enumerate(text.splitlines(), 1):
            if ROLE_CHECK.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert offenders == []


def test_architecture_notes_show_the_table():
    """docs/architecture.md carries the grant matrix; regenerate it when the table changes."""
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    roles = list(ROLES)
    for name, (label, holders) in caps.CAPABILITIES.items():
        row = f"| `{name}` | {label} | " + " | ".join("✓" if r in holders else "" for r in roles) + " |"
        assert row.replace("  ", " ") in text.replace("  ", " "), f"docs/architecture.md lacks or differs on {name}"
