"""The plan as data: regions, units, plans, indicators with targets, key tasks, work items."""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tasks.links import pk_url
from tasks.rules import burden
from tasks.rules.outcomes import CHASED_STATUSES, CLOSED_STATUSES, OPEN_STATUSES, is_overdue


class Comparator(models.TextChoices):
    NONE = "", _("无")
    EQ = "eq", "="
    GT = "gt", ">"
    GE = "ge", "≥"
    LT = "lt", "<"
    LE = "le", "≤"


class Region(models.Model):
    """The government that issues plans (海宁市, 越城区). Units belong to a region."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    slug = models.SlugField(_("标识"), max_length=100, unique=True, allow_unicode=True)

    class Meta:
        verbose_name = _("地区")
        verbose_name_plural = _("地区")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TownKind(models.TextChoices):
    """A town's sub-kind (towns.csv's ``kind``): which collective names cover it."""

    STREET = "街道", _("街道")
    TOWN = "镇", _("镇")


class Unit(models.Model):
    """A responsible unit of one region; it may be known by several names (aliases)."""

    class Kind(models.TextChoices):
        DEPARTMENT = "department", _("部门")
        TOWN = "town", _("镇(街道)")
        COLLECTIVE = "collective", _("集合单位")
        ENTERPRISE = "enterprise", _("企业")
        COURT = "court", _("法院")
        OTHER = "other", _("其他")

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="units", verbose_name=_("地区"))
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices, default=Kind.DEPARTMENT)
    emails = models.TextField(
        _("联系邮箱"), blank=True, help_text=_("联络员邮箱，每行一个或用逗号分隔")
    )
    leader_name = models.CharField(_("分管领导"), max_length=50, blank=True)
    leader_email = models.EmailField(_("分管领导邮箱"), blank=True)
    in_unit_list = models.BooleanField(
        _("列于单位名单"), default=True, help_text=_("单位出现在方案附件的有关单位名单中")
    )
    town_kind = models.CharField(
        _("镇/街道"), max_length=4, choices=TownKind.choices, blank=True,
        help_text=_("镇(街道)类单位：是街道还是镇，决定“各街道”“各乡镇”包括哪些单位"),
    )

    class Meta:
        verbose_name = _("责任单位")
        verbose_name_plural = _("责任单位")
        ordering = ["region", "name"]
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="unit_unique_name_per_region")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return pk_url("tasks:unit_detail", self.pk)

    @property
    def email_list(self) -> list[str]:
        return [e.strip() for e in self.emails.replace(",", "\n").replace("，", "\n").splitlines() if e.strip()]

    def clean(self):
        """A unit that holds work keeps its region, and does not become (or stop being) a collective.

        Moved to another region, its parts of this region's plans would be held by a unit that region's
        coordinators place and the plan's do not (and its people with it); made a collective, its parts would be
        a name's that nobody ranks or chases (a collective holds none: ``rules.towns.part_holders``); a
        collective made a unit would lead its key tasks with nobody behind it."""
        if self.pk is None:
            return
        was = Unit.objects.filter(pk=self.pk).values("region_id", "kind").first()
        if was is None:
            return
        holds = (WorkItemUnit.objects.filter(unit_id=self.pk).exists()
                 or KeyTaskUnit.objects.filter(unit_id=self.pk).exists())
        if was["region_id"] != self.region_id and (holds or Profile.objects.filter(unit_id=self.pk).exists()):
            raise ValidationError({"region": _("该单位已承担本地区方案的任务或有人员，不能改到其他地区。")})
        if holds and (was["kind"] == Unit.Kind.COLLECTIVE) != (self.kind == Unit.Kind.COLLECTIVE):
            raise ValidationError({"kind": _("该单位已承担方案的任务，不能改为或改出集合单位。")})


class UnitAlias(models.Model):
    """Another name of a unit (市资规局 for 市自然资源和规划局), unique within its region."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="aliases", verbose_name=_("单位"))
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+", editable=False)
    name = models.CharField(_("别名"), max_length=100)

    class Meta:
        verbose_name = _("单位别名")
        verbose_name_plural = _("单位别名")
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="alias_unique_name_per_region")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        # The region is the unit's; kept here only so the database can enforce uniqueness.
        self.region_id = self.unit.region_id
        super().save(*args, **kwargs)


PERSONAL_CHANNELS = ("zzd", "dingtalk", "sms", "email")
MOBILE_RE = re.compile(r"^1\d{10}$")


