"""The Celery app. Tasks live in ``tasks/tasks.py``; the beat schedule is in code, here."""

import gc
import os

from celery import Celery
from celery.schedules import crontab
from celery.signals import worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "housing.settings")

app = Celery("housing")


@worker_process_init.connect
def freeze_startup_objects(**_kwargs) -> None:
    """Move every object a worker process holds at its start (Django, the apps, the templates: hundreds of
    thousands) out of the cyclic garbage collector's reach: a full collection walked all of them again and
    again while a reminder day's digests were composed (a tenth of a digest task's CPU). Objects made
    afterwards are collected as before."""
    gc.collect()
    gc.freeze()

app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# One beat process runs this schedule; entries are added next to the tasks they run.
app.conf.beat_schedule = {}

# Reminders: a tick every 15 minutes. The service decides: on a working day, each plan is scanned
# once, at the first tick after its send time (08:30 by default, set per plan in the admin); a
# missed tick or day is caught up by the next one (scans select by window). Every tick also
# re-queues digests whose next attempt is due, so a task lost with a dead worker is made up.
# Ticks expire before the next one, so a worker back from a long outage does not run a backlog of them.
app.conf.beat_schedule["reminders-tick"] = {
    "task": "tasks.tasks.reminders_beat",
    "schedule": crontab(minute="*/15"),
    "options": {"expires": 14 * 60},
}

# The outbox (tasks/notifications/): every minute, messages whose next attempt is due are sent (a held
# robot's, a retried SMTP failure's), sends lost with a dead worker are marked uncertain, and DingTalk's
# send results are read back.
app.conf.beat_schedule["outbox-tick"] = {
    "task": "tasks.tasks.outbox_beat",
    "schedule": crontab(),
    "options": {"expires": 50},
}

# Roundups: draft last month's 月晾晒 on the 1st (季通报 and 年考核 after their periods end). Drafting is
# idempotent, so the runs on the 2nd and 3rd only make up a day the beat or worker was down.
app.conf.beat_schedule.update(
    {
        "roundup-draft-month": {
            "task": "tasks.tasks.roundup_draft_last_period",
            "schedule": crontab(minute=30, hour=6, day_of_month="1-3"),
            "args": ("month",),
        },
        "roundup-draft-quarter": {
            "task": "tasks.tasks.roundup_draft_last_period",
            "schedule": crontab(minute=35, hour=6, day_of_month="1-3", month_of_year="1,4,7,10"),
            "args": ("quarter",),
        },
        "roundup-draft-year": {
            "task": "tasks.tasks.roundup_draft_last_period",
            "schedule": crontab(minute=40, hour=6, day_of_month="1-3", month_of_year="1"),
            "args": ("year",),
        },
    }
)

# 督办单: each morning, escalate those unanswered past their reply date (each once: the service locks and
# re-checks) and draft proposals for plans that turned them on. A missed day is made up the next one.
app.conf.beat_schedule["notices-daily"] = {
    "task": "tasks.tasks.notices_daily",
    "schedule": crontab(minute=45, hour=7),
    "options": {"expires": 6 * 3600},
}

# Documents not yet in the outbox (a lost Celery task, records from before the outbox) are queued each hour:
# published roundups with recipients not queued, issued 督办单 with no message. Made up by data, not the broker.
app.conf.beat_schedule["documents-catch-up"] = {
    "task": "tasks.tasks.documents_catch_up",
    "schedule": crontab(minute=5),
    "options": {"expires": 3000},
}

# Staged plan uploads abandoned mid-import (a closed tab) are deleted once a day.
app.conf.beat_schedule["staged-imports-clean-up"] = {
    "task": "tasks.tasks.staged_imports_clean_up",
    "schedule": crontab(minute=15, hour=3),
    "options": {"expires": 6 * 3600},
}

# Expired sessions and login logs past ACCESS_LOG_RETENTION_DAYS are deleted once a day (in batches).
app.conf.beat_schedule["housekeeping-daily"] = {
    "task": "tasks.tasks.housekeeping_daily",
    "schedule": crontab(minute=25, hour=3),
    "options": {"expires": 6 * 3600},
}
