"""Third-party apps' account admins (DRF's tokens, django-axes' login records) at a province's size.

A province has 20,000 users, and every login is an axes access log row (millions a year). Their stock admins
select among every user and read every row's distinct dates and paths for their date hierarchy and path
filter, count every filter choice on request (facets) and sort by any column; these keep the stock pages
without those (``scoping.IndexedSearch``).
"""

from __future__ import annotations

from axes.admin import AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessFailureLog, AccessLog
from django.apps import apps
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from rest_framework.authtoken.admin import TokenAdmin
from rest_framework.authtoken.models import TokenProxy

from .scoping import IndexedSearch

# django-axes calls its app "Axes" (its label, not translatable): the admin index names what it holds.
apps.get_app_config("axes").verbose_name = _("登录记录")

for _model in (TokenProxy, AccessLog, AccessFailureLog):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


@admin.register(TokenProxy)
class HousingTokenAdmin(TokenAdmin):
    autocomplete_fields = ["user"]


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
