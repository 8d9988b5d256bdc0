"""公示 lists: households and amounts of one category in a village or township, ID numbers
masked, printable and exportable; posting the notice is recorded with its totals."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from tests.conftest import PASSWORD
from tests.disasters.conftest import ZW_TOWN_A, ZW_TOWN_B
from yingji.core.errors import ValidationFailed
from yingji.rules.relief import mask_id_number


@pytest.mark.parametrize("value, shown", [
    ("21092219700101001X", "210922********001X"), ("210922197001010011", "210922********0011"),
    ("123", "***"), ("", "")])
def test_mask_id_number(value, shown):
    assert mask_id_number(value) == shown


@pytest.fixture
def paid(people, event):
    from yingji.disasters.services import record_payment

    for n, (name, town, category, amount) in enumerate([
            ("张一", ZW_TOWN_A, "emergency", "900"), ("李二", ZW_TOWN_A, "emergency", "600"),
            ("王三", ZW_TOWN_B, "emergency", "300"), ("赵四", ZW_TOWN_A, "rebuild", "20000")], start=1):
        record_payment(people["zhangwu"], event, {
            "category": category, "head_name": name, "head_id_number": f"21092219800101{n:03d}X", "household_size": 3,
            "people": 3, "amount_yuan": amount, "signer": name, "division_code": town})


def test_notice_page_masks_ids_and_lists_only_the_division_and_category(people, event, paid):
    client = Client()
    assert client.login(username=people["zhangwu"].username, password=PASSWORD)
    html = client.get(f"/disasters/{event.pk}/notice/?category=emergency&division={ZW_TOWN_A}").content.decode()
    assert "彰武镇应急期生活救助对象公示" in html
    assert "张一" in html and "李二" in html and "王三" not in html and "赵四" not in html
    assert "210922********001X" in html and "21092219800101001X" not in html
    assert "1500.00" in html  # 900 + 600
    book = load_workbook(io.BytesIO(client.get(
        f"/disasters/{event.pk}/notice/?category=emergency&division={ZW_TOWN_A}&format=xlsx").content))
    values = list(book.active.iter_rows(values_only=True))
    assert ["序号", "户主姓名", "身份证号（已脱敏）"] == list(values[2][:3])
    assert values[3][1:3] == ("张一", "210922********001X") and values[-2][0] == "合计" and values[-2][5] == 1500


def test_posting_a_notice_is_recorded_with_its_totals(people, event, paid):
    from yingji.audit.models import AuditEntry
    from yingji.disasters.services import post_notice

    notice = post_notice(people["zhangwu"], event, {"category": "emergency", "division_code": ZW_TOWN_A,
                                                     "place": "彰武镇政府公示栏", "days": 7})
    assert (notice.households, notice.amount_yuan) == (2, 1500)
    assert AuditEntry.objects.filter(model="disasters.ReliefNotice", note="救助对象公示").count() == 1
    with pytest.raises(ValidationFailed, match="无需公示"):
        post_notice(people["zhangwu"], event, {"category": "transitional", "division_code": ZW_TOWN_A, "place": "x"})
    client = Client()
    assert client.login(username=people["zhangwu"].username, password=PASSWORD)
    html = client.get(f"/disasters/{event.pk}/notice/?category=emergency&division={ZW_TOWN_A}").content.decode()
    assert "彰武镇政府公示栏" in html


def test_other_counties_see_no_households(people, event, paid):
    client = Client()
    assert client.login(username=people["haizhou"].username, password=PASSWORD)
    html = client.get(f"/disasters/{event.pk}/notice/?category=emergency&division={ZW_TOWN_A}").content.decode()
    assert "张一" not in html and "登记已张贴公示" not in html
