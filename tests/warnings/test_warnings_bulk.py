"""A warning to more subscribers than the request should list is published at once and targeted on
the job queue step by step, with progress on the job, live events on the ``progress`` channel, a
progress bar on the page and a final summary (counts, time); stopping or lifting it mid-way stops
the run (issue 14, long operations)."""

import pytest
from django.test import Client

from tests.conftest import HAIZHOU, PASSWORD, ZHANGWU
from tests.warnings.conftest import publish, warning_data
from yingji.jobs.models import TaskRun
from yingji.jobs.services import run_pending
from yingji.live.models import LiveEvent
from yingji.warnings import batches, bulk, dispatch, selectors, services
from yingji.warnings.models import Delivery, DeliveryBatch, Subscriber


@pytest.fixture
def crowd(db):
    return [Subscriber.objects.create(phone=f"138{i:08d}", division_code=ZHANGWU) for i in range(12)]


@pytest.fixture
def background(monkeypatch):
    """Anything above 5 public recipients goes to the background, in steps of 4 subscriber ids."""
    monkeypatch.setenv("YINGJI_TARGETING_SYNC_LIMIT", "5")
    monkeypatch.setattr(bulk, "CHUNK", 4)


def _login(user):
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_small_warning_is_targeted_while_publishing(roles, channels, crowd):
    warning = publish(services.create_warning(roles["drafter"], warning_data()), roles)
    targeting = warning.dissemination["targeting"]
    assert targeting["mode"] == "sync" and targeting["status"] == "done" and targeting["counts"]["public"] == 12
    assert not TaskRun.objects.filter(task_path=bulk.run.module_path).exists()


def test_large_warning_is_targeted_in_the_background_with_progress(roles, channels, crowd, background, gateway,
                                                                  django_capture_on_commit_callbacks):
    warning = publish(services.create_warning(roles["drafter"], warning_data()), roles)
    targeting = warning.dissemination["targeting"]
    assert targeting["mode"] == "background" and targeting["estimate"] == 12
    assert not Delivery.objects.filter(warning=warning, recipient_kind="public").exists()
    page = _login(roles["drafter"]).get(f"/warnings/{warning.pk}/").content.decode()
    assert f'data-progress-job="{targeting["job"]}"' in page and "正在生成投递名单" in page

    with django_capture_on_commit_callbacks(execute=True):
        assert run_pending() == 1
    job = TaskRun.objects.get(pk=targeting["job"])
    assert job.status == "done" and job.progress_done == job.progress_total >= 4  # 3 id ranges + officials + endpoints
    events = list(LiveEvent.objects.filter(channel="progress", data__job=job.pk).order_by("id"))
    assert [e.data["done"] for e in events][0] == 0 and events[-1].data["status"] == "done"
    assert events[-1].division_code == warning.division_code
    warning.refresh_from_db()
    summary = warning.dissemination["targeting"]
    assert summary["status"] == "done" and summary["counts"]["public"] == 12
    # the public subscribers are listed in batches (one per county and id bucket), not yet as rows
    listed = DeliveryBatch.objects.filter(warning=warning, status="pending")
    assert sorted(i for b in listed for i in b.ids) == sorted(s.pk for s in crowd)
    assert set().union(*(b.counties for b in listed)) == {ZHANGWU[:6]} and sum(b.size for b in listed) == 12
    assert not Delivery.objects.filter(warning=warning, recipient_kind="public").exists()
    page = _login(roles["drafter"]).get(f"/warnings/{warning.pk}/").content.decode()
    assert "投递名单已生成：共" in page and "公众 12 条" in page and "用时" in page and "后台生成" in page
    assert "data-progress-job" not in page
    queued_rows = Delivery.objects.filter(warning=warning, status="queued").count()  # the officials' messages
    assert f"停止发送（{12 + queued_rows} 条未发送）" in page  # the batches count as not yet sent
    official_sms = Delivery.objects.filter(warning=warning, channel="sms", recipient_kind="official").count()
    coverage = selectors.coverage(warning)
    assert coverage["public_targeted"] == 12 and coverage["by_channel"]["sms"]["queued"] == 12 + official_sms
    assert coverage["by_county"][ZHANGWU[:6]]["queued"] == 12
    coverage_page = _login(roles["drafter"]).get(f"/warnings/{warning.pk}/coverage/").content.decode()
    assert "另有 12 位公众订阅用户已列入投递名单、按批排队" in coverage_page

    # the SMS sender turns the batches into deliveries as it needs them and sends each subscriber once
    assert dispatch.drain("sms").get("sent") == 12 + official_sms
    sent = Delivery.objects.filter(warning=warning, recipient_kind="public")
    assert sorted(sent.values_list("recipient_id", flat=True)) == sorted(s.pk for s in crowd)
    assert set(sent.values_list("status", flat=True)) == {"sent"}
    assert not DeliveryBatch.objects.filter(warning=warning, status="pending").exists()
    assert len(channels_requests_numbers(gateway)) == 12 + official_sms
    coverage = selectors.coverage(warning)
    assert coverage["public_targeted"] == 12 and coverage["public_reached"] == 12
    assert bulk.counts_of(warning.pk)["public"] == 12


def channels_requests_numbers(gateway) -> list[str]:
    import json

    return [m["mobile"] for path, body in gateway.requests if path.startswith("/sms")
            for m in json.loads(body)["messages"]]


