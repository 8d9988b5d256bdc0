"""The serious-dishonesty list: notice and objection period, decision, publication, the
3-year expiry and the 12-month early removal after credit repair, each with its dates; the
query by name or code (console and API) and the public list."""

from __future__ import annotations

import datetime as dt
import pytest
import time_machine
from django.test import Client

from yingji.core.errors import ServiceError
from yingji.credit import services
from yingji.credit.models import Listing
from yingji.rules import credit as rules

BJ = dt.timezone(dt.timedelta(hours=8))


def at(day: str):
    return time_machine.travel(dt.datetime.fromisoformat(day).replace(hour=10, tzinfo=BJ), tick=False)


@pytest.fixture
def people(make_user, enterprises):
    return {"supervisor": make_user("zw_sup", "supervisor", "210922000000"),
            "company": make_user("zw_company", "enterprise", "210922000000", enterprise=enterprises[0]),
            "other_dept": make_user("dept", "readonly", "210900000000")}


def _propose(people, enterprises, notice="2026-03-02"):
    return services.propose(people["supervisor"], {
        "enterprise": enterprises[0], "condition": "4", "penalty_reference": "（210922）应急罚〔2026〕3号",
        "facts": "瞒报一起造成1人死亡的生产安全事故（测试）", "notice_on": notice, "persons": "主要负责人 张某"})


def test_rules_dates_by_hand():
    dates = rules.listing_dates(dt.date(2026, 3, 2), dt.date(2026, 3, 16))
    assert dates.objection_due == dt.date(2026, 3, 9)          # 5 working days after Monday 2 March
    assert dates.publication_due == dt.date(2026, 3, 25)       # 7 working days after 16 March
    assert dates.early_removal_from == dt.date(2027, 3, 16)    # 12 months
    assert dates.expires_on == dt.date(2029, 3, 16)            # 3 years
    assert rules.listing_dates(dt.date(2024, 2, 29), dt.date(2024, 2, 29)).expires_on == dt.date(2027, 2, 28)


def test_objection_within_the_period_then_decision_publication_and_expiry(people, enterprises):
    with at("2026-03-02"):
        listing = _propose(people, enterprises)
    assert listing.state == "proposed" and listing.objection_due == dt.date(2026, 3, 9)
    with at("2026-03-05"):
        with pytest.raises(ServiceError, match="届满前不能作出列入决定"):
            services.step(people["supervisor"], listing.pk, "decide", {"decision_number": "失信〔2026〕1号"})
        objected = services.step(people["company"], listing.pk, "object", {"objection": "事故系员工突发疾病，不属瞒报"})
    assert objected.state == "objection" and objected.objection_on == dt.date(2026, 3, 5)
    with at("2026-03-16"):
        with pytest.raises(ServiceError, match="请先填写异议复核意见"):
            services.step(people["supervisor"], listing.pk, "decide", {"decision_number": "失信〔2026〕1号"})
        decided = services.step(people["supervisor"], listing.pk, "decide", {
            "decision_number": "失信〔2026〕1号", "reply": "经复核，医院证明死亡与作业有关，异议不成立"})
        assert (decided.state, decided.decided_on, decided.early_removal_from, decided.expires_on) == (
            "decided", dt.date(2026, 3, 16), dt.date(2027, 3, 16), dt.date(2029, 3, 16))
    with at("2026-03-17"):
        listed = services.step(people["supervisor"], listing.pk, "publish", {"published_on": "2026-03-17"})
        assert listed.state == "listed" and listed.published_on == dt.date(2026, 3, 17)
    assert services.expire_listings(dt.date(2029, 3, 16)) == []      # the last day is still on the list
    (expired,) = services.expire_listings(dt.date(2029, 3, 17))
    assert expired.state == "expired" and expired.removed_on == dt.date(2029, 3, 16)
    assert services.expire_listings(dt.date(2029, 3, 18)) == []      # idempotent


def test_an_objection_after_the_period_is_refused_and_an_accepted_one_drops_the_listing(people, enterprises):
    with at("2026-03-02"):
        late = _propose(people, enterprises)
    with at("2026-03-10"):
        with pytest.raises(ServiceError, match="陈述申辩期已于 2026-03-09 届满"):
            services.step(people["company"], late.pk, "object", {"objection": "异议"})
    with at("2026-03-04"):
        services.step(people["company"], late.pk, "object", {"objection": "处罚决定已被复议撤销"})
        dropped = services.step(people["supervisor"], late.pk, "accept_objection", {"reply": "复议决定撤销原处罚，异议成立"})
    assert dropped.state == "dropped" and not Listing.objects.get(pk=late.pk).on_list


