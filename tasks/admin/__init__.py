"""Admin registrations, one module per subject."""

from django.contrib.admin.options import FORMFIELD_FOR_DBFIELD_DEFAULTS
from django.db import models

from tasks.forms import TextField

# Every text a coordinator types in the admin goes through the one text cleaner (tasks.inputs.clean_text),
# like the daily pages' forms. Set before our ModelAdmins are built (they copy these defaults); slug fields
# keep their own form field.
for _field in (models.CharField, models.TextField):
    FORMFIELD_FOR_DBFIELD_DEFAULTS[_field] = {**FORMFIELD_FOR_DBFIELD_DEFAULTS[_field], "form_class": TextField}
FORMFIELD_FOR_DBFIELD_DEFAULTS.setdefault(models.SlugField, {})

from . import accounts, documents, notifications, plan, reminders, roundups  # noqa: E402, F401