def validate_mobile(value: str) -> None:
    if value and not MOBILE_RE.match(value):
        raise ValidationError(_("请填写 11 位手机号。"))


def parse_channel_order(text: str) -> list[str]:
    """``"zzd, sms"`` -> ``["zzd", "sms"]`` (lower case, each once, in order)."""
    out: list[str] = []
    for name in re.split(r"[,，、\s]+", (text or "").strip().lower()):
        if name and name not in out:
            out.append(name)
    return out


def validate_channel_order(value: str) -> None:
    unknown = [n for n in parse_channel_order(value) if n not in PERSONAL_CHANNELS]
    if unknown:
        raise ValidationError(_("未知的渠道：%(names)s") % {"names": ", ".join(unknown)})


class PersonRole(models.TextChoices):
    """What a person with a unit is to it: its liaison acts for it; its 分管领导 reads its work and results and
    receives its escalations, acting on nothing; a coordinator (专班) listed with their office's unit acts for
    plans through ``Plan.coordinators``, not for the unit."""

    LIAISON = "liaison", _("联络员")
    LEADER = "leader", _("分管领导")
    COORDINATOR = "coordinator", _("专班协调员")


class Profile(models.Model):
    """What a user is in this app: the unit a liaison works for (none for coordinators)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    unit = models.ForeignKey(
        Unit, on_delete=models.SET_NULL, null=True, blank=True, related_name="members", verbose_name=_("所属单位")
    )
    role = models.CharField(
        _("身份"), max_length=12, choices=PersonRole.choices, default=PersonRole.LIAISON,
        help_text=_("联络员代表单位办理；分管领导只看不办，接收逾期升级提醒"),
    )
    title = models.CharField(_("职务"), max_length=50, blank=True)
    # Where the person is reached besides their account's email (tasks/notifications/routing.py).
    mobile = models.CharField(_("手机号"), max_length=20, blank=True, validators=[validate_mobile])
    dingtalk_id = models.CharField(_("钉钉用户 ID"), max_length=64, blank=True)
    zzd_id = models.CharField(_("浙政钉账号 ID"), max_length=64, blank=True)
    channels = models.CharField(
        _("接收渠道(按顺序)"),
        max_length=100,
        blank=True,
        validators=[validate_channel_order],
        help_text=_(
            "逗号分隔，按顺序：第一个可用渠道立即发送，其后的渠道仅在前面的渠道若干小时内未送达时补发"
            "（例如 zzd,sms：先发浙政钉，未送达再发短信）；邮件总会发送。"
            "可选：zzd(浙政钉)、dingtalk(钉钉)、sms(短信)、email"
        ),
    )

    class Meta:
        verbose_name = _("用户资料")
        verbose_name_plural = _("用户资料")

    def __str__(self) -> str:
        return f"{self.user} ({self.unit or '-'})"


class Plan(models.Model):
    """An implementation plan (实施方案) of a region for a period of years."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="plans", verbose_name=_("地区"))
    title = models.CharField(_("标题"), max_length=300)
    # How the plan is told apart from the region's other plans wherever theirs meet (tasks.rules.plans).
    short_name = models.CharField(_("简称"), max_length=40, blank=True,
                                  help_text=_("同一地区有多个方案时用于区分，默认为地区名加方案主题"))
    slug = models.SlugField(_("标识"), max_length=100, unique=True, allow_unicode=True)
    issuer = models.CharField(_("印发单位"), max_length=200, blank=True)
    first_year = models.PositiveSmallIntegerField(_("起始年"))
    last_year = models.PositiveSmallIntegerField(_("终止年"))
    source_file = models.FileField(_("来源文件"), upload_to="plans/", blank=True)
    source_name = models.CharField(_("来源文件名"), max_length=255, blank=True)
    source_sha256 = models.CharField(_("来源文件哈希"), max_length=64, blank=True)
    imported_at = models.DateTimeField(_("导入时间"), null=True, blank=True)
    import_warnings = models.JSONField(_("导入警告"), default=list, blank=True)
    # How the coordinator laid out the tables of a list the parser could not read alone:
    # [{"headers": [header row's cells], "roles": [role per column]}]; the next year's list is read with it.
    import_layout = models.JSONField(_("表格格式"), default=list, blank=True)
    coordinators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="coordinated_plans", verbose_name=_("专班协调员")
    )
    # 减负 (issue 34): evidence is optional unless the plan requires it for a kind of item
    # (tasks.rules.burden.ITEM_KINDS); a close request then needs it once, evidence on file counts.
    evidence_for_plan_items = models.BooleanField(_("方案任务办结须附佐证材料"), default=False)
    evidence_for_parts = models.BooleanField(_("分解事项办结须附佐证材料"), default=False)
    evidence_for_meeting_items = models.BooleanField(_("会议议定事项办结须附佐证材料"), default=False)
    evidence_for_instruction_items = models.BooleanField(_("领导批示事项办结须附佐证材料"), default=False)

    class Meta:
        verbose_name = _("实施方案")
        verbose_name_plural = _("实施方案")
        ordering = ["region", "-first_year", "title"]
        # A province or city role: view_all_plans sees every plan, in the pages, the API and the admin (is_staff
        # alone does not); act_on_all_plans also acts on every plan (reviews, publishes, issues 督办单).
        # Seeing never writes: tasks.rules.actions.authorize asks for the second.
        permissions = [("view_all_plans", _("查看所有方案")), ("act_on_all_plans", _("办理所有方案"))]
        constraints = [
            models.UniqueConstraint(fields=["region", "title"], name="plan_unique_title_per_region"),
            models.CheckConstraint(condition=Q(first_year__lte=models.F("last_year")), name="plan_period_ordered"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("tasks:plan_detail", args=[self.slug])

    @property
    def label(self) -> str:
        """The short name where plans meet (the title for a plan imported before short names)."""
        return self.short_name or self.title

    @property
    def years(self) -> range:
        return range(self.first_year, self.last_year + 1)

    @property
    def evidence_kinds(self) -> frozenset[str]:
        """The kinds of item (``tasks.rules.burden.ITEM_KINDS``) whose close request must carry evidence."""
        flags = {burden.PLAN_ITEM: self.evidence_for_plan_items, burden.PART: self.evidence_for_parts,
                 burden.MEETING: self.evidence_for_meeting_items,
                 burden.INSTRUCTION: self.evidence_for_instruction_items}
        return frozenset(kind for kind, on in flags.items() if on)


def _left_its_region(obj) -> dict:
    """``{"plan": error}`` when the saved ``obj`` (a plan's row) is being moved to a plan of another region: its
    parts, people and figures are its region's, and would stay there."""
    if obj.pk is None or not obj.plan_id:
        return {}
    was = type(obj).objects.filter(pk=obj.pk).values_list("plan__region_id", flat=True).first()
    if was is not None and was != obj.plan.region_id:
        return {"plan": _("不能移到其他地区的方案。")}
    return {}


def _of_another_plan(obj, field: str) -> dict:
    """``{field: error}`` when ``obj``'s ``field`` (a key task, an indicator) is another plan's row."""
    other = getattr(obj, field)
    if other is not None and obj.plan_id and other.plan_id != obj.plan_id:
        return {field: _("只能选择本方案的%(what)s。") % {"what": other._meta.verbose_name}}
    return {}


def _parent_plan(part, field: str):
    """The plan of a part's key task or item, also one not saved yet (an admin inline row of a new item)."""
    try:
        parent = getattr(part, field)
    except ObjectDoesNotExist:
        return None
    return parent.plan if parent is not None and parent.plan_id else None


def _in_its_region(unit, plan) -> dict:
    if unit is not None and plan is not None and unit.region_id != plan.region_id:
        return {"unit": _("只能选择本方案所在地区的单位。")}
    return {}


class Indicator(models.Model):
    """A row of the target table: a measured quantity with a baseline and yearly targets."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("方案"))
    domain = models.CharField(_("领域"), max_length=50)
    number = models.PositiveSmallIntegerField(_("序号"))
    name = models.CharField(_("指标"), max_length=200)
    measure = models.CharField(_("计量单位"), max_length=30, blank=True)
    cumulative = models.BooleanField(_("累计指标"), default=False)
    baseline_year = models.PositiveSmallIntegerField(_("现状值年份"), null=True, blank=True)
    baseline_text = models.CharField(_("现状值(原文)"), max_length=200, blank=True)
    baseline_value = models.DecimalField(_("现状值"), max_digits=14, decimal_places=4, null=True, blank=True)
    baseline_comparator = models.CharField(
        _("现状值比较符"), max_length=2, choices=Comparator.choices, blank=True, default=""
    )
    key_task = models.ForeignKey(
        "KeyTask",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="indicators",
        verbose_name=_("服务的重点任务"),
        help_text=_("指标由该任务的牵头单位填报"),
    )

    class Meta:
        verbose_name = _("指标")
        verbose_name_plural = _("指标")
        ordering = ["plan", "number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="indicator_unique_number")]

    def __str__(self) -> str:
        return f"{self.number}. {self.name}" + (f"({self.measure})" if self.measure else "")

    def get_absolute_url(self) -> str:
        return pk_url("tasks:indicator_detail", self.pk)

    def clean(self):
        if errors := {**_of_another_plan(self, "key_task"), **_left_its_region(self)}:
            raise ValidationError(errors)


class IndicatorTarget(models.Model):
    """One year's target, kept as written (``>1.48``, ``大于220``, prose) and parsed."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    year = models.PositiveSmallIntegerField(_("年份"))
    text = models.CharField(_("目标值(原文)"), max_length=500)
    value = models.DecimalField(_("目标值"), max_digits=14, decimal_places=4, null=True, blank=True)
    comparator = models.CharField(_("比较符"), max_length=2, choices=Comparator.choices, blank=True, default="")

    class Meta:
        verbose_name = _("年度目标")
        verbose_name_plural = _("年度目标")
        ordering = ["indicator", "year"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "year"], name="target_unique_year"),
            models.CheckConstraint(
                condition=Q(value__isnull=True, comparator="") | Q(value__isnull=False) & ~Q(comparator=""),
                name="target_value_has_comparator",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}: {self.text}"


class Role(models.TextChoices):
    LEAD = "lead", _("牵头")
    SUPPORT = "support", _("配合")


class KeyTaskRole(models.TextChoices):
    """A unit's role in a key task: lead, supporting, or another role the plan names (数据提供单位, 督办单位).

    The other roles stay on the key task only: they never become work-item units.
    """

    LEAD = "lead", _("牵头")
    SUPPORT = "support", _("配合")
    OTHER = "other", _("其他")


class KeyTask(models.Model):
    """A numbered key task (重点任务) with its lead and supporting units."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="key_tasks", verbose_name=_("方案"))
    section = models.CharField(_("板块"), max_length=200, blank=True)
    number = models.PositiveSmallIntegerField(_("序号"))
    title = models.CharField(_("任务"), max_length=300)
    text = models.TextField(_("全文"), blank=True)
    deadline = models.DateField(_("完成期限"), null=True, blank=True)
    deadline_text = models.CharField(_("完成期限(原文)"), max_length=100, blank=True)
    leaders = models.CharField(_("责任领导"), max_length=200, blank=True)
    units = models.ManyToManyField(Unit, through="KeyTaskUnit", related_name="key_tasks", verbose_name=_("责任单位"))

    class Meta:
        verbose_name = _("重点任务")
        verbose_name_plural = _("重点任务")
        ordering = ["plan", "number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="keytask_unique_number")]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"

    def get_absolute_url(self) -> str:
        return pk_url("tasks:key_task_detail", self.pk)

    def clean(self):
        if errors := _left_its_region(self):
            raise ValidationError(errors)


class KeyTaskUnit(models.Model):
    """A unit's role in a key task, in the document's order."""

    key_task = models.ForeignKey(KeyTask, on_delete=models.CASCADE, related_name="assignments")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="key_task_assignments")
    role = models.CharField(_("角色"), max_length=10, choices=KeyTaskRole.choices)
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)
    name_as_written = models.CharField(_("原文名称"), max_length=100, blank=True)
    expanded = models.BooleanField(
        _("由集合单位展开"), default=False,
        help_text=_("导入时由集合单位(原文名称，如“各镇(街道)”)展开给每个成员；只在重点任务上，不进入每个工作事项"),
    )
    # The role as the plan writes it, for a role other than lead/supporting ("数据提供单位").
    role_name = models.CharField(_("角色(原文)"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("任务责任单位")
        verbose_name_plural = _("任务责任单位")
        ordering = ["key_task", "position"]
        constraints = [models.UniqueConstraint(fields=["key_task", "unit"], name="keytaskunit_unique_unit")]

    def __str__(self) -> str:
        return f"{self.unit} ({self.role_label})"

    @property
    def role_label(self) -> str:
        return self.role_name if self.role == KeyTaskRole.OTHER and self.role_name else self.get_role_display()

    def clean(self):
        if self.unit_id and (errors := _in_its_region(self.unit, _parent_plan(self, "key_task"))):
            raise ValidationError(errors)


class WorkItem(models.Model):
    """A dated piece of work: a row of a yearly work list, a milestone, or a drafted item."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("未开始")
        IN_PROGRESS = "in_progress", _("推进中")
        AWAITING_REVIEW = "awaiting_review", _("待审核")
        RETURNED = "returned", _("已退回")
        DONE = "done", _("已办结")
        # A broken-down sub-item waits for its unit to sign for it (签收) before work starts.
        AWAITING_SIGN = "awaiting_sign", _("待签收")
        # A sub-item the coordinator released with a reason: closed, but not done (not counted as done).
        WAIVED = "waived", _("已豁免")
        # Already past due when its plan was imported, kept for the record: counted nowhere, never chased.
        HISTORY = "history", _("历史留档")

    class Origin(models.TextChoices):
        PLAN = "plan", _("方案任务")
        MEETING = "meeting", _("会议议定")
        INSTRUCTION = "instruction", _("领导批示")

    class Rating(models.TextChoices):
        SATISFIED = "satisfied", _("满意")
        BASICALLY = "basically", _("基本满意")
        UNSATISFIED = "unsatisfied", _("不满意")

    class Source(models.TextChoices):
        WORK_LIST = "work_list", _("工作清单")
        MILESTONE = "milestone", _("节点任务")
        DRAFT = "draft", _("年度草拟")
        MANUAL = "manual", _("手工添加")
        BREAKDOWN = "breakdown", _("分解交办")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="work_items", verbose_name=_("方案"))
    year = models.PositiveSmallIntegerField(_("年度"))
    key_task = models.ForeignKey(
        KeyTask, on_delete=models.SET_NULL, null=True, blank=True, related_name="work_items", verbose_name=_("重点任务")
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.SET_NULL, null=True, blank=True, related_name="work_items", verbose_name=_("指标")
    )
    indicator_name = models.CharField(_("指标(原文)"), max_length=200, blank=True)
    target_text = models.CharField(_("年度目标(原文)"), max_length=100, blank=True)
    text = models.TextField(_("工作内容"))
    deadline_text = models.CharField(_("完成期限(原文)"), max_length=100, blank=True)
    deadline = models.DateField(_("原定期限"), null=True, blank=True)
    due_date = models.DateField(
        _("现行期限"), null=True, blank=True, db_index=True, help_text=_("批准延期后的期限；未延期时等于原定期限")
    )
    recurring = models.BooleanField(_("常态化/周期性"), default=False)
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.NOT_STARTED, db_index=True
    )
    progress = models.PositiveSmallIntegerField(_("进度(%)"), default=0)
    completed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    completed_on_time = models.BooleanField(_("按期办结"), null=True, blank=True)
    source = models.CharField(_("来源"), max_length=20, choices=Source.choices, default=Source.MANUAL)
    import_key = models.CharField(
        _("导入键"), max_length=64, blank=True, help_text=_("重新导入同一文件时据此更新，而不是重复创建")
    )
    position = models.PositiveIntegerField(_("顺序"), default=0)
    link_confirmed = models.BooleanField(
        _("关联已确认"), default=False, help_text=_("协调员修正过关联后，重新导入不再覆盖")
    )
    units = models.ManyToManyField(Unit, through="WorkItemUnit", related_name="work_items", verbose_name=_("责任单位"))
    # Work broken down (分解交办): a sub-item is a full work item of its own unit, under its parent.
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children", verbose_name=_("上级事项")
    )
    target_share = models.CharField(_("分解目标"), max_length=100, blank=True)
    handed_at = models.DateTimeField(_("交办时间"), null=True, blank=True)
    signed_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("签收人"),
    )
    # When its unit last asked to close it (set by the transition to awaiting review): the review
    # queue sorts on this column, not on a subquery over the history of every awaiting item.
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True, editable=False)
    # Where the work came from (issue 34): the plan's own list, a meeting's decision (会议纪要) or a leader's
    # written instruction (领导批示); the source as written (文号 / 会议名称, who raised it, when).
    origin = models.CharField(_("事项来源"), max_length=12, choices=Origin.choices, default=Origin.PLAN)
    origin_ref = models.CharField(_("来源文号/会议"), max_length=200, blank=True)
    origin_by = models.CharField(_("提出人/会议"), max_length=100, blank=True)
    origin_on = models.DateField(_("来源日期"), null=True, blank=True)
    # Who raised it, when they have an account (a leader): they rate how it was closed, as the coordinator
    # may on their behalf (the guard's ``raiser``), and may open it to do so.
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("提出人账号"), help_text=_("提出事项的领导有账号时选择：本人可查看事项并评价办理情况"),
    )
    # The rating of how an item from a meeting or an instruction was closed (by who raised it, or the
    # coordinator on their behalf); 不满意 reopens it (a status change with the reason).
    rating = models.CharField(_("办理评价"), max_length=12, choices=Rating.choices, blank=True)
    rating_reason = models.TextField(_("评价说明"), blank=True)
    rated_at = models.DateTimeField(_("评价时间"), null=True, blank=True)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("评价人"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("工作事项")
        verbose_name_plural = _("工作事项")
        ordering = ["plan", "year", "due_date", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "year", "import_key"], condition=~Q(import_key=""), name="workitem_unique_import_key"
            ),
            models.CheckConstraint(condition=Q(progress__lte=100), name="workitem_progress_percent"),
            models.CheckConstraint(
                condition=Q(status="done", completed_at__isnull=False, completed_on_time__isnull=False)
                | (~Q(status="done") & Q(completed_at__isnull=True, completed_on_time__isnull=True)),
                name="workitem_done_has_completion",
            ),
            models.CheckConstraint(
                condition=Q(deadline__isnull=True) | Q(due_date__isnull=False), name="workitem_due_date_set"
            ),
        ]
        indexes = [
            models.Index(fields=["plan", "status", "due_date"]),
            # Partial, so they stay as small as the open work however many years of done items pile up:
            # a plan's open items by deadline (overdue view, reminders, dashboard) and its review queue.
            models.Index(
                fields=["plan", "due_date"],
                condition=Q(status__in=list(OPEN_STATUSES)),
                name="workitem_open_plan_due_idx",
            ),
            models.Index(
                fields=["plan", "submitted_at"], condition=Q(status="awaiting_review"), name="workitem_review_idx"
            ),
            # The review queue across many plans (a province-wide user) has an index in its own order,
            # "submitted_at NULLS FIRST, id" (1M items: 419 -> 2 ms), made by migration 0013 on PostgreSQL
            # only: SQLite cannot index NULLS FIRST, so it is not declared here.
            # Overdue across every plan (a province-wide user): the chased items up to today, by deadline
            # (the planner over-estimates them from the columns' separate statistics and scans the table).
            models.Index(
                fields=["due_date"], condition=Q(status__in=list(CHASED_STATUSES)), name="workitem_chased_due_idx"
            ),
            # Closed items from a meeting or an instruction, whose rating is awaited (待评价): few, among a
            # province's million plan items.
            models.Index(
                fields=["plan", "completed_at"], condition=Q(status="done") & ~Q(origin="plan"),
                name="workitem_to_rate_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.text[:60]

    def get_absolute_url(self) -> str:
        return pk_url("tasks:work_item_detail", self.pk)

    def clean(self):
        if errors := {**_of_another_plan(self, "key_task"), **_of_another_plan(self, "indicator"),
                      **_left_its_region(self)}:
            raise ValidationError(errors)

    @property
    def is_open(self) -> bool:
        return self.status not in CLOSED_STATUSES

    def is_overdue(self, today) -> bool:
        """``tasks.rules.outcomes.is_overdue`` of this item (awaiting review is not overdue)."""
        return is_overdue(status=self.status, due=self.due_date, today=today)


class WorkItemUnit(models.Model):
    """A unit responsible for a work item, as lead or supporting."""

    work_item = models.ForeignKey(WorkItem, on_delete=models.CASCADE, related_name="assignments")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="work_item_assignments")
    role = models.CharField(_("角色"), max_length=10, choices=Role.choices)
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)
    # A supporting unit's own part (配合到位): done when it says so, assessed against the item's deadline.
    support_done_at = models.DateTimeField(_("配合到位时间"), null=True, blank=True)
    support_done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("配合到位确认人"),
    )
    support_note = models.TextField(_("配合情况"), blank=True)

    class Meta:
        verbose_name = _("事项责任单位")
        verbose_name_plural = _("事项责任单位")
        ordering = ["work_item", "position"]
        constraints = [models.UniqueConstraint(fields=["work_item", "unit"], name="workitemunit_unique_unit")]
        indexes = [models.Index(fields=["unit", "role"])]

    def __str__(self) -> str:
        return f"{self.unit} ({self.get_role_display()})"

    def clean(self):
        # A collective (各镇(街道)) holds no part: its members do (``tasks.rules.towns.part_holders``).
        if self.unit_id and self.unit.kind == Unit.Kind.COLLECTIVE:
            raise ValidationError({"unit": _("集合单位不承担事项，请选择其成员单位。")})
        if self.unit_id and (errors := _in_its_region(self.unit, _parent_plan(self, "work_item"))):
            raise ValidationError(errors)
