"""Registry declarations of the preparedness app: drills, courses, sessions, trainees, the
question bank (Excel import with row-level Chinese errors comes with the registry), exam
sessions and certificates. Plans have their own pages (their lifecycle is not a plain edit)."""

from django.core.exceptions import ValidationError

from yingji.core.registry import Registry

from .exams import check_blueprint
from .models import Certificate, Course, Drill, ExamSession, Question, Trainee, TrainingSession

GROUP = "预案演练培训"


def _certificate_enterprise(cert: Certificate) -> None:
    cert.enterprise_id = cert.trainee.enterprise_id if cert.trainee_id else None
    if cert.issued_on and cert.expires_on and cert.expires_on <= cert.issued_on:
        raise ValidationError({"expires_on": "有效期须晚于发证日期"})


DRILLS = Registry(
    key="drills", model=Drill, label="应急演练", nav_group=GROUP, icon="演",
    fields=["title", "kind", "large", "plan", "organiser", "organisation", "enterprise", "held_on", "state", "location",
            "scenario", "participants", "participant_count", "evaluation", "rating", "division_code"],
    list_fields=["title", "kind", "large", "plan", "organiser", "held_on", "state", "rating", "division_code"],
    search_fields=["title", "organiser", "scenario", "location"],
    filter_fields=["kind", "state", "large"],
    ordering=["-held_on"],
    select_related=["plan"],
)

COURSES = Registry(
    key="courses", model=Course, label="培训课程", nav_group=GROUP, icon="课",
    fields=["name", "kind", "post", "hours", "description", "division_code"],
    list_fields=["name", "kind", "post", "hours", "division_code"],
    search_fields=["name", "description"], filter_fields=["kind", "post"], ordering=["division_code", "name"],
)

SESSIONS = Registry(
    key="training-sessions", model=TrainingSession, label="培训班次", nav_group=GROUP, icon="班",
    fields=["course", "starts_on", "ends_on", "venue", "trainer", "division_code"],
    list_fields=["course", "starts_on", "ends_on", "venue", "trainer", "division_code"],
    search_fields=["course__name", "venue", "trainer"], ordering=["-starts_on"], select_related=["course"],
)

TRAINEES = Registry(
    key="trainees", model=Trainee, label="培训学员", nav_group=GROUP, icon="学",
    fields=["name", "id_number", "post", "sector", "enterprise", "employer", "phone", "division_code"],
    list_fields=["name", "post", "sector", "employer", "division_code"],
    search_fields=["name", "id_number", "employer"], filter_fields=["post", "sector"], ordering=["division_code", "name"],
)

QUESTIONS = Registry(
    key="questions", model=Question, label="题库", nav_group=GROUP, icon="题",
    fields=["topic", "kind", "difficulty", "stem", "option_a", "option_b", "option_c", "option_d", "option_e",
            "option_f", "answer", "explanation", "active", "division_code"],
    list_fields=["topic", "kind", "difficulty", "stem", "answer", "active"],
    search_fields=["topic", "stem"], filter_fields=["topic", "kind", "difficulty", "active"],
    ordering=["topic", "kind", "id"],
)

EXAM_SESSIONS = Registry(
    key="exam-sessions", model=ExamSession, label="考试场次", nav_group=GROUP, icon="考",
    fields=["name", "certificate_kind", "blueprint", "time_limit_minutes", "pass_mark", "opens_at", "closes_at",
            "division_code"],
    list_fields=["name", "certificate_kind", "time_limit_minutes", "pass_mark", "opens_at", "closes_at"],
    search_fields=["name"], ordering=["-opens_at"], derive=check_blueprint,
)

CERTIFICATES = Registry(
    key="certificates", model=Certificate, label="培训合格证书", nav_group=GROUP, icon="证",
    fields=["trainee", "kind", "number", "issued_on", "expires_on", "review_due_on", "revoked", "division_code"],
    list_fields=["trainee", "kind", "number", "issued_on", "expires_on", "review_due_on", "revoked"],
    search_fields=["number", "trainee__name"], filter_fields=["kind", "revoked"], ordering=["expires_on"],
    select_related=["trainee"], derive=_certificate_enterprise,
)
