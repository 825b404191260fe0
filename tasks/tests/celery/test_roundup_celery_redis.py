"""Publishing through a real Redis broker and a real (in-process) Celery worker."""

import os
import time
from datetime import date
from urllib.parse import urlparse

import pytest
from celery import Celery
from celery.contrib.testing.worker import start_worker
from django.core import mail

from conftest import require_service
from tasks.models import Message, RoundupDelivery
from tasks.roundups.periods import Period
from tasks.services import roundups as service
from tasks.services.roundups import roundup_generate, roundup_publish
from tasks.tests.roundup_golden import build_golden

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.services]


@pytest.fixture
def redis_app():
    url = os.environ.get("REDIS_URL", "")
    if not url:
        pytest.skip("REDIS_URL is not set: this runs in the PostgreSQL + Redis pass (.ci/run)")
    parsed = urlparse(url)
    require_service("Redis", parsed.hostname or "127.0.0.1", parsed.port or 6379)
    app = Celery("roundup-test", broker=url, set_as_current=False)
    app.conf.update(task_ignore_result=True, task_default_queue=f"roundup-test-{os.getpid()}",
                    broker_connection_retry_on_startup=True)
    app.set_current()
    app.set_default()
    app.loader.import_module("tasks.tasks")
    app.finalize(auto=True)
    assert {"tasks.tasks.roundup_deliver", "tasks.tasks.outbox_send"} <= set(app.tasks)
    try:
        yield app
    finally:
        from housing.celery import app as project_app

        project_app.set_current()
        project_app.set_default()


def test_publish_goes_through_redis_to_a_worker_that_sends_the_mail(redis_app, monkeypatch):
    monkeypatch.setattr(service, "html_to_pdf", lambda html: b"%PDF-1.4 stand-in")
    golden = build_golden()
    roundup, _ = roundup_generate(plan=golden.plan, period=Period.month(2023, 6), today=date(2023, 7, 1))
    with start_worker(redis_app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        roundup_publish(roundup=roundup)  # commits, then enqueues on the broker
        # The worker queues the roundup in the outbox, whose own task (on the same broker) sends the mail.
        sent = Message.objects.filter(roundup=roundup, channel="email", state=Message.State.SENT)
        for _ in range(300):
            if sent.count() == 5:
                break
            time.sleep(0.1)
    assert RoundupDelivery.objects.filter(roundup=roundup, group__isnull=False).count() == sent.count() == 5
    assert len(mail.outbox) == 5
