"""A statement cancelled at PostgreSQL's statement_timeout is a 503 page that says so, never a 500."""

from __future__ import annotations

import pytest
from django.db import OperationalError, connection
from django.http import HttpResponse
from django.test import RequestFactory

from housing.db import migrate_without_statement_timeout
from housing.middleware import QueryTimeoutMiddleware, is_statement_timeout

pytestmark = pytest.mark.django_db


def _postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only (its pass of the suite runs it)")


def _cancelled() -> OperationalError:
    with pytest.raises(OperationalError) as caught, connection.cursor() as cursor:
        cursor.execute("SET LOCAL statement_timeout = 50")
        cursor.execute("SELECT pg_sleep(2)")
    return caught.value


def test_a_cancelled_statement_is_a_503_page_that_says_so(client, django_user_model):
    _postgresql()
    from django.db import transaction

    with transaction.atomic():
        exc = _cancelled()
        transaction.set_rollback(True)
    assert is_statement_timeout(exc)
    request = RequestFactory().get("/overdue/?q=x")
    request.user = django_user_model.objects.create_user("u")
    request.LANGUAGE_CODE = "zh-hans"
    middleware = QueryTimeoutMiddleware(lambda r: HttpResponse())
    response = middleware.process_exception(request, exc)
    assert response.status_code == 503 and "查询超时" in response.content.decode()
    assert middleware.process_exception(request, OperationalError("connection refused")) is None
    assert middleware.process_exception(request, ValueError()) is None


def test_the_setting_reaches_the_connection_and_migrate_lifts_it():
    _postgresql()
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        configured = cursor.fetchone()[0]
        migrate_without_statement_timeout(sender=None, using=connection.alias)
        cursor.execute("SHOW statement_timeout")
        lifted = cursor.fetchone()[0]
        cursor.execute("RESET statement_timeout")  # back to the connection's own options
        cursor.execute("SHOW statement_timeout")
        reset = cursor.fetchone()[0]
    assert lifted == "0" and reset == "30s"
    assert configured in ("30s", "0")  # "0" when this connection ran the test database's migrate
