"""Admin lists of the documents an office filed: every 通报 and 督办单 with its number, downloadable as sent.
Nothing is edited here: the text is edited on the 通报 page and numbers are taken by the services."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from tasks.models import Bulletin, NoticeEvent, SupervisionNotice

from .notifications import NoticeMessageInline
from .scoping import ReadOnlyRecordAdmin, plan_filter


class ReadOnlyAdmin(ReadOnlyRecordAdmin):
    """Filed documents: not even deleted here (their numbers are taken for good)."""

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Bulletin)
class BulletinAdmin(ReadOnlyAdmin):
    list_display = ["doc_number", "title", "plan", "status", "corrects", "published_at", "files"]
    list_filter = [plan_filter("plan"), "status", "year"]
    search_fields = ["doc_number", "title"]
    list_select_related = ["plan", "corrects"]
    fields = ["doc_number", "plan", "roundup", "status", "title", "addressees", "body", "signer", "copy_to",
              "corrects", "signed_on", "published_at", "published_by", "files"]
    readonly_fields = fields

    @admin.display(description=_("文件"))
    def files(self, obj):
        return format_html('<a href="{}">Word</a> · <a href="{}">PDF</a> · <a href="{}">{}</a>',
                           reverse("tasks:bulletin_docx", args=[obj.pk]), reverse("tasks:bulletin_pdf", args=[obj.pk]),
                           reverse("tasks:bulletin_edit", args=[obj.roundup_id]), _("编辑/印发"))


class NoticeEventInline(admin.TabularInline):
    model = NoticeEvent
    extra = 0
    can_delete = False
    fields = ["at", "actor", "from_status", "to_status", "note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(SupervisionNotice)
class SupervisionNoticeAdmin(ReadOnlyAdmin):
    list_display = ["doc_number", "unit", "colour", "status", "issued_at", "reply_due", "answered_at", "files"]
    list_filter = [plan_filter("plan"), "colour", "status", "year"]
    search_fields = ["doc_number", "unit__name"]
    list_select_related = ["plan", "unit"]
    fields = ["doc_number", "plan", "unit", "colour", "status", "proposed", "requirement", "reply_days",
              "reply_due", "escalated_from", "issued_at", "issued_by", "answered_at", "reply", "urgent", "files"]
    readonly_fields = fields
    inlines = [NoticeEventInline, NoticeMessageInline]

    @admin.display(description=_("文件"))
    def files(self, obj):
        return format_html('<a href="{}">PDF</a> · <a href="{}">Word</a> · <a href="{}">{}</a>',
                           reverse("tasks:notice_pdf", args=[obj.pk]), reverse("tasks:notice_docx", args=[obj.pk]),
                           reverse("tasks:notice_detail", args=[obj.pk]), _("详情"))
