"""Registries: one declaration per kind of business record drives its API routes,
web pages (list, detail, form, history), filters and exports.

An app declares ``Registry(key="enterprises", model=Enterprise, ...)`` in its
``registries.py``; the API and web layers pick every registry up from :data:`REGISTRIES`.
"""

from __future__ import annotations

import json
import sys
from decimal import Decimal
from dataclasses import dataclass, field
from typing import Callable

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q, QuerySet
from django.utils import timezone

from yingji.geo import divcodes
from yingji.regions.services import name_of

from . import scope
from .apps import claim
from .db import for_reading
from .errors import Forbidden, ValidationFailed, from_django_validation
from .records import batch_memo, create_record, delete_blocker, delete_record, prepare_record, referable, update_record  # noqa: F401 (referable: for the forms)

REGISTRIES: dict[str, "Registry"] = {}
LITERAL_FIELDS = (models.URLField, models.EmailField, models.SlugField, models.GenericIPAddressField)
_ORIGINS: dict[str, str] = {}


@dataclass
class Registry:
    key: str
    model: type[models.Model]
    label: str
    fields: list[str]
    list_fields: list[str]
    search_fields: list[str] = field(default_factory=lambda: ["name"])
    filter_fields: list[str] = field(default_factory=list)
    ordering: list[str] = field(default_factory=lambda: ["-updated_at"])
    select_related: list[str] = field(default_factory=list)
    map_layer: bool = False
    nav_group: str = "基础数据"
    # The symbol (one character) and colour of the layer's markers and of its legend entry on the one-map.
    icon: str = "●"
    map_color: str = "#546e7a"
    # Hook for registries whose form needs extra validation: (form) -> None, raising ValidationError.
    form_clean: Callable | None = None
    # Derived fields the service layer computes before every save (grades, scores):
    # (obj) -> None, raising ValidationError. Runs after model validation, in forms and in the write path.
    derive: Callable | None = None
    # One line shown in map popups: (obj) -> str.
    map_summary: Callable | None = None
    # States shown on the layer's markers, asked once per map request for the shown objects:
    # (objects) -> {pk: {"badge": short text, "color": marker colour, "pulse": bool, "state": text}}
    # (every key optional; ``pulse`` marks something that needs attention now, e.g. an open alarm).
    map_states: Callable | None = None
    # Whether the navigation search box looks in this registry (by ``search_fields``).
    searchable: bool = True
    # Derived fields (grades, states, scores) shown in details and exports but never in forms.
    read_only_fields: list[str] = field(default_factory=list)

    def __post_init__(self):
        # The declaration (the caller of the dataclass __init__: module and line) is the registry's
        # origin; the same key from another origin is a start-up error, not a silent replacement.
        caller = sys._getframe(2)
        origin = f"{caller.f_globals.get('__name__', '?')}:{caller.f_lineno}"
        claim(_ORIGINS, "registry key", self.key, origin)
        REGISTRIES[self.key] = self

    # ----- reads -----------------------------------------------------------------
    def queryset(self, user) -> QuerySet:
        qs = scope.visible(self.model.objects.all(), user)
        if self.select_related:
            qs = qs.select_related(*self.select_related)
        return qs

    def filtered(self, user, params) -> QuerySet:
        """Apply search ``q``, ``division`` prefix, declared filters and ``ordering``. Lists, exports,
        map layers and the search read it: on the read replica when one is configured (core.db)."""
        qs = self.queryset(user)
        text = (params.get("q") or "").strip()
        if text:
            cond = Q()
            for name in self.search_fields:
                cond |= Q(**{f"{name}__icontains": text})
            qs = qs.filter(cond)
        division = (params.get("division") or "").strip()
        if division:
            try:
                qs = qs.filter(division_code__startswith=divcodes.scope_prefix(division))
            except divcodes.DivisionCodeError as exc:
                raise ValidationFailed(str(exc), fields={"division": [str(exc)]}) from exc
        for name in self.filter_fields:
            value = params.get(name)
            if value not in (None, ""):
                try:
                    qs = qs.filter(**{name: self.model._meta.get_field(name).to_python(value)})
                except (ValueError, TypeError, ValidationError) as exc:
                    raise ValidationFailed(f"筛选条件“{name}”的值无效：{value}", fields={name: ["无效"]}) from exc
        return for_reading(qs.order_by(*self.ordering_for(params.get("ordering")), "pk"))

    def ordering_for(self, requested: str | None) -> list[str]:
        if not requested:
            return self.ordering
        name = requested.lstrip("-")
        allowed = set(self.list_fields) | {"updated_at", "created_at", "id", "division_code"}
        if name not in allowed:
            raise ValidationFailed(f"不支持按“{name}”排序", fields={"ordering": ["不支持的排序字段"]})
        return [requested]

    def get(self, user, pk) -> models.Model:
        return scope.get_visible(self.model.objects.all(), pk, user, self.label)

    # ----- writes ----------------------------------------------------------------
    def editable_fields(self) -> list[str]:
        return [name for name in self.fields if name not in self.read_only_fields]

    def form_class(self) -> type[forms.ModelForm]:
        """The model form for this registry, built once (building one costs milliseconds,
        which adds up over a 10,000-row import)."""
        cached = self.__dict__.get("_form_class")
        if cached is None:
            cached = self.__dict__["_form_class"] = self._build_form_class()
        return cached

    def _build_form_class(self) -> type[forms.ModelForm]:
        registry = self

        class Form(forms.ModelForm):
            class Meta:
                model = registry.model
                fields = registry.editable_fields()
                formfield_callback = _formfield

            def clean(self):
                data = super().clean()
                if registry.form_clean:
                    registry.form_clean(self)
                return data

            model_checks = True

            def _post_clean(self):
                if not self.model_checks:
                    return  # the caller validates the model itself right after (records.prepare_record)
                super()._post_clean()
                if registry.derive:
                    try:
                        registry.derive(self.instance)
                    except ValidationError as exc:
                        self._update_errors(exc)

        return Form

    def clean_data(self, data: dict, instance: models.Model | None = None, *, model_checks: bool = True) -> dict:
        """Coerce and validate input with the model's own field rules (Chinese messages).
        Foreign keys may be given by field name (``warehouse``) or column (``warehouse_id``).
        ``model_checks=False`` leaves the model's validation (validators, clean, unique keys,
        derived fields) to a caller that runs it anyway, so it does not run twice."""
        data = dict(data)
        for f in self.model._meta.concrete_fields:
            if f.is_relation and f.attname in data and f.name not in data:
                data[f.name] = data.pop(f.attname)
        form_cls = self.form_class()
        if instance is not None:
            merged = {name: _form_value(instance, name) for name in self.fields}
            merged.update(data)
            form = form_cls(merged, instance=self.model.objects.get(pk=instance.pk))
        else:
            form = self._new_form(form_cls, {**self.defaults(), **data}, model_checks)
        if not form.is_valid():
            fields = {k: [str(m) for m in v] for k, v in form.errors.items()}
            label = {f.name: str(f.verbose_name) for f in self.model._meta.fields}
            first = next(iter(fields.items()))
            raise ValidationFailed(f"{label.get(first[0], first[0])}：{first[1][0]}", fields=fields)
        return {name: form.cleaned_data[name] for name in self.fields if name in form.cleaned_data}

    def _new_form(self, form_cls, data: dict, model_checks: bool = True):
        """A bound form for a new record. In a write batch (an import) one form is re-bound row
        after row: building a form deep-copies every field, the largest cost of a row. Its bound
        fields are kept too (they read the form's data when asked); a form that leaves the model
        checks to its caller needs no fresh instance."""
        memo = batch_memo()
        if memo is None:
            form = form_cls(data)
        else:
            key = ("registry.form", self.key, form_cls)
            form = memo.get(key)
            if form is None:
                form = memo[key] = form_cls(data)
            else:
                form.data, form._errors, form.cleaned_data = data, None, {}
                if model_checks:
                    form.instance = self.model()
        form.model_checks = model_checks
        return form

    def defaults(self) -> dict:
        """Model defaults for fields the input leaves out (forms would otherwise demand them)."""
        values = {}
        for name in self.fields:
            field = self.model._meta.get_field(name)
            if field.has_default():
                values[name] = field.get_default()
        return values

    def can_write(self, user) -> bool:
        try:
            scope.check_can_write(self.model, user)
        except Forbidden:
            return False
        return True

    def create(self, user, data: dict):
        scope.check_can_create(self.model, user)
        return create_record(user, self.model, self.clean_data(data), derive=self.derive)

    def creates_in_bulk(self) -> bool:
        """Whether new records of an import may be inserted together: only a registry that does
        nothing more on create than the shared write path (grading, stock ledgers do)."""
        return type(self).create is Registry.create

    def prepare_create(self, user, data: dict):
        """What :meth:`create` checks, without the write: an unsaved record for
        ``records.insert_prepared`` (the spreadsheet import inserts its new rows together)."""
        scope.check_can_create(self.model, user)
        return prepare_record(user, self.model, self.clean_data(data, model_checks=False), derive=self.derive)

    def update(self, user, obj, data: dict, expected_version=None):
        scope.check_can_see(obj, user)
        scope.check_can_write(self.model, user, obj.division_code)
        return update_record(user, obj, self.clean_data(data, obj), expected_version=expected_version,
                             derive=self.derive)

    def delete(self, user, obj, expected_version=None):
        delete_record(user, obj, expected_version=expected_version)

    def delete_blocker(self, obj) -> str:
        """Why ``obj`` cannot be deleted now ("" when it can)."""
        return delete_blocker(obj)

    # ----- presentation ----------------------------------------------------------
    def filter_choices(self, user, name: str) -> list[tuple]:
        """(value, label) pairs offered by a list filter: the field's choice labels, 是/否 for a
        yes/no field, the names of related records, else the values present (at most 50)."""
        field = self.model._meta.get_field(name)
        if field.choices:
            return list(field.flatchoices)
        if isinstance(field, models.BooleanField):
            return [(True, "是"), (False, "否")]
        values = [v for v in for_reading(self.queryset(user)).order_by().values_list(field.attname, flat=True).distinct()[:50]
                  if v not in (None, "")]
        if field.is_relation:
            related = field.related_model.objects.filter(pk__in=values)
            # the joins the related model's own registry makes for its names (a roster is named by
            # its unit): without them each choice's name is a query
            joins = next((r.select_related for r in REGISTRIES.values()
                          if r.model is field.related_model and r.select_related), [])
            names = {o.pk: str(o) for o in for_reading(related.select_related(*joins) if joins else related)}
            return sorted(((v, names.get(v, v)) for v in values), key=lambda pair: str(pair[1]))
        if name == "division_code":
            return [(v, name_of(v)) for v in sorted(values)]
        return [(v, v) for v in values]

    def is_literal(self, name: str) -> bool:
        """Whether a field's value is read as it is, not as a word of the interface: addresses,
        identifiers (slugs), and the fields a model lists in ``literal_fields`` (addresses kept in text
        fields).
        Pages mark such values ``translate="no"``."""
        field = self.model._meta.get_field(name)
        return isinstance(field, LITERAL_FIELDS) or name in getattr(self.model, "literal_fields", ())

    def columns(self, names: list[str] | None = None) -> list[tuple[str, str]]:
        names = names or self.fields
        meta = self.model._meta
        return [(n, str(meta.get_field(n).verbose_name)) for n in names]