def test_progress_status_is_only_for_the_jobs_scope(roles, channels, crowd, background, make_user):
    warning = publish(services.create_warning(roles["drafter"], warning_data()), roles)
    job_id = warning.dissemination["targeting"]["job"]
    mine = _login(roles["drafter"]).get(f"/live/progress/{job_id}")
    assert mine.status_code == 200 and mine.json()["status_label"] == "排队"
    other = _login(make_user("hz_admin", "county_admin", region=HAIZHOU)).get(f"/live/progress/{job_id}")
    assert other.status_code == 404 and other.json()["error"]["message"] == "后台任务不存在"


def test_stop_while_listing_stops_the_run(roles, channels, crowd, background):
    warning = publish(services.create_warning(roles["drafter"], warning_data()), roles)
    services.stop_deliveries(roles["drafter"], warning, "内容有误")
    run_pending()
    warning.refresh_from_db()
    assert warning.dissemination["targeting"]["status"] == "stopped"
    assert not Delivery.objects.filter(warning=warning, status="queued").exists()
    assert not DeliveryBatch.objects.filter(warning=warning, status="pending").exists()
    assert "投递名单已停止" in _login(roles["drafter"]).get(f"/warnings/{warning.pk}/").content.decode()


def test_lifted_before_the_run_sends_nothing_of_the_original(roles, channels, crowd, background):
    original = publish(services.create_warning(roles["drafter"], warning_data()), roles)
    publish(services.derive_warning(roles["drafter"], original, "lift"), roles)
    run_pending()
    run_pending()
    original.refresh_from_db()
    assert original.dissemination["targeting"]["status"] == "stopped"
    assert not Delivery.objects.filter(warning=original, status="queued").exists()
    assert not DeliveryBatch.objects.filter(warning=original, status="pending").exists()
    assert not dispatch.drain("sms").get("sent", 0) or not Delivery.objects.filter(warning=original, status="sent").exists()


def test_a_resumed_run_sends_nobody_twice(roles, channels, crowd, background):
    warning = publish(services.create_warning(roles["drafter"], warning_data()), roles)
    steps = bulk.dissemination.steps_for(warning, chunk=4)
    steps[0][1]()  # a first attempt listed the first id range, then died
    run_pending()
    listed = [i for b in DeliveryBatch.objects.filter(warning=warning) for i in b.ids]
    assert sorted(listed) == sorted(s.pk for s in crowd)  # each subscriber in one batch
    warning.refresh_from_db()
    assert warning.dissemination["targeting"]["counts"]["public"] == 12
    dispatch.drain("sms")
    assert Delivery.objects.filter(warning=warning, recipient_kind="public", status="sent").count() == 12


def test_batches_reach_the_same_people_as_the_request_each_once(roles, channels, monkeypatch, gateway):
    """Divisions and a drawn area together, subscribers in both, without a location, inactive: the
    batches of a background run list exactly the people the in-request path reaches, each once."""
    from tests.warnings.test_warnings_dissemination import HAIZHOU_IN, SQUARE_AROUND_ZHANGWU_IN, ZHANGWU_FAR, ZHANGWU_IN
    from yingji.geo.townships import township_at

    def person(phone, division, point=None, active=True):
        lon, lat = point or (None, None)
        return Subscriber.objects.create(phone=phone, division_code=division, lon=lon, lat=lat, active=active)

    town = township_at(*ZHANGWU_IN)
    person("13800000001", ZHANGWU, ZHANGWU_IN)  # inside the square
    person("13800000002", ZHANGWU, ZHANGWU_FAR)  # outside everything
    person("13800000003", town)  # no location, in a township the square touches
    person("13800000004", HAIZHOU, HAIZHOU_IN)  # in the warning's division
    person("13800000005", HAIZHOU)  # in the division, no location
    person("13800000006", HAIZHOU, ZHANGWU_IN)  # registered in the division, located inside the square
    person("13800000007", HAIZHOU, HAIZHOU_IN, active=False)
    for i in range(8, 30):  # more of the division, several batches
        person(f"138000000{i:02d}", HAIZHOU, HAIZHOU_IN)
    data = warning_data(area_codes=[HAIZHOU], area_polygon=SQUARE_AROUND_ZHANGWU_IN, area_desc="海州区及彰武县城周边",
                        audiences=["public"])
    in_request = publish(services.create_warning(roles["drafter"], data), roles)
    expected = set(Delivery.objects.filter(warning=in_request, recipient_kind="public").values_list("address", flat=True))
    assert {"13800000001", "13800000003", "13800000004", "13800000005", "13800000006"} <= expected
    assert not {"13800000002", "13800000007"} & expected
    services.stop_deliveries(roles["drafter"], in_request, "对照")

    monkeypatch.setenv("YINGJI_TARGETING_SYNC_LIMIT", "5")
    monkeypatch.setattr(bulk, "CHUNK", 4)
    monkeypatch.setattr(batches, "BATCH", 3)
    background = publish(services.create_warning(roles["drafter"], data), roles)
    assert background.dissemination["targeting"]["mode"] == "background"
    run_pending()
    listed = [i for b in DeliveryBatch.objects.filter(warning=background) for i in b.ids]
    assert len(listed) == len(set(listed)) == len(expected)  # each once: the three kinds of step exclude each other
    background.refresh_from_db()
    assert background.dissemination["targeting"]["counts"]["public"] == len(expected)
    # the sender's first claim turns the first batch into deliveries and sends them at once
    # the sender's first claim turns batches into deliveries and sends them at once (up to its
    # batch size of 100: here every batch)
    assert dispatch.dispatch_once("sms").get("sent") == len(expected)
    dispatch.drain("sms")
    sent = Delivery.objects.filter(warning=background, recipient_kind="public")
    assert set(sent.values_list("address", flat=True)) == expected and sent.count() == len(expected)
