"""Registry variants this app needs beyond the shared ``Registry``:

* ``ResourceRegistry`` — resource registries; derived read-only fields (a shelter's capacity)
  are shown and exported but never offered by the form (shared Registry.read_only_fields);
* ``CatalogueRegistry`` — reference data (the material catalogue) every signed-in user may read,
  whatever their region; writes keep the normal scope check;
* ``LedgerRegistry`` — the stock ledger: creation goes through ``stock.record_movement`` and
  lines are never edited or deleted.
"""

from __future__ import annotations

from dataclasses import dataclass


from yingji.core import scope
from yingji.core.errors import Conflict, NotFound
from yingji.core.registry import Registry

from .stock import record_movement


@dataclass
class ResourceRegistry(Registry):
    """Registries of emergency resources (read-only fields and the cached form are shared)."""


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
        scope.check_can_create(self.model, user)
        cleaned = self.clean_data(data)
        lines = record_movement(user, **cleaned)
        return lines[0]

    def update(self, user, obj, data: dict, expected_version=None):
        raise Conflict("台账记录登记后不能修改：如有差错，请登记一笔反向业务（如多入库的登记出库）并在备注中说明", code="ledger_immutable")

    def delete(self, user, obj, expected_version=None):
        raise Conflict("台账记录不能删除：如有差错，请登记一笔反向业务并在备注中说明", code="ledger_immutable")
