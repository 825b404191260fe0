"""The outbox: one row per message to one recipient on one channel, and the group robots messages go to.

A message is queued by whoever has something to say (reminders, 督办单, roundups, the 签收 chase, exports,
invitations) and delivered by the outbox's task for its channel (``tasks/notifications/``). The row is the
unit of idempotency (``key`` is unique: queuing twice is a no-op) and of audit (each step has its time).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .plan import Plan, Unit


class Channel(models.TextChoices):
    EMAIL = "email", _("邮件")
    DINGTALK = "dingtalk", _("钉钉工作通知")
    ZZD = "zzd", _("浙政钉工作通知")
    DINGTALK_ROBOT = "dingtalk_robot", _("钉钉群机器人")
    WECOM_ROBOT = "wecom_robot", _("企业微信群机器人")
    SMS = "sms", _("短信")


class GroupRobot(models.Model):
    """A DingTalk or WeCom group robot of a unit's or a plan's group (its webhook and signing secret)."""

    class Kind(models.TextChoices):
        DINGTALK = "dingtalk", _("钉钉")
        WECOM = "wecom", _("企业微信")

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    webhook = models.URLField(_("Webhook 地址"), max_length=500, help_text=_("含 access_token 或 key 的完整地址"))
    secret = models.CharField(
        _("加签密钥"), max_length=200, blank=True, help_text=_("钉钉机器人“加签”的密钥(SEC 开头)")
    )
    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, null=True, blank=True, related_name="robots", verbose_name=_("方案")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, null=True, blank=True, related_name="robots", verbose_name=_("单位")
    )
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("群机器人")
        verbose_name_plural = _("群机器人")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        if self.webhook and not robot_host_allowed(self.webhook, https=True):
            raise ValidationError({"webhook": _("Webhook 地址须为 https，主机为 %(hosts)s 之一。")
                                   % {"hosts": "、".join(settings.NOTIFY_ROBOT_HOSTS)}})


def robot_host_allowed(url: str, *, https: bool = False) -> bool:
    """Whether ``url`` names one of ``NOTIFY_ROBOT_HOSTS`` (and, with ``https``, by https), exactly: no user
    part, no other port."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return False
    return (parts.hostname in settings.NOTIFY_ROBOT_HOSTS and not parts.username and not parts.password
            and (not https or (parts.scheme == "https" and port in (None, 443))))


class Message(models.Model):
    """One message to one recipient (a person's address, or a group robot) on one channel, for one purpose."""

    class Purpose(models.TextChoices):
        REMINDER_DIGEST = "reminder_digest", _("提醒汇总")
        SIGN_CHASE = "sign_chase", _("签收催办")
        NOTICE = "notice", _("督办单")
        ROUNDUP = "roundup", _("晾晒通报")
        EXPORT_READY = "export_ready", _("导出完成")
        INVITE = "invite", _("账号邀请")
        RATING_REQUEST = "rating_request", _("待评价提醒")
        TEST = "test", _("测试消息")

    class State(models.TextChoices):
        QUEUED = "queued", _("待发送")
        SENDING = "sending", _("发送中")
        SENT = "sent", _("已发送")
        DELIVERED = "delivered", _("已送达")
        FAILED = "failed", _("发送失败")
        GAVE_UP = "gave_up", _("多次失败已放弃")
        UNCERTAIN = "uncertain", _("结果不明")
        SKIPPED = "skipped", _("无需发送")  # a fallback whose earlier channel reached the person

    key = models.CharField(_("幂等键"), max_length=200, unique=True)
    purpose = models.CharField(_("用途"), max_length=20, choices=Purpose.choices)
    channel = models.CharField(_("渠道"), max_length=20, choices=Channel.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("收件人"),
    )
    address = models.CharField(_("地址"), max_length=254, help_text=_("邮箱、钉钉/浙政钉用户 ID 或手机号"))
    robot = models.ForeignKey(
        GroupRobot, on_delete=models.SET_NULL, null=True, blank=True, related_name="messages",
        verbose_name=_("群机器人"),
    )
    plans = models.ManyToManyField(Plan, blank=True, related_name="+", verbose_name=_("方案"))
    group = models.UUIDField(_("消息组"), null=True, blank=True, db_index=True,
                             help_text=_("同一内容经不同渠道发出的消息编号相同"))
    # What the message is about, when it is a document's (the 督办单, the roundup): their pages list it.
    notice = models.ForeignKey("tasks.SupervisionNotice", on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="messages", verbose_name=_("督办单"))
    roundup = models.ForeignKey("tasks.Roundup", on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="messages", verbose_name=_("晾晒通报"))
    urgent = models.BooleanField(_("急件"), default=False, help_text=_("不受免打扰时段限制，立即发送"))
    fallback_for = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="fallbacks",
        verbose_name=_("补发自"), help_text=_("前一渠道在规定时间内未送达时才发送；已送达则不再发送"),
    )
    subject = models.CharField(_("标题"), max_length=300)
    body = models.TextField(_("正文"))
    html = models.TextField(_("HTML 正文"), blank=True)
    payload = models.JSONField(_("渠道参数"), default=dict, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True, help_text=_("为何经此渠道发送"))
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    provider_id = models.CharField(_("服务商消息编号"), max_length=100, blank=True)
    last_error = models.TextField(_("最近错误"), blank=True)
    queued_at = models.DateTimeField(_("排队时间"))
    next_attempt_at = models.DateTimeField(_("下次尝试"), null=True, blank=True)
    sending_at = models.DateTimeField(_("开始发送"), null=True, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("失败/放弃/存疑时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("消息")
        verbose_name_plural = _("消息")
        ordering = ["-queued_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(state__in=["sent", "delivered"]) | Q(sent_at__isnull=False), name="message_sent_has_time"
            ),
        ]
        indexes = [
            # The delivery task's claim: a channel's due queued messages; partial, as small as the queue.
            models.Index(fields=["channel", "next_attempt_at"], condition=Q(state="queued"), name="message_queue_idx"),
            # The sweep: messages left 'sending' (a worker died) and 'sent' ones awaiting the provider's result.
            models.Index(fields=["channel", "sending_at"], condition=Q(state="sending"), name="message_sending_idx"),
            models.Index(fields=["channel", "sent_at"], condition=Q(state="sent"), name="message_sent_idx"),
        ]

    def __str__(self) -> str:
        from tasks.stored_text import shown  # the app's own text, in the reader's language

        return f"{self.get_channel_display()} → {self.address}: {shown(self.subject)}"
