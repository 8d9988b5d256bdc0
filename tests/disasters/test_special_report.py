"""The disaster 专报 (.docx): words, relief level, a map rendered offline from the real county
boundaries with numbered townships, and the tables."""

from __future__ import annotations

import io

from django.test import Client
from PIL import Image

from tests.conftest import ARTIFACTS, PASSWORD
from tests.disasters.conftest import HZ_TOWN, ZW_TOWN_A, ZW_TOWN_B


def test_map_shades_reported_townships_and_numbers_them(people, event, file):
    from yingji.disasters.report_map import CLASSES, NOT_REPORTED, render

    file("zhangwu", event, "initial", ZW_TOWN_A, affected_population=12000)
    file("zhangwu", event, "initial", ZW_TOWN_B, affected_population=300)
    file("haizhou", event, "initial", HZ_TOWN, affected_population=0)
    png, entries = render(event)
    image = Image.open(io.BytesIO(png)).convert("RGB")
    assert sorted((e.code, e.affected) for e in entries) == sorted([(ZW_TOWN_A, 12000), (ZW_TOWN_B, 300), (HZ_TOWN, 0)])
    colours = {image.getpixel((x, y)) for x in range(0, image.width, 2) for y in range(0, image.height, 2)}
    assert CLASSES[-1][1] in colours and CLASSES[1][1] in colours and NOT_REPORTED in colours
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "disaster-map.png").write_bytes(png)


def test_special_report_docx(people, event, file):
    from docx import Document

    file("zhangwu", event, "initial", ZW_TOWN_A, affected_population=1200, deaths=2, direct_loss_wan="88")
    client = Client()
    assert client.login(username=people["city"].username, password=PASSWORD)
    response = client.get(f"/disasters/{event.pk}/report.docx")
    assert response.status_code == 200
    doc = Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "测试暴雨洪涝过程灾情专报" in text and "受灾人口1200人，死亡2人" in text and "直接经济损失88万元" in text
    assert "国办函〔2024〕11号" in text and "乡镇边界为示意" in text
    assert len(doc.inline_shapes) == 1
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]
    assert tables[0][1] == ["1", "彰武镇", "1200"]
    district = tables[1]
    assert district[-1][0] == "阜新市合计" and district[-1][1] == "1200"
    assert any(row[1] == "县级初报" for row in tables[-1])
