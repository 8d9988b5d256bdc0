from yingji.core.registry import Registry

from .models import OfficialDocument

DOCUMENTS = Registry(
    key="official-documents", model=OfficialDocument, label="收发文登记",
    fields=["direction", "number", "title", "counterpart", "dated", "urgency", "secrecy", "state", "circulation",
            "signed_by", "signed_on", "division_code"],
    list_fields=["direction", "number", "title", "counterpart", "dated", "urgency", "state"],
    search_fields=["number", "title", "counterpart"], filter_fields=["direction", "urgency", "state"],
    ordering=["-dated"], nav_group="政务管理",
)