JSON_REASONS = (("Expecting property name enclosed in double quotes", "键名须用英文双引号括起"),
                ("Expecting ',' delimiter", "缺少逗号"), ("Expecting ':' delimiter", "缺少冒号"),
                ("Expecting value", "缺少值（或有多余的逗号）"), ("Unterminated string", "引号未闭合"),
                ("Extra data", "结尾有多余内容"), ("Invalid control character", "字符串中有换行等控制字符"),
                ("Invalid \\escape", "反斜杠转义无效"))


class JsonTextField(forms.JSONField):
    """A JSON field of a registry form: shown indented with Chinese characters as they are (not
    ``\\u6807`` escapes), a monospace text area, and a Chinese message naming the line and column
    of a syntax error."""

    widget = forms.Textarea(attrs={"class": "input json-input", "rows": 10, "spellcheck": "false",
                                   "autocapitalize": "off"})

    def prepare_value(self, value):
        if isinstance(value, forms.fields.InvalidJSONInput):
            return value
        return json.dumps(value, ensure_ascii=False, indent=2)

    def to_python(self, value):
        if self.disabled or value in self.empty_values:
            return super().to_python(value)
        if isinstance(value, (list, dict, int, float, forms.fields.JSONString)):
            return value
        try:
            json.loads(value)
        except json.JSONDecodeError as exc:
            reason = next((zh for en, zh in JSON_REASONS if exc.msg.startswith(en)), "格式错误")
            raise ValidationError(f"不是有效的 JSON：第 {exc.lineno} 行第 {exc.colno} 列附近{reason}"
                                  "（键名和文字用英文双引号，项之间用英文逗号）", code="invalid") from None
        return super().to_python(value)


