"""Pages of the plan registry and the drill board. Thin: services write, selectors read; a
service error on a POST comes back as a message on the page it came from."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from yingji.command.models import Plan as ElectronicPlan
from yingji.core import scope
from yingji.core.errors import NotFound, ServiceError, ValidationFailed
from yingji.core.views import service_post, service_view
from yingji.regions.models import Enterprise, Organisation
from yingji.resources.models import Expert, RescueTeam, Shelter, Warehouse
from yingji.rules import drill_quotas as dq
from yingji.rules import plan_lifecycle as pl

from . import drills, plans, selectors
from . import tabletop as tabletop_service
from .models import EmergencyPlan, ImprovementItem, RevisionTask
from .models.plans import CONCLUSIONS, LINK_KINDS, RELATIONS
from .plan_text import diff as text_diff

FORM_FIELDS = ("name", "kind", "catastrophe", "owner_unit", "organisation_id", "enterprise_id", "event_types",
               "response_levels", "document_number", "classified", "brief", "electronic_id", "division_code")


def _posted(request, pk, view="plan-detail", success=""):
    """Run a POST action (``core.views.service_post``): its error becomes a message on the page."""
    def run(func, *args, **kwargs):
        return service_post(request, lambda: func(*args, **kwargs), view, pk=pk, success=success)
    return run


@service_view
def index(request):
    q, kind, state = (request.GET.get(k, "") for k in ("q", "kind", "state"))
    results = selectors.search(request.user, q, kind, state)
    rows = [{"plan": p, "snippet": s, "filing": selectors.filing(p), "evaluation": selectors.evaluation(p)}
            for p, s in results]
    return render(request, "preparedness/plan_index.html", {
        "rows": rows, "q": q, "kind": kind, "state": state, "kinds": pl.KINDS, "states": pl.STATES,
        "tasks": selectors.open_tasks(request.user)[:20],
    })


def _form_choices(user) -> dict:
    return {"kinds": pl.KINDS, "organisations": scope.visible(Organisation.objects.all(), user),
            "enterprises": scope.visible(Enterprise.objects.all(), user).order_by("name")[:500],
            "electronic_plans": scope.visible(ElectronicPlan.objects.filter(is_active=True), user)}


def _form_data(request) -> dict:
    data = {k: request.POST.get(k, "") for k in FORM_FIELDS}
    data["catastrophe"] = request.POST.get("catastrophe") == "on"
    data["classified"] = request.POST.get("classified") == "on"
    return data


@service_view
def new_plan(request):
    scope.check_can_create(EmergencyPlan, request.user)
    error, fields, data = "", {}, {"division_code": request.user.region_code}
    if request.method == "POST":
        data = _form_data(request)
        upload = request.FILES.get("file")
        try:
            plan = plans.create_plan(request.user, data, text=request.POST.get("text", ""),
                                     file_name=upload.name if upload else "", content=upload.read() if upload else None)
        except ServiceError as exc:
            error, fields = exc.message, exc.fields
        else:
            messages.success(request, f"已建立预案“{plan.name}”（起草中）")
            return redirect("plan-detail", pk=plan.pk)
    return render(request, "preparedness/plan_form.html", {
        "data": data, "error": error, "fields": fields, "new": True, **_form_choices(request.user),
    }, status=400 if error else 200)


@service_view
def edit_plan(request, pk):
    plan = selectors.get_plan(request.user, pk)
    error, fields = "", {}
    data = {k: getattr(plan, k, "") for k in FORM_FIELDS}
    data["event_types"] = ",".join(plan.event_types or [])
    if request.method == "POST":
        data = _form_data(request)
        try:
            plans.update_plan(request.user, plan, data, expected_version=request.POST.get("version"))
        except ServiceError as exc:
            error, fields = exc.message, exc.fields
        else:
            messages.success(request, "已保存")
            return redirect("plan-detail", pk=plan.pk)
    return render(request, "preparedness/plan_form.html", {
        "data": data, "error": error, "fields": fields, "plan": plan, **_form_choices(request.user),
    }, status=400 if error else 200)


@service_view
def detail(request, pk):
    user = request.user
    plan = selectors.get_plan(user, pk)
    versions = list(plan.versions.all())
    actions = [t for t in pl.WORKFLOW.allowed_actions(plan.state, [user.role])]
    return render(request, "preparedness/plan_detail.html", {
        "plan": plan, "versions": versions, "current": versions[0] if versions else None,
        "actions": actions, "state_label": pl.STATES[plan.state],
        "opinions": plan.opinions.select_related("expert").order_by("revision", "recorded_at"),
        "resources": selectors.resource_states(plan), "alerts": selectors.plan_alerts(plan, timezone.localdate()),
        "graph": selectors.graph(user, plan),
        "filing": selectors.filing(plan), "evaluation": selectors.evaluation(plan),
        "evaluations": plan.evaluations.all(), "tasks": plan.revision_tasks.all(),
        "triggers": pl.REVISION_TRIGGERS, "conclusions": CONCLUSIONS, "link_kinds": LINK_KINDS,
        "relation_kinds": RELATIONS, "drills": plan.drills.order_by("-held_on")[:20],
        "experts": [e for e in Expert.objects.exclude(availability="unavailable")[:1000] if plans.usable_expert(e, user)][:300],
        "link_targets": {"team": scope.visible(RescueTeam.objects.all(), user)[:300],
                         "warehouse": scope.visible(Warehouse.objects.all(), user)[:300],
                         "shelter": scope.visible(Shelter.objects.all(), user)[:300],
                         "organisation": scope.visible(Organisation.objects.all(), user)[:300]},
        "other_plans": selectors.visible_plans(user).exclude(pk=plan.pk).order_by("name")[:300],
        "can_draft": user.can("plans.draft") and scope.is_visible(plan, user),
        "can_act": scope.is_visible(plan, user),
        "editable": plan.state in pl.EDITABLE, "today": timezone.localdate(),
    })


@require_POST
@service_view
def save_text(request, pk):
    plan = selectors.get_plan(request.user, pk)
    upload = request.FILES.get("file")
    return _posted(request, pk, success="已保存新版本正文")(
        plans.save_text, request.user, plan, text=request.POST.get("text", ""), file_name=upload.name if upload else "",
        content=upload.read() if upload else None, note=request.POST.get("note", ""))


@require_POST
@service_view
def act(request, pk, action):
    plan = selectors.get_plan(request.user, pk)
    label = pl.WORKFLOW.transitions[action].label if action in pl.WORKFLOW.transitions else action
    return _posted(request, pk, success=f"已{label}")(
        plans.act, request.user, plan, action, comment=request.POST.get("comment", ""),
        receipt=request.POST.get("receipt", ""), expected_version=request.POST.get("version") or None)


@require_POST
@service_view
def opinion(request, pk):
    plan = selectors.get_plan(request.user, pk)
    return _posted(request, pk, success="已登记意见")(plans.record_opinion, request.user, plan, request.POST.dict())


@require_POST
@service_view
def evaluation(request, pk):
    plan = selectors.get_plan(request.user, pk)
    return _posted(request, pk, success="已登记评估")(plans.record_evaluation, request.user, plan, request.POST.dict())


@require_POST
@service_view
def task(request, pk):
    plan = selectors.get_plan(request.user, pk)
    post = request.POST
    return _posted(request, pk, success="已提出修订任务")(
        plans.raise_task, request.user, plan, post.get("trigger", ""), post.get("detail", ""),
        owner_unit=post.get("owner_unit", ""), due_on=post.get("due_on", ""))


@require_POST
@service_view
def close_task(request, pk, tid):
    plan = selectors.get_plan(request.user, pk)
    item = scope.get_visible(RevisionTask.objects.filter(plan=plan), tid, request.user, "预案修订任务")
    return _posted(request, pk, success="已办结")(plans.close_task, request.user, item, request.POST.get("result", ""),
                                                 cancel=request.POST.get("cancel") == "1")


@require_POST
@service_view
def resource(request, pk):
    plan = selectors.get_plan(request.user, pk)
    kind = request.POST.get("kind", "")
    return _posted(request, pk, success="已关联")(plans.add_resource, request.user, plan, kind,
                                                 request.POST.get(f"target_{kind}") or request.POST.get("target_id"),
                                                 request.POST.get("role", ""))


@require_POST
@service_view
def relation(request, pk):
    plan = selectors.get_plan(request.user, pk)
    other_id = request.POST.get("other_id", "")
    if not other_id.isdigit():
        raise ValidationFailed("请选择衔接的预案", fields={"other_id": ["必选"]})
    other = selectors.get_plan(request.user, int(other_id))
    return _posted(request, pk, success="已登记衔接关系")(plans.add_relation, request.user, plan, other,
                                                     request.POST.get("kind", ""), request.POST.get("note", ""))


@service_view
def version_file(request, pk, number):
    plan = selectors.get_plan(request.user, pk)
    version = plan.versions.filter(number=number).first()
    if version is None or not version.file_name:
        raise NotFound("该版本没有上传的原文件")
    types = {".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
             ".pdf": "application/pdf", ".txt": "text/plain; charset=utf-8"}
    suffix = "." + version.file_name.rsplit(".", 1)[-1].lower()
    response = HttpResponse(bytes(version.file_content), content_type=types.get(suffix, "application/octet-stream"))
    response["Content-Disposition"] = f'attachment; filename="plan-{plan.pk}-v{number}{suffix}"'
    return response


def _number(value, default: int) -> int:
    return int(value) if str(value or "").isdigit() else default


@service_view
def diff(request, pk):
    plan = selectors.get_plan(request.user, pk)
    versions = list(plan.versions.all())
    if len(versions) < 2:
        raise NotFound("该预案只有一个版本，没有可比较的修改")
    new_no = _number(request.GET.get("new"), versions[0].number)
    old_no = _number(request.GET.get("old"), versions[1].number)
    by_no = {v.number: v for v in versions}
    if old_no not in by_no or new_no not in by_no:
        raise NotFound("所选版本不存在")
    old, new = by_no[old_no], by_no[new_no]
    return render(request, "preparedness/plan_diff.html", {
        "plan": plan, "old": old, "new": new, "rows": text_diff(old.text, new.text), "versions": versions})


# ----------------------------------------------------------------------------- drills
@service_view
def drill_board(request):
    rows = selectors.board(request.user)
    state = request.GET.get("state", "")
    shown = [r for r in rows if not state or r["state"] == state]
    return render(request, "preparedness/drill_board.html", {
        "rows": shown, "summary": selectors.board_summary(rows), "state": state, "states": dq.STATES,
        "quotas": selectors.quotas().values(), "drills": selectors.visible_drills(request.user)[:50],
        "improvements": selectors.open_improvements(request.user)[:30], "today": timezone.localdate(),
    })


@service_view
def drill_detail(request, pk):
    drill = selectors.get_drill(request.user, pk)
    electronic = drill.plan.electronic if drill.plan_id and drill.plan.electronic_id else None
    return render(request, "preparedness/drill_detail.html", {
        "drill": drill, "items": drill.improvements.all(), "today": timezone.localdate(),
        "can_write": request.user.can("drills.write") and scope.is_visible(drill, request.user),
        "runs": drill.tabletop_runs.all(), "injects": tabletop_service.injects(drill.scenario),
        "levels": list(electronic.levels.values_list("level", flat=True)) if electronic else [],
    })


@require_POST
@service_view
def improvement(request, pk):
    drill = selectors.get_drill(request.user, pk)
    return _posted(request, pk, "drill-detail", "已登记整改事项")(drills.add_improvement, request.user, drill,
                                                              request.POST.dict())


@require_POST
@service_view
def close_improvement(request, pk, iid):
    drill = selectors.get_drill(request.user, pk)
    item = scope.get_visible(ImprovementItem.objects.filter(drill=drill), iid, request.user, "演练整改事项")
    return _posted(request, pk, "drill-detail", "整改已完成")(drills.close_improvement, request.user, item,
                                                          request.POST.get("result", ""))


# ----------------------------------------------------------------------------- table-top replay
@service_view
def tabletop(request, pk, rid):
    drill = selectors.get_drill(request.user, pk)
    run = tabletop_service.get_run(request.user, rid)
    if run.drill_id != drill.pk:
        raise NotFound("桌面推演不存在")
    step = tabletop_service.current_step(run)
    return render(request, "preparedness/tabletop.html", {
        "drill": drill, "run": run, "steps": run.steps.all(), "current": step,
        "can_write": request.user.can("drills.write") and scope.is_visible(drill, request.user),
        "elapsed": int((timezone.now() - run.started_at).total_seconds() // 60),
    })


@require_POST
@service_view
def tabletop_act(request, pk):
    user, post = request.user, request.POST
    drill = selectors.get_drill(user, pk)
    action = post.get("action", "")
    if action == "start":
        return service_post(request, lambda: tabletop_service.start(user, drill, post.get("level")), "drill-detail",
                            pk=pk, success="桌面推演已开始",
                            then=lambda run: reverse("drill-tabletop", args=[pk, run.pk]))
    run = tabletop_service.get_run(user, post.get("run"))
    if action == "record":
        return service_post(request, lambda: tabletop_service.record(user, run, post.get("decision", "")),
                            "drill-tabletop", pk, run.pk)
    return service_post(request, lambda: tabletop_service.finish(user, run), "drill-detail", pk=pk,
                        success="推演已结束，结果已写入演练记录")
