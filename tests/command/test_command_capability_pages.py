"""The command pages offer response, dispatch and road-closure forms only to users holding the
capability the service checks (command.manage, roads.closures.write)."""

from __future__ import annotations

from django.test import Client


def _get(user, url) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_only_commanders_see_the_activate_form(commander, make_user, make_incident, demo_plans, road_network):
    incident = make_incident()
    duty = make_user("duty_cmd", "duty_officer")
    assert 'data-testid="activate-form"' in _get(commander, f"/command/incident/{incident.pk}/")
    assert 'data-testid="activate-form"' not in _get(duty, f"/command/incident/{incident.pk}/")


def test_road_closure_form_only_for_those_who_may_close(commander, make_user, road_network):
    supervisor = make_user("sup_cmd", "supervisor")
    assert "封闭道路</button>" in _get(commander, "/command/roads/")
    assert "封闭道路</button>" not in _get(supervisor, "/command/roads/")
