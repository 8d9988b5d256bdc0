"""After publishing, the coverage shown is per channel and true (from the delivery records, sent
through the real local SMS/SMTP/broadcast servers of conftest); a failing channel is an error
the publisher sees in Chinese on the warning page and in the API, never success; a ticked
channel that cannot send says so; the plans' ≥90 % rule is checked per warning (issue 14)."""

import pytest
from django.test import Client

from tests.conftest import PASSWORD, ZHANGWU
from tests.warnings.conftest import publish, warning_data
from yingji.warnings import dispatch, services
from yingji.warnings.models import AreaPopulation, ChannelConfig, Subscriber
from yingji.warnings.selectors import coverage


@pytest.fixture
def public(db):
    return [Subscriber.objects.create(phone=f"1380000000{i}", division_code=ZHANGWU) for i in range(1, 4)]


def _login(user):
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def _channel(report, key):
    return next(c for c in report["channels"] if c["channel"] == key)


def test_per_channel_coverage_from_delivery_records(draft, roles, channels, public, gateway, smtp_server, make_user):
    nobody = make_user("nobody", "readonly", region=ZHANGWU)
    nobody.email = "nobody@bureau.test"
    nobody.save()
    gateway.reject_numbers = {"13800000002"}
    warning = publish(draft, roles)
    for channel in ("sms", "email", "broadcast"):
        dispatch.drain(channel)
    report = coverage(warning)
    sms = _channel(report, "sms")
    # 3 public + the drafter's phone: 3 accepted by the gateway, 1 refused as 空号.
    assert (sms["label"], sms["targeted"], sms["sent"], sms["failed"], sms["queued"]) == ("短信", 4, 3, 1, 0)
    # Numbers refused one by one are a partial failure, noted; not the channel failing.
    assert sms["percent"] == "75.0%" and (sms["state"], sms["state_label"]) == ("partial", "部分未送达")
    assert sms["problem"] == "短信部分未送达：网关拒收：空号；1 条已失败，其余已发出"
    email = _channel(report, "email")
    assert (email["targeted"], email["sent"], email["failed"]) == (2, 1, 1)
    assert "邮件服务器拒收" in email["problem"]
    assert report["problems"] == [] and len(report["notes"]) == 2
    broadcast = _channel(report, "broadcast")
    assert (broadcast["state"], broadcast["delivered"], broadcast["percent"]) == ("done", 1, "100.0%")
    assert [c["label"] for c in report["channels"]] == ["短信", "应急广播", "电子邮件", "网站与订阅源", "平台内通知"]


def test_gateway_down_is_an_error_on_the_page_and_in_the_api(draft, roles, channels, public, gateway, api_client):
    warning = publish(draft, roles)
    gateway.close()  # the SMS gateway (and the broadcast platform on the same server) is down
    dispatch.drain("sms")
    dispatch.drain("broadcast")
    page = _login(roles["drafter"]).get(f"/warnings/{warning.pk}/").content.decode()
    assert "有渠道未能送达" in page
    assert "短信发送失败：短信网关不可达：无法连接（网关未启动或网络不通）；4 条待重试" in page
    assert "应急广播发送失败：应急广播平台不可达：无法连接（网关未启动或网络不通）；1 条待重试" in page
    assert "ConnectionError" not in page
    body = api_client(roles["drafter"]).get(f"/api/v1/warnings/{warning.pk}/coverage").json()
    sms = _channel(body, "sms")
    assert (sms["state"], sms["state_label"], sms["retrying"], sms["reached"]) == ("failing", "发送失败", 4, 0)
    assert any(p.startswith("短信发送失败") for p in body["problems"])


def test_gateway_errors_until_attempts_run_out_are_failures(draft, roles, channels, public, gateway):
    gateway.fail_first = 100  # HTTP 503 on every request
    warning = publish(draft, roles)
    for _ in range(channels["sms"].max_attempts):
        dispatch.drain("sms")
        warning.deliveries.filter(status="queued").update(next_attempt_at=warning.sent)
    sms = _channel(coverage(warning), "sms")
    assert (sms["failed"], sms["retrying"], sms["state"]) == (4, 0, "failing")
    assert sms["problem"] == "短信发送失败：短信网关返回 HTTP 503；4 条已失败"