def test_early_removal_after_twelve_months_and_its_revocation(people, enterprises):
    with at("2026-03-02"):
        listing = _propose(people, enterprises)
    with at("2026-03-16"):
        services.step(people["supervisor"], listing.pk, "decide", {"decision_number": "失信〔2026〕2号"})
        services.step(people["supervisor"], listing.pk, "publish")
    conditions = {key: "on" for key, _ in rules.REPAIR_CONDITIONS}
    offered = lambda: [t.action for t in services.offered_actions(listing, people["company"])]  # noqa: E731
    with at("2027-03-15"):
        # Not offered before its date (the pressing walk met the refusal behind the button).
        listing.refresh_from_db()
        assert "apply_repair" not in offered()
        with pytest.raises(ServiceError, match="列入名单满12个月（2027-03-16）后方可申请提前移出"):
            services.step(people["company"], listing.pk, "apply_repair", {**conditions, "repair_statement": "已整改"})
    with at("2027-03-16"):
        assert "apply_repair" in offered()
        with pytest.raises(ServiceError, match="不符合信用修复条件：已参加信用修复培训"):
            services.step(people["company"], listing.pk, "apply_repair", {**conditions, "training": ""})
        applied = services.step(people["company"], listing.pk, "apply_repair", {**conditions, "repair_statement": "已整改"})
        assert applied.state == "repair_requested" and applied.repair_applied_on == dt.date(2027, 3, 16)
        with pytest.raises(ServiceError, match="您的角色无权执行“同意提前移出”"):
            services.step(people["company"], listing.pk, "approve_repair")
    with at("2027-03-30"):
        removed = services.step(people["supervisor"], listing.pk, "approve_repair", {"reply": "符合条件"})
    assert removed.state == "removed_early" and removed.removed_on == dt.date(2027, 3, 30)
    with at("2027-06-01"):
        restored = services.step(people["supervisor"], listing.pk, "revoke_repair",
                                 {"reply": "申请时隐瞒了另一起未报告的事故"})
    assert restored.state == "listed" and restored.removed_on is None and restored.expires_on == dt.date(2029, 3, 16)


def test_the_query_by_name_or_code_and_the_api_for_other_departments(people, enterprises, api_client):
    with at("2026-03-02"):
        listing = _propose(people, enterprises)
    with at("2026-03-16"):
        services.step(people["supervisor"], listing.pk, "decide", {"decision_number": "失信〔2026〕3号"})
        services.step(people["supervisor"], listing.pk, "publish")
        dept = Client()
        dept.force_login(people["other_dept"])
        page = dept.get("/credit/", {"q": enterprises[0].uscc}).content.decode()
        assert "严重失信主体（名单内）" in page and "失信〔2026〕3号" in page
        assert "未列入严重失信主体名单" in dept.get("/credit/", {"q": "海州测试"}).content.decode()
        client = api_client(people["other_dept"])
        data = client.get("/api/v1/credit/", {"q": "彰武测试"}).json()
        assert [(d["uscc"], d["on_list"]) for d in data] == [(enterprises[0].uscc, True)]
        one = client.get(f"/api/v1/credit/{enterprises[1].uscc}").json()
        assert one["on_list"] is False and one["listing"] is None
        missing = client.get("/api/v1/credit/91210900MA99999990")
        assert missing.status_code == 404 and missing.json()["error"]["message"].startswith("统一社会信用代码")
        public = Client().get("/credit/public/").content.decode()
        assert enterprises[0].uscc in public and "2029-03-16" in public


def test_the_enterprise_sees_its_own_status_only(people, enterprises):
    with at("2026-03-02"):
        listing = _propose(people, enterprises)
        company = Client()
        company.force_login(people["company"])
        page = company.get("/credit/").content.decode()
        assert "拟列入（程序中）" in page and enterprises[0].name in page
        assert company.get("/credit/", {"q": "海州测试"}).content.decode().count("海州测试燃气") == 0
        assert company.get(f"/credit/listings/{listing.pk}/").status_code == 200
        response = company.post(f"/credit/listings/{listing.pk}/act/", {"action": "decide", "decision_number": "x"})
        assert response.status_code == 403
    assert Listing.objects.get(pk=listing.pk).state == "proposed"


def test_the_enterprise_page_shows_its_credit_status_and_supervision(people, enterprises):
    with at("2026-03-02"):
        listing = _propose(people, enterprises)
    with at("2026-03-16"):
        services.step(people["supervisor"], listing.pk, "decide", {"decision_number": "失信〔2026〕9号"})
        for user in (people["supervisor"], people["company"]):
            client = Client()
            client.force_login(user)
            page = client.get(f"/r/enterprises/{enterprises[0].pk}/").content.decode()
            assert "安全生产信用" in page and "严重失信主体（名单内）（失信〔2026〕9号，2029-03-16 期满）" in page
            assert "监管执法" in page and "执法案件 0 件" in page


def test_a_listing_is_filed_where_the_enterprise_is(people, enterprises, make_user):
    city = make_user("city_sup", "supervisor", "210900000000")
    with at("2026-03-02"):
        listing = services.propose(city, {"enterprise": enterprises[0], "condition": "4", "penalty_reference": "x号",
                                          "facts": "瞒报事故（测试）"})
        assert listing.division_code == enterprises[0].division_code
        company = Client()
        company.force_login(people["company"])
        assert company.get(f"/credit/listings/{listing.pk}/").status_code == 200
