"""The warning page offers a workflow step only to someone the service would let take it:
the capability (role) and the four-eyes guards decide, not the page."""

from __future__ import annotations

from django.test import Client


def _page(user, warning) -> str:
    client = Client()
    client.force_login(user)
    return client.get(f"/warnings/{warning.pk}/").content.decode()


def test_sign_button_only_for_a_signer_who_may_sign(draft, roles, make_user):
    from yingji.warnings import services

    warning = services.transition(roles["drafter"], draft, "submit")
    warning = services.transition(roles["reviewer"], warning, "approve", "同意")
    other_signer = make_user("signer2", "commander")
    viewer = make_user("viewer", "readonly")
    assert 'data-testid="act-sign"' in _page(roles["signer"], warning)
    assert 'data-testid="act-sign"' in _page(other_signer, warning)
    assert 'data-testid="act-sign"' not in _page(roles["reviewer"], warning)  # reviewed it: may not sign
    assert 'data-testid="act-sign"' not in _page(roles["drafter"], warning)  # drafted it, and no warnings.sign
    assert 'data-testid="act-' not in _page(viewer, warning)


def test_viewer_sees_no_edit_on_a_draft(draft, roles, make_user):
    viewer = make_user("viewer", "readonly")
    assert f'href="/warnings/{draft.pk}/edit/"' in _page(roles["drafter"], draft)
    assert f'href="/warnings/{draft.pk}/edit/"' not in _page(viewer, draft)
    assert 'data-testid="act-approve"' not in _page(roles["drafter"], draft)
