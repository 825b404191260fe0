"""The Celery app. Tasks live in ``tasks/tasks.py``; the beat schedule is in code, here."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "housing.settings")

app = Celery("housing")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# One beat process runs this schedule; entries are added next to the tasks they run.
app.conf.beat_schedule = {}


