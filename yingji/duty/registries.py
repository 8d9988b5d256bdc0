from yingji.core.registry import Registry

from .models import DutyRoster, DutyShift, PhoneEntry

DUTY_ROSTERS = Registry(
    key="duty-rosters",
    model=DutyRoster,
    label="值班表",
    fields=["organisation", "month", "notes"],
    list_fields=["organisation", "month", "notes", "division_code"],
    search_fields=["organisation__name", "notes"],
    filter_fields=["organisation", "month"],
    ordering=["-month", "division_code"],
    select_related=["organisation"],
    nav_group="值班值守",
)

DUTY_SHIFTS = Registry(
    key="duty-shifts",
    model=DutyShift,
    label="值班班次",
    fields=["roster", "tier", "person_name", "phone", "starts_at", "ends_at"],
    list_fields=["starts_at", "ends_at", "tier", "person_name", "phone", "roster"],
    search_fields=["person_name", "phone"],
    filter_fields=["roster", "tier"],
    ordering=["starts_at", "tier"],
    select_related=["roster", "roster__organisation"],
    nav_group="值班值守",
)

PHONE_BOOK = Registry(
    key="duty-contacts",
    model=PhoneEntry,
    label="值班通讯录",
    fields=["name", "unit", "position", "office_phone", "mobile", "duty_phone", "fax", "notes", "division_code"],
    list_fields=["unit", "name", "position", "duty_phone", "office_phone", "mobile", "division_code"],
    search_fields=["name", "unit", "position", "mobile", "office_phone", "duty_phone"],
    ordering=["division_code", "unit", "name"],
    nav_group="值班值守",
)
