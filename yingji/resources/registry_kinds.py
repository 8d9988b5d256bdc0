"""Registry variants this app needs beyond the shared ``Registry``:

* ``ResourceRegistry`` — shows and exports derived, read-only fields (e.g. a shelter's capacity)
  that the form must not offer;
* ``CatalogueRegistry`` — reference data (the material catalogue) every signed-in user may read,
  whatever their region; writes keep the normal scope check;
* ``LedgerRegistry`` — the stock ledger: creation goes through ``stock.record_movement`` and
  lines are never edited or deleted.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django import forms

from yingji.core import scope
from yingji.core.errors import Conflict, NotFound
from yingji.core.registry import Registry


@dataclass
class ResourceRegistry(Registry):
    read_only_fields: list[str] = field(default_factory=list)

    def clean_data(self, data: dict, instance=None) -> dict:
        # The generated API schema names foreign keys by their column ("warehouse_id"); the form
        # knows them by field name ("warehouse"). Accept both.
        data = dict(data)
        for f in self.model._meta.concrete_fields:
            if f.is_relation and f.attname in data and f.name not in data:
                data[f.name] = data.pop(f.attname)
        return super().clean_data(data, instance)

    def editable_fields(self) -> list[str]:
        return [name for name in self.fields if name not in self.read_only_fields]

    def form_class(self) -> type[forms.ModelForm]:
        # Built once per registry: building a ModelForm class costs milliseconds, which adds up
        # over a 10,000-row import.
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

            def clean(self):
                data = super().clean()
                if registry.form_clean:
                    registry.form_clean(self)
                return data

        return Form


@dataclass
class CatalogueRegistry(ResourceRegistry):
    def queryset(self, user):
        scope._require_user(user)
        qs = self.model.objects.all()
        return qs.select_related(*self.select_related) if self.select_related else qs

    def get(self, user, pk):
        scope._require_user(user)
        try:
            return self.model.objects.get(pk=pk)
        except (self.model.DoesNotExist, ValueError, TypeError):
            raise NotFound(f"{self.label}（编号 {pk}）不存在") from None


@dataclass
class LedgerRegistry(ResourceRegistry):
    def create(self, user, data: dict):
        from .stock import record_movement

        scope.check_can_create(self.model, user)
        cleaned = self.clean_data(data)
        lines = record_movement(user, **cleaned)
        return lines[0]

    def update(self, user, obj, data: dict, expected_version=None):
        raise Conflict("台账记录登记后不能修改：如有差错，请登记一笔反向业务（如多入库的登记出库）并在备注中说明", code="ledger_immutable")

    def delete(self, user, obj, expected_version=None):
        raise Conflict("台账记录不能删除：如有差错，请登记一笔反向业务并在备注中说明", code="ledger_immutable")
