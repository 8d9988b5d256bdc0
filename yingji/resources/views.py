"""Pages of the resources app: spreadsheet import (for every registry) and stock overview.
Views are thin: they call ``imports``, ``yingji.core.importer`` and the ``stock`` selectors."""

from __future__ import annotations

from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from yingji.core import batches as imports
from yingji.core import importer, scope
from yingji.core.errors import ServiceError
from yingji.core.views import render_error, service_view

from . import stock
from .models import Material, Warehouse


@service_view
@require_http_methods(["GET", "POST"])
def import_page(request, key):
    registry = imports.registry_for(key)
    if not registry.can_write(request.user):
        return render_error(request, 403, f"您的角色无权导入{registry.label}")
    error = ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            batch = imports.start_import(request.user, key, upload.read() if upload else b"",
                                         upload.name if upload else "", dry_run=bool(request.POST.get("dry_run")))
        except ServiceError as exc:
            error = exc.message
        else:
            return redirect("resources-import-batch", batch_id=batch.pk)
    recent = imports.ImportBatch.objects.filter(user=request.user, registry=key)[:10]
    return render(request, "resources/import.html", {
        "registry": registry, "columns": importer.columns(registry), "error": error, "recent": recent,
        "instructions": importer._instructions(registry)[1:],
    }, status=400 if error else 200)


@service_view
def import_template(request, key):
    registry = imports.registry_for(key)
    response = HttpResponse(importer.template_xlsx(registry), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{registry.key}-template.xlsx"'
    return response


@service_view
def import_batch(request, batch_id):
    batch = imports.batch_for(request.user, batch_id)
    registry = imports.registry_for(batch.registry)
    return render(request, "resources/import_batch.html", {"batch": batch, "registry": registry,
                                                           "status": imports.status_of(batch)})


@service_view
def import_batch_status(request, batch_id):
    return JsonResponse(imports.status_of(imports.batch_for(request.user, batch_id)))


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@service_view
def stock_overview(request):
    user = request.user
    warehouse_id, material_id = _int(request.GET.get("warehouse")), _int(request.GET.get("material"))
    days = _int(request.GET.get("days")) or stock.NEAR_EXPIRY_DAYS
    warehouses = scope.visible(Warehouse.objects.all(), user).order_by("division_code", "code")
    lines = stock.current_stock(warehouse_id, material_id, user=user)
    return render(request, "resources/stock.html", {
        "lines": lines, "low": stock.low_stock(user=user, warehouse=warehouse_id),
        "expiring": stock.near_expiry(days, user=user, warehouse=warehouse_id), "days": days,
        "warehouses": warehouses, "materials": Material.objects.order_by("code"),
        "warehouse_id": warehouse_id, "material_id": material_id,
    })
