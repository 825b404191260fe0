"""What the hardening sweeps share: their world built once per module and copied for each test, and what
"nothing written" compares (every row of every table, as the database holds it: one plain ``SELECT`` per
table, not through the ORM; a sweep takes hundreds of these, and the ORM's query building and value
conversion made them close to half of its time).
"""

from __future__ import annotations

import copy
from contextlib import contextmanager

import pytest
from django.apps import apps
from django.db import connection

from conftest import shared_by_module


def stand_in_pdf(monkeypatch) -> None:
    """LibreOffice (a .docx to PDF) and Chromium (the roundup's HTML to PDF) are exercised by the documents
    and roundup-formats suites; a stand-in keeps a sweep's PDFs (a 督办单 issued, a 通报 published, every PDF
    route: a roundup's PDF was a third of the GET sweep's time) fast. What the view does around it (the
    scope, the report, the HTML) still runs."""
    from tasks.roundups import pdf as roundup_pdf
    from tasks.services import documents as document_service
    from tasks.services import notices as notice_service
    from tasks.services import roundups as roundup_service

    for module in (document_service, notice_service):
        monkeypatch.setattr(module, "docx_to_pdf", lambda data: b"%PDF-1.4 stand-in")
    for module in (roundup_pdf, roundup_service):
        monkeypatch.setattr(module, "html_to_pdf", lambda html, **_options: b"%PDF-1.4 stand-in")


@contextmanager
def built_once(django_db_blocker, media):
    """For a module-scoped fixture building a sweep's world once for the module's tests: in a transaction
    rolled back after the module, each test in a savepoint of its own (``shared_by_module``), its files in
    ``media``, PDFs stood in for."""
    with shared_by_module(django_db_blocker, media), pytest.MonkeyPatch.context() as monkeypatch:
        stand_in_pdf(monkeypatch)
        yield


def copy_for_test(built, media, monkeypatch, settings):
    """A copy of a module's world (``built_once``) for one test: what a test changes on its objects stays in
    its copy (its rows are undone by its savepoint)."""
    stand_in_pdf(monkeypatch)
    settings.MEDIA_ROOT = media
    return copy.deepcopy(built)


def table_rows(unwatched: set[str] = frozenset()) -> dict[str, list]:
    """Every row (every column) of every model's table by the model's label, but those in ``unwatched``
    (labels such as ``"sessions.Session"``: tables a request writes whoever sends it)."""
    quote = connection.ops.quote_name
    found = {}
    with connection.cursor() as cursor:
        for model in apps.get_models():
            if model._meta.label in unwatched:
                continue
            cursor.execute(f"SELECT * FROM {quote(model._meta.db_table)} ORDER BY {quote(model._meta.pk.column)}")
            found[model._meta.label] = cursor.fetchall()
    return found


def row_counts(models) -> tuple[int, ...]:
    """The number of rows of each of ``models``' tables, in one statement (the route sweep reads them around
    thousands of requests: ten ORM ``count()`` calls were 2.4 ms a time, a tenth of a cheap request)."""
    quote = connection.ops.quote_name
    counts = ", ".join(f"(SELECT COUNT(*) FROM {quote(model._meta.db_table)})" for model in models)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {counts}")
        return tuple(cursor.fetchone())


def tables_changed(before: dict[str, list], unwatched: set[str] = frozenset()) -> list[str]:
    """The labels of the tables whose rows differ from ``before`` (a ``table_rows`` with the same
    ``unwatched``): a row added, removed or changed shows."""
    after = table_rows(unwatched)
    return sorted(label for label, rows in after.items() if rows != before.get(label))


def session_again(client, data: dict) -> None:
    """Give ``client`` a new session holding ``data`` (what a ``force_login`` wrote in the session it made):
    the same state as logging the user in again (a new session, nothing of the requests since), without the
    login's signals (the last-login time, django-axes' login record: two writes and a third of a sweep's
    request time when it logs in before every route; cProfile of ``test_outsiders``)."""
    import time
    from importlib import import_module

    from django.conf import settings

    from housing.middleware import SESSION_TOUCHED

    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session.update({**data, SESSION_TOUCHED: int(time.time())})  # as a login starts it (session_touched_at_login)
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