def _formfield(field, **kwargs):
    if isinstance(field, models.JSONField):
        return field.formfield(form_class=JsonTextField, **kwargs)
    return field.formfield(**kwargs)


def _form_value(instance, name):
    field = instance._meta.get_field(name)
    value = getattr(instance, field.attname)
    if isinstance(field, models.ManyToManyField):
        return [o.pk for o in getattr(instance, name).all()]
    if isinstance(field, models.JSONField):
        return json.dumps(value, ensure_ascii=False)
    return "" if value is None else value


def display_value(obj, name: str) -> str:
    """The value as staff read it: choice labels, names of related records, local times. A model
    says how one of its structured fields reads by defining ``get_<field>_display()`` (as Django
    does for fields with choices)."""
    shown = getattr(obj, f"get_{name}_display", None)
    if callable(shown):
        value = shown()  # Django gives None for an empty field with choices
        return "" if value is None else value
    return display_of(getattr(obj, name), name)


def display_of(value, name: str) -> str:
    """How the value of field ``name`` reads (:func:`display_value` once the record's own
    ``get_<name>_display`` is ruled out)."""
    if value is None:
        return ""
    if name == "division_code":
        return name_of(value)
    if isinstance(value, bool):
        return "是" if value else "否"
    if hasattr(value, "tzinfo") and hasattr(value, "hour"):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, list) and all(isinstance(v, (str, int, float)) for v in value):
        return "、".join(str(v) for v in value)
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (float, Decimal)):
        return format_number(value, 6 if name in ("lon", "lat") else 3)
    return str(value)


def format_number(value, places: int = 3) -> str:
    """A number as a bureau writes it: at most ``places`` decimals, no trailing zeros
    (157.5, not 157.500000; 121.75 for a coordinate, not 121.750000)."""
    number = Decimal(str(value))
    if not number.is_finite():
        return str(value)
    text = f"{number.quantize(Decimal(1).scaleb(-places)):f}"
    text = text.rstrip("0").rstrip(".") if "." in text else text
    return "0" if text in ("-0", "") else text


def raise_validation(exc) -> None:
    raise from_django_validation(exc)
