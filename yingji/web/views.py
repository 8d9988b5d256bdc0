"""The Chinese web console. Views are thin: they call registries and services."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.core.paginator import Paginator
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from yingji.accounts import services as accounts
from yingji.api.system import audit_queryset
from yingji.audit.models import AuditEntry
from yingji.audit.services import history_of
from yingji.core import capabilities, exports
from yingji.core import search as nav_search
from yingji.core.apps import app_modules, hook_url, yingji_apps
from yingji.core.db import for_reading
from yingji.core.errors import ServiceError
from yingji.core.middleware import address_of
from yingji.core.registry import REGISTRIES, display_value, referable
from yingji.jobs import selectors as task_selectors
from yingji.jobs.models import TaskRun
from yingji.core.views import render_error, service_view
from yingji.regions.models import Division
from yingji.regions.services import full_name
from yingji.rules.roles import ROLES, may_grant


def error_403(request, exception=None):
    return render_error(request, 403, "您没有访问该页面的权限")


def error_404(request, exception=None):
    if request.path.startswith("/api/"):
        return JsonResponse({"error": {"code": "not_found", "message": "接口不存在", "fields": {}}}, status=404)
    return render_error(request, 404, "页面不存在")


def error_500(request):
    if request.path.startswith("/api/"):
        return JsonResponse({"error": {"code": "server_error", "message": "服务器内部错误", "fields": {}}}, status=500)
    return render_error(request, 500, "服务器内部错误，请联系管理员")


class LoginForm(forms.Form):
    username = forms.CharField(label="用户名", max_length=150)
    password = forms.CharField(label="密码", widget=forms.PasswordInput)


@require_http_methods(["GET", "POST"])
def login_view(request):
    form = LoginForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            user = accounts.login(form.cleaned_data["username"], form.cleaned_data["password"], address_of(request), request)
        except ServiceError as exc:
            error = exc.message
        else:
            auth_login(request, user)
            target = request.GET.get("next") or reverse("dashboard")
            if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
                target = reverse("dashboard")
            return redirect(target)
    return render(request, "web/login.html", {"form": form, "error": error}, status=400 if error else 200)


@require_POST
def logout_view(request):
    auth_logout(request)
    return redirect("login")


def _registry(key: str):
    registry = REGISTRIES.get(key)
    if registry is None:
        raise Http404
    return registry


@service_view
def dashboard(request):
    user = request.user
    cards = []
    for registry in REGISTRIES.values():
        if capabilities.enterprise_bound(user) and getattr(registry.model, "scope_enterprise_field", None) is None:
            continue
        cards.append({"registry": registry, "count": for_reading(registry.queryset(user)).count()})
    recent = []
    if user.can("audit.view"):
        recent = audit_queryset(user)[:8]
    return render(request, "web/dashboard.html", {"cards": cards, "recent": recent, "panels": dashboard_panels(request),
                                                  "scope_name": full_name(user.region_code)})


def dashboard_panels(request) -> list[dict]:
    """Panels apps add to the home page: a ``dashboard.py`` module with ``panel(request)``
    returning ``{"title", "count", "url", "rows": [(text, url, tag)]}`` or ``None``."""
    panels = []
    for _, module in app_modules("dashboard"):
        try:
            panel = module.panel(request)
        except ServiceError:
            continue  # the user's role may not see this domain
        if panel:
            panels.append(panel)
    return panels


@service_view
def one_map(request):
    layers = [r for r in REGISTRIES.values() if r.map_layer]
    config = [{"key": r.key, "label": r.label, "icon": r.icon, "color": r.map_color} for r in layers]
    overlays = map_overlays()
    return render(request, "web/map.html", {"layers": layers, "layer_config": config, "overlays": overlays,
                                            "overlay_config": overlays,
                                            "scope_name": full_name(request.user.region_code)})


@service_view
def search(request):
    """Results of the navigation search box, as a page (the box works without JavaScript too)."""
    result = nav_search.search(request.user, request.GET.get("q", ""), nav_search.MAX_PER_KIND)
    kinds: dict[str, dict] = {}
    for hit in result["records"]:
        kinds.setdefault(hit["kind"], {"label": hit["kind_label"], "hits": [], "more": result["more"].get(hit["kind"])})
        kinds[hit["kind"]]["hits"].append(hit)
    return render(request, "web/search.html", {"query": result["query"], "pages": result["pages"], "kinds": kinds.values(),
                                               "per_kind": nav_search.MAX_PER_KIND})


def map_overlays() -> list[dict]:
    """Overlays apps add to the one-map (``YingjiAppConfig.map_overlays``)."""
    return [{"key": key, "label": label, "url": hook_url(url_name), "icon": style[0] if style else "",
             "color": style[1] if len(style) > 1 else "#c62828"}
            for config in yingji_apps() for key, label, url_name, *style in config.map_overlays]


@service_view
def record_list(request, key):
    registry = _registry(key)
    qs = registry.filtered(request.user, request.GET)
    size = request.GET.get("page_size", "")
    page = Paginator(qs, min(max(int(size), 1), 200) if size.isdigit() else 20).get_page(request.GET.get("page"))
    columns = registry.columns(registry.list_fields)
    literal = [registry.is_literal(n) for n, _ in columns]
    rows = [(obj, [(display_value(obj, n), lit) for (n, _), lit in zip(columns, literal)]) for obj in page.object_list]
    filters = []
    for name in registry.filter_fields:
        field = registry.model._meta.get_field(name)
        filters.append({"name": name, "label": field.verbose_name, "choices": registry.filter_choices(request.user, name),
                        "value": request.GET.get(name, "")})
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "web/record_list.html", {
        "registry": registry, "columns": columns, "rows": rows, "page": page, "filters": filters,
        "q": request.GET.get("q", ""), "ordering": request.GET.get("ordering", ""), "query": query.urlencode(),
        "can_write": registry.can_write(request.user),
    })


@service_view
def record_detail(request, key, pk):
    registry = _registry(key)
    obj = registry.get(request.user, pk)
    fields = [(label, display_value(obj, n), registry.is_literal(n)) for n, label in registry.columns()]
    panels = [panel for _, module in app_modules("record_panels") for panel in module.panels(request, key, obj)]
    can_write = registry.can_write(request.user)
    return render(request, "web/record_detail.html", {
        "registry": registry, "obj": obj, "fields": fields, "history": history_of(obj)[:50], "panels": panels,
        "can_write": can_write, "delete_blocker": can_write and registry.delete_blocker(obj),
        "division_name": full_name(obj.division_code),
    })


def division_choices(user) -> list[tuple[str, str]]:
    """Divisions the user may file records under, labelled by name (county / township)."""
    names = dict(Division.objects.filter(level__in=["city", "county"]).values_list("code", "name"))
    choices = []
    for code, name, level, parent in (Division.objects.filter(code__startswith=user.scope_prefix)
                                      .exclude(level="province").order_by("code")
                                      .values_list("code", "name", "level", "parent_id")):
        label = name if level != "township" else f"{names.get(parent, '')} / {name}"
        choices.append((code, f"{label}（{code[:9] if level == 'township' else code[:6]}）"))
    return choices


def _form_for(registry, data=None, instance=None, user=None):
    form = registry.form_class()(data, instance=instance)
    if "division_code" in form.fields and user is not None:
        form.fields["division_code"].widget = forms.Select(choices=division_choices(user))
        if instance is None and data is None:
            form.initial["division_code"] = user.region_code
    for field in form.fields.values():
        field.widget.attrs.setdefault("class", "input")
        if user is not None and isinstance(field, forms.ModelChoiceField):
            # Only targets the save accepts (an enterprise user was offered other counties' enterprises).
            field.queryset = referable(user, field.queryset)
    return form


@service_view
def record_create(request, key):
    registry = _registry(key)
    if not registry.can_write(request.user):
        return render_error(request, 403, f"您的角色无权新增{registry.label}")
    form = _form_for(registry, request.POST or None, user=request.user)
    error = ""
    if request.method == "POST":
        try:
            obj = registry.create(request.user, request.POST.dict())
        except ServiceError as exc:
            error = exc.message
            _attach_errors(form, exc)
        else:
            messages.success(request, f"已新增{registry.label}“{obj}”")
            return redirect("record-detail", key=key, pk=obj.pk)
    return render(request, "web/record_form.html", {"registry": registry, "form": form, "error": error, "obj": None},
                  status=400 if error else 200)


def _attach_errors(form, exc: ServiceError):
    for name, errs in (exc.fields or {}).items():
        if name in form.fields:
            for err in errs:
                form.add_error(name, err)


@service_view
def record_edit(request, key, pk):
    registry = _registry(key)
    obj = registry.get(request.user, pk)
    if not registry.can_write(request.user):
        return render_error(request, 403, f"您的角色无权修改{registry.label}")
    error = ""
    if request.method == "POST":
        form = _form_for(registry, request.POST, instance=obj, user=request.user)
        try:
            obj = registry.update(request.user, obj, request.POST.dict(), expected_version=request.POST.get("version"))
        except ServiceError as exc:
            error = exc.message
            _attach_errors(form, exc)
        else:
            messages.success(request, f"已保存{registry.label}“{obj}”")
            return redirect("record-detail", key=key, pk=obj.pk)
    else:
        form = _form_for(registry, instance=obj, user=request.user)
    return render(request, "web/record_form.html", {"registry": registry, "form": form, "error": error, "obj": obj},
                  status=(409 if "版本" in error else 400) if error else 200)


@service_view
@require_POST
def record_delete(request, key, pk):
    registry = _registry(key)
    obj = registry.get(request.user, pk)
    registry.delete(request.user, obj, expected_version=request.POST.get("version"))
    messages.success(request, f"已删除{registry.label}“{obj}”")
    return redirect("record-list", key=key)


@service_view
def record_export(request, key):
    """The file now; a large export goes to the background and its page shows the progress."""
    registry = _registry(key)
    result = exports.start_export(request.user, registry, request.GET.dict(), request.GET.get("format", "xlsx"))
    if isinstance(result, TaskRun):
        return redirect("export-job", job_id=result.pk)
    content, content_type, filename = result
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@service_view
def export_job(request, job_id):
    job = exports.job_of(request.user, job_id)
    registry = _registry(job.payload["registry"])
    return render(request, "web/export_job.html", {"job": job, "registry": registry, "rows": job.payload.get("rows", 0)})


@service_view
def export_download(request, job_id):
    content, content_type, filename = exports.download(request.user, job_id)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class UserForm(forms.Form):
    username = forms.CharField(label="用户名", max_length=150)
    full_name = forms.CharField(label="姓名", max_length=40, required=False)
    role = forms.ChoiceField(label="角色", choices=list(ROLES.items()))
    region_code = forms.CharField(label="管辖区划代码", max_length=12)
    phone = forms.CharField(label="手机", max_length=20, required=False)
    enterprise_id = forms.IntegerField(label="所属企业编号（企业用户）", required=False)
    password = forms.CharField(label="密码", widget=forms.PasswordInput, required=False)
    is_active = forms.BooleanField(label="启用", required=False, initial=True)

    def __init__(self, *args, granter, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the roles this administrator may grant (a county administrator was offered 系统管理员).
        self.fields["role"].choices = [(code, label) for code, label in ROLES.items() if may_grant(granter.role, code)]


def _person(user) -> str:
    """A user as a message names them: their name, the login name only when no name is recorded."""
    return f"“{user.full_name or user.username}”"


@service_view
def user_list(request):
    users = accounts.search_users(request.user, request.GET.get("q", ""))
    page = Paginator(users, 50).get_page(request.GET.get("page"))
    for user in page:
        user.manageable = accounts.can_manage(request.user, user)
    return render(request, "web/user_list.html", {"page": page, "q": request.GET.get("q", "")})


@service_view
def user_create(request):
    accounts.managed_users(request.user)
    form = UserForm(request.POST or None, initial={"region_code": request.user.region_code, "is_active": True},
                    granter=request.user)
    error = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = accounts.create_user(request.user, data["username"], data["password"], data["role"], data["region_code"],
                                        full_name=data["full_name"], phone=data["phone"], enterprise_id=data["enterprise_id"])
        except ServiceError as exc:
            error = exc.message
        else:
            messages.success(request, f"已创建用户{_person(user)}")
            return redirect("user-list")
    return render(request, "web/user_form.html", {"form": form, "error": error, "target": None}, status=400 if error else 200)


@service_view
def user_edit(request, pk):
    target = accounts.managed_users(request.user).filter(pk=pk).first()
    if target is None:
        return render_error(request, 404, "用户不存在或不在您的管辖范围内")
    if not accounts.can_manage(request.user, target):
        return render_error(request, 403, f"{target.role_label}账号只能由上级管理员管理")
    initial = {"username": target.username, "full_name": target.full_name, "role": target.role,
               "region_code": target.region_code, "phone": target.phone, "enterprise_id": target.enterprise_id,
               "is_active": target.is_active}
    form = UserForm(request.POST or None, initial=initial, granter=request.user)
    form.fields["username"].disabled = True
    error = ""
    if request.method == "POST":
        if request.POST.get("unlock"):
            accounts.unlock(request.user, target)
            messages.success(request, f"已解除{_person(target)}的登录锁定")
            return redirect("user-edit", pk=pk)
        if form.is_valid():
            data = form.cleaned_data
            try:
                accounts.update_user(request.user, target, role=data["role"], region_code=data["region_code"],
                                     full_name=data["full_name"], phone=data["phone"], is_active=data["is_active"],
                                     enterprise_id=data["enterprise_id"] or 0, password=data["password"] or None)
            except ServiceError as exc:
                error = exc.message
            else:
                messages.success(request, f"已保存用户{_person(target)}")
                return redirect("user-list")
    return render(request, "web/user_form.html", {"form": form, "error": error, "target": target}, status=400 if error else 200)


@service_view
def audit_list(request):
    params = {k: request.GET.get(k, "") for k in ("actor", "action", "model", "object_id")}
    qs = audit_queryset(request.user, **params)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "web/audit_list.html", {"page": page, "params": params, "actions": AuditEntry.ACTIONS,
                                                   "query": query.urlencode()})


@service_view
def task_runs(request):
    """后台任务: the background task runs of the user's scope with their state and attempts
    ("已尝试 N 次仍失败", a lost worker), newest first; administrators only."""
    capabilities.require(request.user, "audit.view", "只有管理员可以查看后台任务")
    status = request.GET.get("status", "")
    whole = capabilities.has(request.user, "audit.view_all_regions") and len(request.user.scope_prefix) <= 2
    runs = task_selectors.runs_within(request.user.scope_prefix, unfiled=whole,
                                      status=status if status in dict(TaskRun.STATUSES) else "")
    page = Paginator(runs, 50).get_page(request.GET.get("page"))
    rows = [{"run": run, "label": task_selectors.label_of(run)} for run in page]
    return render(request, "web/task_runs.html", {"page": page, "rows": rows, "status": status,
                                                  "statuses": TaskRun.STATUSES})


@service_view
def division_list(request):
    """Administrative divisions within the user's scope, with codes, level and data source."""
    qs = Division.objects.filter(code__startswith=request.user.scope_prefix).exclude(level="province")
    level = request.GET.get("level", "")
    if level:
        qs = qs.filter(level=level)
    text = request.GET.get("q", "").strip()
    if text:
        qs = qs.filter(name__contains=text) | qs.filter(code__startswith=text)
    # The boundaries (GeoJSON parsed per row: 3 KB a county, 10 KB a city) are not read for a list
    # that only says whether there is one; the parent's name comes in the same query.
    qs = (qs.select_related("parent").only("code", "name", "level", "synthetic", "source", "parent__name")
          .annotate(has_geometry=ExpressionWrapper(Q(geometry__isnull=False), output_field=BooleanField())))
    page = Paginator(qs.order_by("code"), 100).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "web/division_list.html", {"page": page, "level": level, "q": text,
                                                      "levels": Division.LEVELS, "query": query.urlencode()})
