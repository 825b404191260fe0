"""Admin for the outbox: every message with its state and each step's time (read only; failed, given-up
and uncertain ones may be sent again by a coordinator), and the group robots."""

from __future__ import annotations

import json

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from tasks.forms import ModelForm
from tasks.models import GroupRobot, Message
from tasks.notifications.links import without_tokens
from tasks.notifications.services import messages_for_plans, messages_requeue
from tasks.stored_text import shown

from .scoping import PlanScopedAdmin, ReadOnlyRecordAdmin, plan_filter


class MessagePlanFilter(plan_filter("plans")):
    """By plan: the messages about it (a many-to-many, so a subquery rather than ``plans_id``)."""

    def rows_of(self, queryset, chosen: int):
        return queryset.filter(messages_for_plans([chosen]))


@admin.register(Message)
class MessageAdmin(ReadOnlyRecordAdmin):
    list_display = ["queued_at", "purpose", "channel", "address", "recipient", "state_badge", "attempts", "sent_at",
                    "delivered_at", "error_short"]
    list_filter = ["state", "channel", "purpose", "urgent", MessagePlanFilter]
    search_fields = ["=address", "subject", "provider_id"]
    list_select_related = ["recipient"]
    sortable_by = ["queued_at"]
    actions = ["requeue"]
    list_per_page = 100

    class Media:
        css = {"all": ["tasks/admin.css"]}
    # The body and the channels' parameters are shown without invitation tokens (``without_tokens``).
    # The subject and the note, written by the app in the site's language, in the reader's (``stored_text``).
    readonly_fields = [{"body": "body_shown", "payload": "payload_shown", "subject": "subject_shown",
                        "note": "note_shown"}.get(f.name, f.name) for f in Message._meta.fields]
    exclude = ["plans", "body", "payload", "subject", "note"]

    @admin.display(description=_("标题"))
    def subject_shown(self, obj):
        return shown(obj.subject)

    @admin.display(description=_("说明"))
    def note_shown(self, obj):
        return shown(obj.note)

    @admin.display(description=_("正文"))
    def body_shown(self, obj):
        return without_tokens(obj.body)

    @admin.display(description=_("渠道参数"))
    def payload_shown(self, obj):
        return without_tokens(json.dumps(obj.payload, ensure_ascii=False, indent=1))

    def has_delete_permission(self, request, obj=None):
        return False  # the record of what went out

    @admin.display(description=_("状态"), ordering="state")
    def state_badge(self, obj):
        # Coloured by tasks/admin.css (no style attribute: the CSP allows no inline style).
        return format_html('<b class="message-state message-state-{}">{}</b>', obj.state, obj.get_state_display())

    @admin.display(description=_("最近错误"))
    def error_short(self, obj):
        return shown(obj.last_error or obj.note)[:80]

    @admin.action(description=_("重发所选的失败、放弃或结果不明的消息"))
    def requeue(self, request, queryset):
        try:
            n = messages_requeue(message_ids=list(queryset.values_list("pk", flat=True)), actor=request.user)
        except PermissionDenied as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return
        if n:
            self.message_user(request, _("已重新排队 %(n)s 条消息，稍后发送。") % {"n": n}, messages.SUCCESS)
        else:
            self.message_user(request, _("所选消息中没有失败、放弃或结果不明的。"), messages.WARNING)


class MessageInline(admin.TabularInline):
    """The messages about a document (a 督办单, a roundup): to whom, on which channel, when, and their fate."""

    model = Message
    extra = 0
    can_delete = False
    fields = ["address", "channel", "state_badge", "urgent", "attempts", "queued_at", "sent_at", "delivered_at",
              "finished_at", "error_short"]
    readonly_fields = fields
    ordering = ["address", "channel", "pk"]
    verbose_name_plural = _("发送记录(发件箱)")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    state_badge = MessageAdmin.state_badge
    error_short = MessageAdmin.error_short


class NoticeMessageInline(MessageInline):
    fk_name = "notice"


class RoundupMessageInline(MessageInline):
    fk_name = "roundup"


class GroupRobotForm(ModelForm):
    webhook = forms.URLField(label=_("Webhook 地址"), max_length=500, assume_scheme="https",
                             help_text=_("含 access_token 或 key 的完整地址"))

    class Meta:
        model = GroupRobot
        fields = ["name", "kind", "webhook", "secret", "plan", "unit", "active"]
        widgets = {"secret": forms.PasswordInput(render_value=True)}


@admin.register(GroupRobot)
class GroupRobotAdmin(PlanScopedAdmin):
    form = GroupRobotForm
    list_display = ["name", "kind", "plan", "unit", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["name"]
    list_select_related = ["plan", "unit"]
    autocomplete_fields = ["unit"]
