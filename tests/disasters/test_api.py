"""API: events, reports (with the error shape for out-of-order stages, jumps and scope),
summary, relief level, the calculator, payments."""

from __future__ import annotations

import json

from django.utils import timezone

from tests.conftest import CITY, HAIZHOU, ZHANGWU
from tests.disasters.conftest import HZ_TOWN, ZW_TOWN_A


def post(client, url, body):
    return client.post(url, data=json.dumps(body, default=str), content_type="application/json")


def test_create_event_and_file_reports_through_the_api(people, api_client):
    city, zhangwu = api_client(people["city"]), api_client(people["zhangwu"])
    created = post(city, "/api/v1/disasters/", {"title": "API洪涝", "hazard_type": "flood",
                                               "start_at": timezone.now().isoformat(), "division_code": "210900",
                                               "affected_codes": ["210922"]})
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["affected_codes"] == [ZHANGWU]
    listing = zhangwu.get("/api/v1/disasters/").json()
    assert listing["count"] == 1 and listing["items"][0]["id"] == pk

    report = post(zhangwu, f"/api/v1/disasters/{pk}/reports", {"stage": "initial", "reporter": "王", "division_code": ZW_TOWN_A,
                                                               "deaths": 15, "missing": 5, "crop_affected_ha": "12.5"})
    assert report.status_code == 201, report.content
    assert report.json()["sequence"] == 1 and report.json()["crop_affected_ha"] == "12.50"

    detail = city.get(f"/api/v1/disasters/{pk}").json()
    assert detail["totals"]["deaths"] == 15
    assert detail["relief"]["level"] == 4 and detail["relief"]["label"] == "四级"
    assert detail["relief"]["conditions"][0]["code"] == "dead_missing"
    dead = next(e for e in detail["relief"]["evaluations"] if e["code"] == "dead_missing")
    assert (dead["next_level"], dead["next_label"], dead["next_threshold"]) == (3, "三级", 50)

    reports = zhangwu.get(f"/api/v1/disasters/{pk}/reports").json()
    assert reports["count"] == 1
    summary = city.get(f"/api/v1/disasters/{pk}/summary").json()
    assert summary[0]["stage"] == "initial" and summary[0]["sum"]["deaths"] == 15
    assert city.get(f"/api/v1/disasters/{pk}/relief").json()["level"] == 4


def test_error_shapes(people, event, api_client):
    zhangwu = api_client(people["zhangwu"])
    url = f"/api/v1/disasters/{event.pk}/reports"
    out_of_order = post(zhangwu, url, {"stage": "update", "reporter": "王", "division_code": ZW_TOWN_A})
    assert out_of_order.status_code == 409 and out_of_order.json()["error"]["code"] == "stage_order"
    other_county = post(zhangwu, url, {"stage": "initial", "reporter": "王", "division_code": HZ_TOWN})
    assert other_county.status_code == 403 and other_county.json()["error"]["code"] == "forbidden"
    assert post(zhangwu, url, {"stage": "initial", "reporter": "王", "division_code": ZW_TOWN_A,
                               "affected_population": 10}).status_code == 201
    jump = post(zhangwu, url, {"stage": "update", "reporter": "王", "division_code": ZW_TOWN_A,
                               "affected_population": 500})
    assert jump.status_code == 400
    assert jump.json()["error"]["code"] == "jump_unexplained" and "jump_explanation" in jump.json()["error"]["fields"]
    assert zhangwu.get("/api/v1/disasters/999999").status_code == 404
    assert zhangwu.get(f"/api/v1/disasters/{event.pk}/summary?code={CITY}").status_code == 403
    assert api_client(people["haizhou"]).get(f"/api/v1/disasters/{event.pk}/summary?code={ZHANGWU}").status_code == 403


def test_relief_level_calculator(people, api_client):
    client = api_client(people["viewer"])
    data = post(client, "/api/v1/relief-level", {"collapsed_severe_households": 3000}).json()
    assert (data["level"], data["label"], data["table"]) == (4, "四级", "national-2024")
    assert data["conditions"][0]["threshold"] == 3000
    assert post(client, "/api/v1/relief-level", {"collapsed_severe_households": 2999}).json()["level"] is None
    assert post(client, "/api/v1/relief-level", {"table": "nope"}).status_code == 404
    bad = post(client, "/api/v1/relief-level", {"dead_missing": -1})
    assert bad.status_code == 400 and "负数" in bad.json()["error"]["message"]


def test_openapi_documents_the_error_statuses(people, api_client):
    schema = api_client(people["city"]).get("/api/v1/openapi.json").json()
    responses = schema["paths"]["/api/v1/disasters/{pk}/reports"]["post"]["responses"]
    assert {"201", "400", "403", "404", "409"} <= set(responses)


def test_payments_through_the_api_refuse_a_second_payment(people, event, api_client):
    client = api_client(people["zhangwu"])
    body = {"category": "emergency", "head_name": "张三", "head_id_number": "21092219800101001x",
            "household_size": 3, "people": 3, "amount_yuan": "900", "signer": "张三", "division_code": ZW_TOWN_A}
    first = post(client, f"/api/v1/disasters/{event.pk}/payments", body)
    assert first.status_code == 201, first.content
    second = post(client, f"/api/v1/disasters/{event.pk}/payments", {**body, "head_id_number": "21092219800101001X"})
    assert second.status_code == 409 and second.json()["error"]["code"] == "already_paid"
    assert "不能重复发放" in second.json()["error"]["message"]
    assert client.get(f"/api/v1/disasters/{event.pk}/payments").json()["count"] == 1
    assert "head_id_number" not in client.get(f"/api/v1/disasters/{event.pk}/payments").json()["items"][0]


def test_local_relief_tables_through_the_registry_api(people, api_client):
    client = api_client(people["city"])
    good = post(client, "/api/v1/relief-tables/", {"code": "fx-api", "name": "测试表", "document": "测试〔2099〕2号",
                                                   "division_code": CITY,
                                                   "thresholds": {"4": {"dead_missing": 2}, "3": {"dead_missing": 4}}})
    assert good.status_code == 201, good.content
    bad = post(client, "/api/v1/relief-tables/", {"code": "fx-bad", "name": "错误表", "document": "x", "division_code": CITY,
                                                  "thresholds": {"4": {"deaths": 2}}})
    assert bad.status_code == 400 and "未知的启动条件" in json.dumps(bad.json(), ensure_ascii=False)
    assert post(client, "/api/v1/relief-level", {"dead_missing": 4, "table": "fx-api"}).json()["level"] == 3
    assert api_client(people["zhangwu"]).get("/api/v1/relief-tables/").status_code == 200
