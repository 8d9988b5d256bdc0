"""One installation of the two-installation test, prepared in its own process (its own
database): ``python -m tests.exchange.side syncdb|ready CODE`` creates the schema if asked, the
bureau of the installation's division and its users with API tokens, and prints the tokens as
JSON. CODE is 210900000000 (the city) or 210922000000 (彰武县)."""

from __future__ import annotations

import json
import sys


def main() -> None:
    mode, code = sys.argv[1], sys.argv[2]
    import django

    django.setup()
    from django.core.management import call_command

    if mode == "syncdb":
        call_command("migrate", run_syncdb=True, verbosity=0, skip_checks=True)
    from yingji.accounts.models import User
    from yingji.accounts.services import issue_token
    from yingji.regions.models import Organisation
    from yingji.regions.services import ensure_divisions

    ensure_divisions()
    name = "阜新市应急管理局" if code.startswith("210900") else "彰武县应急管理局"
    Organisation.objects.get_or_create(name=name, kind="bureau", division_code=code,
                                       defaults={"duty_phone": "0418-0000000"})
    tokens = {}
    for username, role in (("admin", "city_admin" if code.startswith("210900") else "county_admin"),
                           ("duty", "duty_officer"), ("commander", "commander")):
        user = User.objects.create(username=f"{username}_{code[:6]}", role=role, region_code=code,
                                   full_name=f"测试{username}")
        tokens[username] = issue_token(user, "测试")
    print(json.dumps(tokens))


if __name__ == "__main__":
    main()
