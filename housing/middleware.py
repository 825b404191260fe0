"""A statement PostgreSQL cancelled at ``statement_timeout`` (settings: DATABASE_STATEMENT_TIMEOUT_MS) is a
503 page that says the query took too long and how to narrow it, not a server error."""

from __future__ import annotations

import logging

from django.db import OperationalError
from django.shortcuts import render

logger = logging.getLogger(__name__)

QUERY_CANCELED = "57014"  # PostgreSQL's SQLSTATE for a statement cancelled (statement_timeout, cancel request)


def is_statement_timeout(exc: BaseException) -> bool:
    return isinstance(exc, OperationalError) and getattr(exc.__cause__, "sqlstate", None) == QUERY_CANCELED


class QueryTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_statement_timeout(exception):
            return None
        logger.warning("statement timeout: %s %s", request.method, request.get_full_path()[:500])
        return render(request, "query_timeout.html", status=503)
