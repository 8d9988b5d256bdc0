"""Registry declarations of the social app: forces and their capabilities, members and equipment
(review and grading are services with their own buttons: states and grades are never form
fields), volunteers, call-ups, the villages of the information officers' coverage, 科普 articles."""

from yingji.core.registry import Registry

from .forces import derive_capability
from .models import Article, Callup, ForceCapability, ForceEquipment, ForceMember, SocialForce, Village, Volunteer

GROUP = "社会动员"


def _force_states(objects):
    colours = {"approved": "#2e7d32", "submitted": "#8a6d00", "rejected": "#6b747d", "suspended": "#b00020"}
    return {f.pk: {"state": f.get_review_state_display(), "color": colours.get(f.review_state)} for f in objects}


FORCES = Registry(
    key="social-forces", model=SocialForce, label="社会应急力量", nav_group=GROUP, icon="社", map_layer=True,
    map_color="#00796b", map_states=_force_states,
    map_summary=lambda f: f"{f.specialties}；{f.get_review_state_display()}；值班电话 {f.duty_phone}",
    fields=["name", "uscc", "civil_registration", "supervisor", "specialties", "leader", "leader_phone", "duty_phone",
            "address", "review_state", "review_note", "reviewed_at", "reviewer_name", "division_code", "lon", "lat"],
    read_only_fields=["review_state", "review_note", "reviewed_at", "reviewer_name"],
    list_fields=["name", "specialties", "leader", "duty_phone", "review_state", "division_code"],
    search_fields=["name", "uscc", "leader"], filter_fields=["review_state"], ordering=["division_code", "name"],
)

CAPABILITIES = Registry(
    key="social-force-capabilities", model=ForceCapability, label="社会应急力量救援能力", nav_group=GROUP, icon="能",
    fields=["force", "specialty", "range", "assemble_hours", "sites", "sustain_hours", "has_support_teams",
            "suggested_grade", "grade", "grade_document", "graded_on"],
    read_only_fields=["suggested_grade", "grade", "grade_document", "graded_on"],
    list_fields=["force", "specialty", "range", "assemble_hours", "sustain_hours", "suggested_grade", "grade"],
    search_fields=["force__name", "specialty"], filter_fields=["specialty", "grade"], ordering=["force__name", "specialty"],
    select_related=["force"], derive=derive_capability,
)

MEMBERS = Registry(
    key="social-force-members", model=ForceMember, label="社会应急力量队员", nav_group=GROUP, icon="员",
    fields=["force", "name", "phone", "skills", "certificate", "certificate_no", "certificate_expires", "insurer",
            "insurance_policy", "insured_until"],
    list_fields=["force", "name", "skills", "certificate", "certificate_expires", "insured_until"],
    search_fields=["name", "force__name", "certificate_no"], ordering=["force__name", "name"], select_related=["force"],
)

EQUIPMENT = Registry(
    key="social-force-equipment", model=ForceEquipment, label="社会应急力量装备", nav_group=GROUP, icon="装",
    fields=["force", "name", "kind", "quantity", "notes"], list_fields=["force", "name", "kind", "quantity"],
    search_fields=["name", "force__name"], filter_fields=["kind"], ordering=["force__name", "kind"], select_related=["force"],
)

VOLUNTEERS = Registry(
    key="volunteers", model=Volunteer, label="应急志愿者", nav_group=GROUP, icon="志",
    fields=["name", "phone", "skills", "availability", "training_hours", "hours_served", "state", "source", "notes",
            "division_code"],
    read_only_fields=["hours_served", "state", "source"],
    list_fields=["name", "skills", "availability", "training_hours", "hours_served", "state", "division_code"],
    search_fields=["name", "phone"], filter_fields=["state", "availability"], ordering=["division_code", "name"],
)

CALLUPS = Registry(
    key="volunteer-callups", model=Callup, label="志愿者召集", nav_group=GROUP, icon="召",
    fields=["title", "purpose", "incident", "drill", "meet_at", "place", "needed", "skills", "state", "division_code",
            "lon", "lat"],
    read_only_fields=["state"],
    list_fields=["title", "purpose", "meet_at", "place", "needed", "state", "division_code"],
    search_fields=["title", "place"], filter_fields=["purpose", "state"], ordering=["-meet_at"],
)

VILLAGES = Registry(
    key="villages", model=Village, label="村（社区）", nav_group=GROUP, icon="村",
    fields=["name", "kind", "disaster_prone", "population", "division_code"],
    list_fields=["name", "kind", "disaster_prone", "population", "division_code"],
    search_fields=["name"], filter_fields=["kind", "disaster_prone"], ordering=["division_code"],
)

ARTICLES = Registry(
    key="articles", model=Article, label="科普文章", nav_group=GROUP, icon="科",
    fields=["title", "category", "summary", "body", "published", "published_on", "division_code"],
    list_fields=["title", "category", "published", "published_on"],
    search_fields=["title", "summary"], filter_fields=["category", "published"], ordering=["-published_on"],
)
