"""Coverage of villages and communities by grassroots disaster information officers: one roster
per village (the resources registry's 基层信息员 filed under the village's 12-digit code) and the
rule of rules.social.coverage_gap (at least one; A and B posts in disaster-prone villages).
The field-app accounts of a village are users scoped to that village (the narrowest scope)."""

from __future__ import annotations

from collections import defaultdict

from yingji.accounts.models import User
from yingji.core import scope
from yingji.resources.models import InformationOfficer
from yingji.rules import social as rules

from .models import Village

DISASTER_OFFICER = "灾害信息员"


def village_rows(user, township: str = "") -> list[dict]:
    villages = scope.visible(Village.objects.all(), user)
    if township:
        villages = villages.filter(division_code__startswith=township[:9])
    villages = list(villages.order_by("division_code"))
    codes = [v.division_code for v in villages]
    officers = defaultdict(list)
    for officer in scope.visible(InformationOfficer.objects.filter(division_code__in=codes), user):
        officers[officer.division_code].append(officer)
    accounts = defaultdict(list)
    for account in User.objects.filter(region_code__in=codes, is_active=True):
        if account.can("field.report"):
            accounts[account.region_code].append(account)
    rows = []
    for village in villages:
        staff = officers[village.division_code]
        disaster = [o for o in staff if DISASTER_OFFICER in o.roles.split("、")]
        rows.append({"village": village, "officers": staff, "disaster_officers": len(disaster),
                     "required": rules.required_officers(village.disaster_prone),
                     "gap": rules.coverage_gap(len(disaster), village.disaster_prone),
                     "accounts": accounts[village.division_code]})
    return rows


def summary(rows: list[dict]) -> dict:
    uncovered = [r for r in rows if r["gap"]]
    return {"villages": len(rows), "covered": len(rows) - len(uncovered), "uncovered": len(uncovered),
            "none": sum(1 for r in rows if r["disaster_officers"] == 0)}
