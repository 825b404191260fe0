"""Roundups (月晾晒、季通报、年考核): one frozen snapshot per plan and period, its settings and deliveries."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from tasks.links import pk_url
from tasks.roundups.periods import Period

from .plan import Plan, Unit

PERCENT = [MinValueValidator(0), MaxValueValidator(100)]


def _dec(value: str) -> Decimal:
    return Decimal(value)


class RoundupSettings(models.Model):
    """The office's rules for one plan's roundups: colours, scores, praise/call-out, assessment, recipients."""

    plan = models.OneToOneField(Plan, on_delete=models.CASCADE, related_name="roundup_settings", verbose_name=_("方案"))

    # Unit score: each item in scope earns points by its outcome; supporting items weigh less.
    points_on_time = models.DecimalField(_("按期完成得分"), max_digits=5, decimal_places=1, default=_dec("100"),
                                         validators=PERCENT)
    points_late = models.DecimalField(_("逾期完成得分"), max_digits=5, decimal_places=1, default=_dec("60"),
                                      validators=PERCENT)
    points_awaiting = models.DecimalField(_("待审核得分"), max_digits=5, decimal_places=1, default=_dec("80"),
                                          validators=PERCENT)
    points_overdue = models.DecimalField(_("逾期未完成得分"), max_digits=5, decimal_places=1, default=_dec("0"),
                                         validators=PERCENT)
    support_weight = models.DecimalField(
        _("配合事项权重"), max_digits=4, decimal_places=2, default=_dec("0"),
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text=_("牵头事项权重为1，只决定配合事项在牵头单位得分中占多少。默认0：牵头单位只看牵头事项；没有牵头事项到期的单位按配合事项计分和排名"),
    )
    outside_weight = models.DecimalField(
        _("会议批示事项权重"), max_digits=4, decimal_places=2, default=_dec("1"),
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text=_("会议议定和领导批示事项（方案外事项）在单位得分中的权重，方案事项为1。默认1：与方案事项同样计入；"
                    "0：只在晾晒的“会议批示事项”部分列出，不计入单位的项数、得分和排名"),
    )

    # Unit colours (红黄绿灯).
    green_min_score = models.DecimalField(_("绿灯最低得分"), max_digits=5, decimal_places=1, default=_dec("90"),
                                          validators=PERCENT)
    yellow_min_score = models.DecimalField(_("黄灯最低得分"), max_digits=5, decimal_places=1, default=_dec("75"),
                                           validators=PERCENT)
    red_min_overdue = models.PositiveSmallIntegerField(
        _("逾期项数亮红灯"), default=3, help_text=_("牵头逾期未完成事项达到此数即亮红灯；0表示不按项数判定")
    )

    # Indicator colours: progress against the time elapsed (序时进度).
    indicator_use_pace = models.BooleanField(
        _("指标按序时进度评价"), default=True, help_text=_("否则以全年目标（100%）为准")
    )
    indicator_yellow_margin = models.DecimalField(
        _("指标黄灯容差(百分点)"), max_digits=5, decimal_places=1, default=_dec("10"), validators=PERCENT,
        help_text=_("进度低于应达进度但差距在此之内为黄灯，超出为红灯"),
    )

    # Quarterly bulletin (季通报).
    praise_top_n = models.PositiveSmallIntegerField(_("表扬名额(前N名)"), default=3)
    praise_min_score = models.DecimalField(_("表扬最低得分"), max_digits=5, decimal_places=1, default=_dec("95"),
                                           validators=PERCENT)
    call_out_below_score = models.DecimalField(
        _("得分低于此值通报"), max_digits=5, decimal_places=1, default=_dec("70"), validators=PERCENT
    )
    call_out_min_overdue = models.PositiveSmallIntegerField(
        _("逾期项数达到此值通报"), default=3, help_text=_("0表示不按项数通报")
    )

    # Annual assessment (年考核).
    weight_on_time = models.DecimalField(_("按期完成率权重(分)"), max_digits=5, decimal_places=1,
                                         default=_dec("60"), validators=PERCENT)
    weight_indicators = models.DecimalField(_("指标完成度权重(分)"), max_digits=5, decimal_places=1,
                                            default=_dec("40"), validators=PERCENT)
    deduction_per_overdue = models.DecimalField(_("每项逾期扣分"), max_digits=5, decimal_places=1,
                                                default=_dec("2"), validators=PERCENT)
    deduction_cap = models.DecimalField(_("逾期扣分上限"), max_digits=5, decimal_places=1, default=_dec("20"),
                                        validators=PERCENT)

    # Who receives a published roundup, besides the listed recipients.
    send_to_coordinators = models.BooleanField(_("发送给专班协调员"), default=True)
    send_to_units = models.BooleanField(_("发送给责任单位联络员"), default=True)
    send_to_unit_leaders = models.BooleanField(_("发送给单位分管领导"), default=False)
    send_to_called_out_leaders = models.BooleanField(
        _("发送给被通报单位的分管领导"), default=True,
        help_text=_("季通报中被点名通报的单位，其分管领导也收到本期通报"),
    )

    # The 通报 as a 公文 (GB/T 9704) and the 督办单.
    doc_issuer = models.CharField(
        _("发文机关"), max_length=100, blank=True, help_text=_("发文机关标志和署名用；留空则取方案的印发单位")
    )
    doc_prefix = models.CharField(_("发文字号前缀"), max_length=30, blank=True,
                                  help_text=_("如“海住宜办”，文号为 海住宜办〔2026〕12号"))
    doc_addressees = models.TextField(_("主送机关"), blank=True,
                                      help_text=_("留空则按方案单位生成：各镇(街道)和有关部门"))
    doc_copy_to = models.CharField(_("抄送"), max_length=300, blank=True)
    notice_prefix = models.CharField(_("督办单编号前缀"), max_length=30, default="督办")
    notice_blue_days = models.PositiveSmallIntegerField(_("蓝色督办：剩余工作日不超过"), default=5)
    notice_blue_progress = models.PositiveSmallIntegerField(_("蓝色督办：进度低于(%)"), default=50,
                                                            validators=PERCENT)
    notice_yellow_gap = models.PositiveSmallIntegerField(
        _("黄色督办：落后序时进度超过(百分点)"), default=20, validators=PERCENT,
        help_text=_("序时进度从事项创建日或当年1月1日（取较晚者）起算"),
    )
    notice_yellow_returns = models.PositiveSmallIntegerField(_("黄色督办：被退回次数达到"), default=2)
    notice_reply_days = models.PositiveSmallIntegerField(_("督办单回复时限(工作日)"), default=5)
    notice_auto_draft = models.BooleanField(_("自动拟制督办单"), default=False,
                                            help_text=_("每个工作日按规则拟制督办单，签发仍需协调员确认"))

    # The public 晾晒 page (/public/<plan>/): off until the office switches it on; then its published
    # roundups only, with the sections the office chooses. Read when the page is served, not frozen.
    public_enabled = models.BooleanField(
        _("公开晾晒页面"), default=False,
        help_text=_("开启后，已发布的晾晒通报在 /public/<方案>/ 向公众公开（无需登录；不含人员姓名和联系方式）"),
    )
    public_town_ranking = models.BooleanField(_("公开地方（镇、街道）排名"), default=True)
    public_department_ranking = models.BooleanField(_("公开部门排名"), default=True)
    public_indicators = models.BooleanField(_("公开指标完成情况"), default=True)
    public_overdue = models.BooleanField(_("公开逾期未完成事项清单"), default=False)

    class Meta:
        verbose_name = _("晾晒通报设置")
        verbose_name_plural = _("晾晒通报设置")
        constraints = [
            models.CheckConstraint(
                condition=Q(yellow_min_score__lte=F("green_min_score")), name="roundup_settings_yellow_below_green"
            ),
        ]

    def __str__(self) -> str:
        return str(self.plan)

    def as_dict(self) -> dict:
        """The rules as plain numbers, stored in each snapshot so a roundup shows the rules it used."""
        out = {}
        for field in self._meta.concrete_fields:
            if field.name in ("id", "plan") or field.name.startswith("public_"):
                continue  # the public page's switches are read when it is served, not frozen
            value = getattr(self, field.attname)
            out[field.name] = float(value) if isinstance(value, Decimal) else value
        return out


class RoundupRecipient(models.Model):
    """Someone who receives every published roundup of a plan (a leader, an office)."""

    settings = models.ForeignKey(
        RoundupSettings, on_delete=models.CASCADE, related_name="recipients", verbose_name=_("晾晒通报设置")
    )
    name = models.CharField(_("姓名/单位"), max_length=100)
    email = models.EmailField(_("邮箱"))
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("晾晒通报收件人")
        verbose_name_plural = _("晾晒通报收件人")
        ordering = ["settings", "name"]
        constraints = [models.UniqueConstraint(fields=["settings", "email"], name="roundup_recipient_unique_email")]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"


class Roundup(models.Model):
    """A plan's roundup for one period. Its numbers are a snapshot; once published they never change."""

    class Kind(models.TextChoices):
        MONTH = "month", _("月晾晒")
        QUARTER = "quarter", _("季通报")
        YEAR = "year", _("年考核")

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已发布")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="roundups", verbose_name=_("方案"))
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    period_start = models.DateField(_("起始日"))
    period_end = models.DateField(_("截止日"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    data = models.JSONField(_("数据快照"), default=dict, editable=False)
    # The overdue list as the public 晾晒 prints it, its texts masked of every person the database knew when it
    # was published (``selectors.public.public_overdue_rows``); None for a draft.
    public_overdue = models.JSONField(_("公开的逾期事项"), null=True, blank=True, editable=False)
    generated_at = models.DateTimeField(_("生成时间"))
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("生成人"),
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("发布人"),
    )

    class Meta:
        verbose_name = _("晾晒通报")
        verbose_name_plural = _("晾晒通报")
        ordering = ["plan", "-period_end", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "kind", "period_start"], name="roundup_unique_plan_period"),
            models.CheckConstraint(condition=Q(period_start__lte=F("period_end")), name="roundup_period_ordered"),
            models.CheckConstraint(
                condition=Q(status="draft", published_at__isnull=True)
                | Q(status="published", published_at__isnull=False),
                name="roundup_published_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan} · {self.period.label}{self.get_kind_display()}"

    def get_absolute_url(self) -> str:
        return pk_url("tasks:roundup_detail", self.pk)

    @property
    def period(self) -> Period:
        return Period.of(self.kind, self.period_start)

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class RoundupDelivery(models.Model):
    """Who a published roundup is due to, once (fixed at publishing). Delivery itself is the outbox's: the
    messages sent for this row share its ``group`` (``Message.group``), one per channel."""

    roundup = models.ForeignKey(Roundup, on_delete=models.CASCADE, related_name="deliveries")
    email = models.EmailField(_("邮箱"))
    name = models.CharField(_("收件人"), max_length=100, blank=True)
    unit = models.ForeignKey(Unit, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                             verbose_name=_("单位"))
    group = models.UUIDField(_("消息组"), null=True, blank=True, unique=True,
                             help_text=_("已交发件箱时的消息组编号；为空表示尚未排队"))

    class Meta:
        verbose_name = _("发送对象")
        verbose_name_plural = _("发送对象")
        ordering = ["roundup", "email"]
        constraints = [
            models.UniqueConstraint(fields=["roundup", "email"], name="roundup_delivery_unique_email"),
        ]

    def __str__(self) -> str:
        return self.email
