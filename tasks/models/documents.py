"""Documents an office files: the 通报 (a roundup as a 公文) and the 督办单, each numbered per plan and year."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .plan import Plan, Unit, WorkItem
from .roundups import Roundup


class DocumentSeries(models.TextChoices):
    BULLETIN = "bulletin", _("通报")
    NOTICE = "notice", _("督办单")


class DocumentSequence(models.Model):
    """The last number given in a plan's series for a year. Locked (select_for_update) while a number is
    taken, in the same transaction that stores the document, so numbers are gap-free and never reused."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="+")
    series = models.CharField(max_length=10, choices=DocumentSeries.choices)
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("文号序列")
        verbose_name_plural = _("文号序列")
        constraints = [
            models.UniqueConstraint(fields=["plan", "series", "year"], name="document_sequence_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.series} {self.year}: {self.last_number}"


def bulletin_path(instance, filename: str) -> str:
    return f"documents/{instance.plan_id}/bulletins/{filename}"


def notice_path(instance, filename: str) -> str:
    return f"documents/{instance.plan_id}/notices/{filename}"


class Bulletin(models.Model):
    """A roundup as a 公文 (通报). Drafted from the roundup, edited as plain paragraphs; on publish it
    takes its number and its .docx and PDF are stored; from then on it never changes. A correction is
    a new bulletin that names the one it corrects."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已印发")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="bulletins", verbose_name=_("方案"))
    roundup = models.ForeignKey(Roundup, on_delete=models.CASCADE, related_name="bulletins",
                                verbose_name=_("晾晒通报"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    year = models.PositiveSmallIntegerField(_("年度"), null=True, blank=True)
    number = models.PositiveIntegerField(_("序号"), null=True, blank=True)
    doc_number = models.CharField(_("发文字号"), max_length=60, blank=True)
    title = models.CharField(_("标题"), max_length=200)
    addressees = models.TextField(_("主送机关"))
    body = models.TextField(_("正文"), help_text=_("每段一行；以“一、”“（一）”开头的段落为标题"))
    signer = models.CharField(_("发文机关署名"), max_length=100)
    copy_to = models.CharField(_("抄送"), max_length=300, blank=True)
    corrects = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="corrections", verbose_name=_("更正的文件"))
    signed_on = models.DateField(_("成文日期"), null=True, blank=True)
    docx = models.FileField(_("Word文件"), upload_to=bulletin_path, blank=True)
    pdf = models.FileField(_("PDF文件"), upload_to=bulletin_path, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("修改人"))
    published_at = models.DateTimeField(_("印发时间"), null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("印发人"))

    class Meta:
        verbose_name = _("通报公文")
        verbose_name_plural = _("通报公文")
        ordering = ["plan", "-year", "-number", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "year", "number"], condition=Q(number__isnull=False),
                                    name="bulletin_unique_number"),
            models.UniqueConstraint(fields=["roundup"], condition=Q(status="draft"), name="bulletin_one_draft"),
            models.CheckConstraint(
                condition=Q(status="draft", number__isnull=True)
                | Q(status="published", number__isnull=False, published_at__isnull=False),
                name="bulletin_published_has_number",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.doc_number or _('草稿')} {self.title}"

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    def paragraphs(self) -> list[str]:
        return [line.strip() for line in self.body.splitlines() if line.strip()]


class SupervisionNotice(models.Model):
    """A 督办单: a numbered written notice to a unit (and its 分管领导) about lagging items, answered in
    writing by a date; unanswered, it escalates to a notice of the next colour."""

    class Colour(models.TextChoices):
        BLUE = "blue", _("蓝色")
        YELLOW = "yellow", _("黄色")
        RED = "red", _("红色")

    class Status(models.TextChoices):
        DRAFT = "draft", _("待签发")
        ISSUED = "issued", _("待回复")
        ANSWERED = "answered", _("已回复")
        ESCALATED = "escalated", _("逾期未复，已升级")
        CANCELLED = "cancelled", _("已撤销")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="notices", verbose_name=_("方案"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="notices", verbose_name=_("责任单位"))
    items = models.ManyToManyField(WorkItem, related_name="notices", verbose_name=_("督办事项"))
    colour = models.CharField(_("颜色"), max_length=10, choices=Colour.choices)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    proposed = models.BooleanField(_("系统拟制"), default=False)
    year = models.PositiveSmallIntegerField(_("年度"), null=True, blank=True)
    number = models.PositiveIntegerField(_("序号"), null=True, blank=True)
    doc_number = models.CharField(_("编号"), max_length=60, blank=True)
    requirement = models.TextField(_("督办要求"))
    reply_days = models.PositiveSmallIntegerField(_("回复时限(工作日)"), default=5)
    reply_due = models.DateField(_("回复期限"), null=True, blank=True)
    escalated_from = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True,
                                          related_name="escalated_to", verbose_name=_("升级自"))
    pdf = models.FileField(_("PDF文件"), upload_to=notice_path, blank=True)
    docx = models.FileField(_("Word文件"), upload_to=notice_path, blank=True)
    created_at = models.DateTimeField(_("创建时间"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    issued_at = models.DateTimeField(_("签发时间"), null=True, blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+", verbose_name=_("签发人"))
    answered_at = models.DateTimeField(_("回复时间"), null=True, blank=True)
    reply = models.TextField(_("回复内容"), blank=True)
    # Delivery is the outbox's (``Message.notice``): what went to whom, on which channel, when, and its fate.
    urgent = models.BooleanField(
        _("急件"), default=False, help_text=_("红色督办单可标为急件：立即发送，不受免打扰时段限制")
    )

    class Meta:
        verbose_name = _("督办单")
        verbose_name_plural = _("督办单")
        ordering = ["plan", "-year", "-number", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "year", "number"], condition=Q(number__isnull=False),
                                    name="notice_unique_number"),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "cancelled"]) | Q(number__isnull=False, reply_due__isnull=False),
                name="notice_issued_has_number",
            ),
            models.CheckConstraint(condition=Q(urgent=False) | Q(colour="red"), name="notice_urgent_is_red"),
        ]
        indexes = [models.Index(fields=["status", "reply_due"])]

    def __str__(self) -> str:
        return f"{self.doc_number or _('待签发')} {self.unit} {self.get_colour_display()}"


class NoticeEvent(models.Model):
    """Every status change of a 督办单: who, when, from, to, note."""

    notice = models.ForeignKey(SupervisionNotice, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("时间"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              verbose_name=_("操作人"))
    from_status = models.CharField(_("原状态"), max_length=10, blank=True, choices=SupervisionNotice.Status.choices)
    to_status = models.CharField(_("新状态"), max_length=10, choices=SupervisionNotice.Status.choices)
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("督办单记录")
        verbose_name_plural = _("督办单记录")
        ordering = ["notice", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.notice_id}: {self.get_from_status_display() or '—'} → {self.get_to_status_display()}"
