"""Training and examinations (培训考试): courses and sessions, trainees and their hours, the
question bank, exam sessions and attempts, certificates."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from yingji.core.models import ScopedRecord
from yingji.rules import training as tr

CERTIFICATE_KINDS = [(k, v[0]) for k, v in tr.CERTIFICATES.items()]
COURSE_KINDS = [("initial", "初次培训"), ("refresher", "再培训"), ("review", "复审培训"), ("other", "专题培训")]


class Course(ScopedRecord):
    write_capability = "training.manage"

    name = models.CharField("课程名称", max_length=120)
    kind = models.CharField("培训类型", max_length=12, choices=COURSE_KINDS)
    post = models.CharField("培训对象", max_length=20, choices=list(tr.POSTS.items()))
    hours = models.DecimalField("学时", max_digits=5, decimal_places=1, validators=[MinValueValidator(Decimal("0.5"))])
    description = models.TextField("课程内容", blank=True)

    class Meta:
        ordering = ["division_code", "name"]
        verbose_name = "培训课程"

    def __str__(self):
        return self.name


class Trainee(ScopedRecord):
    write_capability = "training.manage"
    scope_enterprise_field = "enterprise"
    import_lookup = ("id_number", "name")

    name = models.CharField("姓名", max_length=40)
    id_number = models.CharField("身份证号", max_length=18, unique=True)
    post = models.CharField("岗位类别", max_length=20, choices=list(tr.POSTS.items()))
    sector = models.CharField("行业", max_length=20, choices=list(tr.SECTORS.items()), default="general")
    enterprise = models.ForeignKey("regions.Enterprise", verbose_name="所在企业", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    employer = models.CharField("工作单位", max_length=120)
    phone = models.CharField("联系电话", max_length=20, blank=True)

    class Meta:
        ordering = ["division_code", "name"]
        verbose_name = "培训学员"

    def __str__(self):
        return self.name


class TrainingSession(ScopedRecord):
    write_capability = "training.manage"

    course = models.ForeignKey(Course, verbose_name="课程", on_delete=models.PROTECT, related_name="sessions")
    starts_on = models.DateField("开班日期")
    ends_on = models.DateField("结业日期")
    venue = models.CharField("培训地点", max_length=120)
    trainer = models.CharField("授课人", max_length=60, blank=True)

    class Meta:
        ordering = ["-starts_on", "pk"]
        verbose_name = "培训班次"

    def __str__(self):
        return f"{self.course}（{self.starts_on:%Y-%m-%d}）"

    def clean(self):
        super().clean()
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": "结业日期不能早于开班日期"})


class Attendance(ScopedRecord):
    """A trainee's completed hours in one session (the 培训档案 line)."""

    write_capability = "training.manage"

    session = models.ForeignKey(TrainingSession, verbose_name="班次", on_delete=models.CASCADE, related_name="attendance")
    trainee = models.ForeignKey(Trainee, verbose_name="学员", on_delete=models.PROTECT, related_name="attendance")
    hours = models.DecimalField("完成学时", max_digits=5, decimal_places=1, validators=[MinValueValidator(Decimal(0))])

    class Meta:
        ordering = ["session", "trainee"]
        constraints = [models.UniqueConstraint(fields=["session", "trainee"], name="attendance_once")]
        verbose_name = "培训记录"

    def __str__(self):
        return f"{self.trainee} · {self.session}"


class Question(ScopedRecord):
    write_capability = "training.manage"

    topic = models.CharField("专题", max_length=40, db_index=True)
    kind = models.CharField("题型", max_length=10, choices=list(tr.QUESTION_KINDS.items()))
    difficulty = models.PositiveSmallIntegerField("难度", choices=list(tr.DIFFICULTIES.items()), default=2)
    stem = models.TextField("题干")
    option_a = models.CharField("选项A", max_length=200, blank=True)
    option_b = models.CharField("选项B", max_length=200, blank=True)
    option_c = models.CharField("选项C", max_length=200, blank=True)
    option_d = models.CharField("选项D", max_length=200, blank=True)
    option_e = models.CharField("选项E", max_length=200, blank=True)
    option_f = models.CharField("选项F", max_length=200, blank=True)
    answer = models.CharField("答案", max_length=12, help_text="选择题填选项字母，如 A 或 A、B、D；判断题填“对”或“错”")
    explanation = models.TextField("解析", blank=True)
    active = models.BooleanField("启用", default=True)

    class Meta:
        ordering = ["topic", "kind", "pk"]
        verbose_name = "试题"

    def __str__(self):
        return self.stem[:40]

    @property
    def key(self) -> str:
        """The answer in the form answers are compared in (letters, or T/F)."""
        return tr.normalise_answer(self.kind, self.answer)

    def options(self) -> list[tuple[str, str]]:
        return [(letter, getattr(self, f"option_{letter.lower()}")) for letter in "ABCDEF"
                if getattr(self, f"option_{letter.lower()}")]

    def clean(self):
        super().clean()
        if not self.kind:
            return
        try:
            key = tr.normalise_answer(self.kind, self.answer)
        except ValueError as exc:
            raise ValidationError({"answer": str(exc)}) from exc
        self.answer = tr.display_answer(self.kind, key)  # stored as it reads: A、C、D / 对 / 错
        if self.kind == "judge":
            if self.options():
                raise ValidationError({"option_a": "判断题不填选项"})
            return
        letters = [letter for letter, _ in self.options()]
        if len(letters) < 2 or letters != list("ABCDEF"[:len(letters)]):
            raise ValidationError({"option_a": "选择题至少填写两个选项，且从A起连续填写"})
        missing = [ch for ch in key if ch not in letters]
        if missing:
            raise ValidationError({"answer": f"答案中的选项 {''.join(missing)} 没有内容"})


