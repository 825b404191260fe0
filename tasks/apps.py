from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TasksConfig(AppConfig):
    name = "tasks"
    verbose_name = _("任务责任")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.core import checks

        from housing.db import connect_signals
        from housing.middleware import connect_session_signals
        from tasks.checks import check_access_log_retention
        from tasks.selectors.compiled import register_lookups
        from tasks.services.api_tokens import connect_token_signals

        checks.register(check_access_log_retention)

        connect_signals()
        connect_session_signals()
        register_lookups()
        connect_token_signals()
