"""The after-action summary (应急处置总结) of an incident as a Word document: the incident,
its timeline, the responses with their level changes, the tasks, and the resources used."""

from __future__ import annotations

import io

from django.utils import timezone

from .models import Dispatch, Response


def _t(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else "—"


def _table(doc, headers, rows):
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, headers):
        cell.text = text
    for row in rows:
        for cell, text in zip(table.add_row().cells, row):
            cell.text = str(text)
    return table


def after_action_docx(user, incident) -> bytes:
    # Imported on use: python-docx is heavy and only the after-action download needs it.
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Pt

    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "SimSun"
    style.font.size = Pt(11)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    doc.add_heading(f"{incident.title}应急处置总结", level=1)
    if incident.is_synthetic:
        doc.add_paragraph("（合成示例数据，仅供演示）")
    doc.add_paragraph(f"事件类型：{incident.get_type_code_display()}；等级：{incident.grade_name or '未分级'}；"
                      f"接报时间：{_t(incident.received_at)}；事发地点：{incident.address or '—'}")
    doc.add_paragraph(f"简要情况：{incident.description}")

    responses = list(Response.objects.filter(incident=incident).select_related("plan").order_by("activated_at"))
    doc.add_heading("一、应急响应", level=2)
    if not responses:
        doc.add_paragraph("未启动应急响应。")
    for r in responses:
        doc.add_paragraph(f"{r.plan.name} {r.level_label}，{_t(r.activated_at)} 启动，"
                          f"{'已于 ' + _t(r.ended_at) + ' 终止' if r.ended_at else '响应中'}；指挥长：{r.commander_name or '—'}。")
        _table(doc, ["时间", "事项", "说明", "操作人"],
               [(_t(e.at), e.get_kind_display() + (f"（{e.from_level or '—'}→{e.to_level or '—'}级）" if e.kind == "change_level" else ""),
                 e.note, e.actor_name) for e in r.events.all()])

    doc.add_heading("二、任务落实", level=2)
    tasks = [t for r in responses for t in r.tasks.all()]
    done = sum(1 for t in tasks if t.state == "done")
    doc.add_paragraph(f"共下达任务 {len(tasks)} 项，完成 {done} 项。")
    if tasks:
        _table(doc, ["责任单位", "任务", "状态", "下达", "完成", "处置结果"],
               [(t.unit_name, t.title, t.get_state_display(), _t(t.issued_at), _t(t.done_at), t.result) for t in tasks])

    doc.add_heading("三、调用资源", level=2)
    dispatches = list(Dispatch.objects.filter(incident=incident).select_related("team", "expert", "warehouse", "material"))
    if dispatches:
        _table(doc, ["类型", "对象", "数量", "来源", "调派", "到达", "状态", "预计行车（分钟）"],
               [(d.get_kind_display(), str(d.team or d.expert or d.material), d.quantity or "", d.warehouse or "",
                 _t(d.dispatched_at), _t(d.arrived_at), d.get_state_display(),
                 round(d.route_seconds / 60) if d.route_seconds else "") for d in dispatches])
    else:
        doc.add_paragraph("未调用队伍、专家或物资。")

    doc.add_heading("四、时间线", level=2)
    _table(doc, ["时间", "类型", "内容", "记录人"],
           [(_t(e.at), e.get_kind_display(), e.text, e.actor_name) for e in incident.timeline.all()])
    doc.add_paragraph(f"生成：{_t(timezone.now())}，{user.display_name()}")
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
