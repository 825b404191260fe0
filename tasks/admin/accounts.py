"""Third-party apps' account admins (API tokens, django-axes' login records) at a province's size.

A province has 20,000 users, and every login is an axes access log row (millions a year). Their stock admins
select among every user and read every row's distinct dates and paths for their date hierarchy and path
filter, count every filter choice on request (facets) and sort by any column; these keep the stock pages
without those (``scoping.IndexedSearch``).

API tokens (tasks.models.ApiToken, django-rest-knox): a superuser makes one for a user (the key is shown on
the page that answers the form, once, and is stored nowhere); a superuser revokes any, a coordinator those of
the users of their plans' regions (``services.api_tokens.revocable_tokens``). Nobody edits one.
"""

from __future__ import annotations

from axes.admin import AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessFailureLog, AccessLog
from django.apps import apps
from django.contrib import admin
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from knox.models import AuthToken

from tasks.models import ApiToken
from tasks.services.api_tokens import create_token, revocable_tokens

from .scoping import IndexedSearch

# django-axes calls its app "Axes" (its label, not translatable): the admin index names what it holds.
apps.get_app_config("axes").verbose_name = _("登录记录")

for _model in (AuthToken, ApiToken, AccessLog, AccessFailureLog):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


@admin.register(ApiToken)
class ApiTokenAdmin(IndexedSearch, admin.ModelAdmin):
    list_display = ["token_key", "user", "name", "created", "expiry", "last_used"]
    list_select_related = ["user"]
    list_filter = ["created", "expiry", "last_used"]
    search_fields = ["token_key", "name", "user__username"]
    sortable_by = ["created", "expiry", "last_used"]
    autocomplete_fields = ["user"]
    readonly_fields = ["token_key", "created", "expiry", "last_used"]

    def get_fields(self, request, obj=None):
        return ["user", "name"] if obj is None else ["user", "name", "token_key", "created", "expiry", "last_used"]

    def get_queryset(self, request):
        return revocable_tokens(request.user) & super().get_queryset(request)

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self._in_scope(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._in_scope(request, obj)

    def _in_scope(self, request, obj) -> bool:
        return obj is None or revocable_tokens(request.user).filter(pk=obj.pk).exists()

    def save_model(self, request, obj, form, change):
        new = create_token(form.cleaned_data["user"], name=form.cleaned_data.get("name") or "")
        obj.__dict__.update({f.attname: getattr(new.token, f.attname) for f in ApiToken._meta.concrete_fields})
        obj._state.adding = False
        request._housing_new_token = new.key

    def response_add(self, request, obj, post_url_continue=None):
        # The key on this page only: never in a message (a cookie) or a redirect.
        context = {**self.admin_site.each_context(request), "opts": self.opts, "token": obj,
                   "key": request._housing_new_token, "title": _("API 令牌已生成")}
        return TemplateResponse(request, "admin/tasks/apitoken/created.html", context)


@admin.register(AccessLog)
class HousingAccessLogAdmin(IndexedSearch, AccessLogAdmin):
    date_hierarchy = None
    list_filter = ["attempt_time", "logout_time"]
    sortable_by = ["attempt_time", "ip_address", "username"]  # not every row's user agent or path


@admin.register(AccessFailureLog)
class HousingAccessFailureLogAdmin(IndexedSearch, AccessFailureLogAdmin):
    date_hierarchy = None
    list_filter = ["attempt_time", "locked_out"]
    sortable_by = ["attempt_time", "ip_address", "username"]
