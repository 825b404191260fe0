from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TasksConfig(AppConfig):
    name = "tasks"
    verbose_name = _("任务责任")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from housing.db import connect_signals
        from tasks.selectors.compiled import register_lookups

        connect_signals()
        register_lookups()