def test_mail_server_down_is_an_error(draft, roles, channels, smtp_server):
    warning = publish(draft, roles)
    smtp_server.close()
    dispatch.drain("email")
    email = _channel(coverage(warning), "email")
    assert email["state"] == "failing"
    assert email["problem"].startswith("电子邮件发送失败：邮件服务器不可用：")
    assert "Error" not in email["problem"]


def test_ticked_channel_that_cannot_send_is_reported_not_counted_as_success(roles, public, api_client):
    # Through the API a warning can still ask for SMS and e-mail without any gateway configured.
    ChannelConfig.objects.create(channel="broadcast", name="应急广播", endpoint="http://127.0.0.1:9/b", enabled=False,
                                 division_code=ZHANGWU[:6].ljust(12, "0"))
    warning = services.create_warning(roles["drafter"], warning_data(channels=["sms", "broadcast", "email", "web"]))
    client = _login(roles["drafter"])
    warning = services.transition(roles["drafter"], warning, "submit")
    warning = services.transition(roles["reviewer"], warning, "approve")
    warning = services.transition(roles["signer"], warning, "sign")
    response = client.post(f"/warnings/{warning.pk}/act/", {"action": "publish"}, follow=True)
    html = response.content.decode()
    assert "短信未发送：未配置发送网关" in html and "应急广播未发送：渠道已停用" in html
    assert "电子邮件未发送：未配置发送网关" in html
    body = api_client(roles["drafter"]).get(f"/api/v1/warnings/{warning.pk}/coverage").json()
    states = {c["channel"]: c["state_label"] for c in body["channels"]}
    assert states == {"sms": "未发送", "broadcast": "未发送", "email": "未发送", "web": "已完成"}
    assert len(body["problems"]) == 3


def test_ninety_percent_rule_met_and_not_met(draft, roles, channels, public, gateway, api_client):
    AreaPopulation.objects.create(division_code=ZHANGWU, population=3, year=2020, source="测试")
    warning = publish(draft, roles)
    dispatch.drain("sms")
    rule = coverage(warning)["rule"]
    assert (rule["label"], rule["percent"], rule["met"]) == ("达标", "100.0%", True)
    page = _login(roles["drafter"]).get(f"/warnings/{warning.pk}/").content.decode()
    assert "灾害预警信息公众覆盖率 ≥90%" in page and "达标" in page and "本政办发〔2022〕4号" in page

    AreaPopulation.objects.filter(division_code=ZHANGWU).update(population=4)
    body = api_client(roles["drafter"]).get(f"/api/v1/warnings/{warning.pk}/coverage").json()
    assert (body["rule"]["verdict"], body["rule"]["label"], body["rule"]["percent"]) == ("not_met", "未达标", "75.0%")
    assert "还差 1 人" in body["rule"]["reason"]
    page = _login(roles["drafter"]).get(f"/warnings/{warning.pk}/coverage/").content.decode()
    assert "未达标" in page and "75.0%" in page and "彰武县" in page


def test_rule_without_population_and_for_drills(roles, channels, public):
    warning = publish(services.create_warning(roles["drafter"], warning_data()), roles)
    assert coverage(warning)["rule"]["label"] == "无法评估"
    drill = publish(services.create_warning(roles["drafter"], warning_data(cap_status="Exercise")), roles)
    assert coverage(drill)["rule"]["label"] == "不适用"


def test_a_failing_batch_tells_the_warning_page_live(draft, roles, channels, public, gateway, monkeypatch,
                                                    django_capture_on_commit_callbacks):
    from yingji.live.models import LiveEvent

    monkeypatch.setattr(dispatch, "_TOLD", {})
    warning = publish(draft, roles)
    gateway.close()
    with django_capture_on_commit_callbacks(execute=True):
        dispatch.drain("sms")
        warning.deliveries.filter(status="queued").update(next_attempt_at=warning.sent)
        dispatch.drain("sms")  # a second failure within 30 s is not announced again
    events = list(LiveEvent.objects.filter(channel="warnings", kind="delivery_problem"))
    assert len(events) == 1 and events[0].data["id"] == warning.pk
    assert events[0].data["text"].endswith("短信发送出错：短信网关不可达：无法连接（网关未启动或网络不通）")
    page = _login(roles["drafter"]).get(f"/warnings/{warning.pk}/").content.decode()
    assert f'data-warning="{warning.pk}"' in page and "warnings/detail.js" in page