class ExamSession(ScopedRecord):
    write_capability = "training.manage"

    name = models.CharField("考试名称", max_length=120)
    certificate_kind = models.CharField("合格后发证", max_length=10, choices=CERTIFICATE_KINDS, blank=True)
    blueprint = models.JSONField("组卷规则", default=list,
                                 help_text='[{"topic": "专题或空", "kind": "single", "difficulty": 2或空, "count": 10, "points": 2}]')
    time_limit_minutes = models.PositiveIntegerField("考试时长（分钟）", validators=[MinValueValidator(1), MaxValueValidator(600)])
    pass_mark = models.PositiveSmallIntegerField("合格分数（百分制）", null=True, blank=True,
                                                 validators=[MaxValueValidator(100)], help_text="留空使用系统配置")
    opens_at = models.DateTimeField("开考时间")
    closes_at = models.DateTimeField("截止时间")

    class Meta:
        ordering = ["-opens_at", "pk"]
        verbose_name = "考试场次"

    def __str__(self):
        return self.name

    def get_blueprint_display(self) -> str:
        parts = []
        for i, part in enumerate(self.blueprint or [], start=1):
            if not isinstance(part, dict):
                return "（组卷规则格式不正确）"
            bits = [part.get("topic") or "全部专题", tr.QUESTION_KINDS.get(part.get("kind") or "", "各题型"),
                    tr.DIFFICULTIES.get(part.get("difficulty") or 0, "各难度")]
            parts.append(f"第{i}部分：{'／'.join(bits)} {part.get('count')}题×{part.get('points')}分")
        return "；".join(parts)

    def clean(self):
        super().clean()
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValidationError({"closes_at": "截止时间须晚于开考时间"})


ATTEMPT_STATES = [("in_progress", "答题中"), ("submitted", "已交卷"), ("expired", "超时收卷")]


class ExamAttempt(ScopedRecord):
    write_capability = "training.manage"

    session = models.ForeignKey(ExamSession, verbose_name="考试", on_delete=models.PROTECT, related_name="attempts")
    trainee = models.ForeignKey(Trainee, verbose_name="考生", on_delete=models.PROTECT, related_name="attempts")
    paper = models.JSONField("试卷", default=list, editable=False)  # [[question id, points], ...]
    answers = models.JSONField("作答", default=dict, editable=False)
    started_at = models.DateTimeField("开考时间", editable=False)
    deadline_at = models.DateTimeField("交卷期限", editable=False)
    submitted_at = models.DateTimeField("交卷时间", null=True, editable=False)
    state = models.CharField("状态", max_length=12, choices=ATTEMPT_STATES, default="in_progress", editable=False)
    score = models.DecimalField("得分", max_digits=6, decimal_places=1, null=True, editable=False)
    full_marks = models.DecimalField("满分", max_digits=6, decimal_places=1, null=True, editable=False)
    passed = models.BooleanField("合格", null=True, editable=False)

    class Meta:
        ordering = ["-started_at", "pk"]
        verbose_name = "考试记录"
        constraints = [models.UniqueConstraint(fields=["trainee"], condition=Q(state="in_progress"),
                                               name="one_open_attempt_per_trainee")]

    def __str__(self):
        return f"{self.trainee} · {self.session}"


class Certificate(ScopedRecord):
    write_capability = "training.manage"
    scope_enterprise_field = "enterprise"

    trainee = models.ForeignKey(Trainee, verbose_name="持证人", on_delete=models.PROTECT, related_name="certificates")
    enterprise = models.ForeignKey("regions.Enterprise", verbose_name="所在企业", null=True, editable=False,
                                   on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("证书类别", max_length=10, choices=CERTIFICATE_KINDS)
    number = models.CharField("证书编号", max_length=40, unique=True)
    issued_on = models.DateField("发证日期")
    expires_on = models.DateField("有效期至")
    review_due_on = models.DateField("复审日期", null=True, blank=True)
    attempt = models.ForeignKey(ExamAttempt, verbose_name="考试记录", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    revoked = models.BooleanField("已注销", default=False)

    class Meta:
        ordering = ["expires_on", "pk"]
        verbose_name = "培训合格证书"

    def __str__(self):
        return f"{self.get_kind_display()} {self.number}"
