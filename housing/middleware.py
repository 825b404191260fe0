"""The project's middleware: a statement PostgreSQL cancelled at ``statement_timeout`` (settings:
DATABASE_STATEMENT_TIMEOUT_MS) is a 503 page that says the query took too long and how to narrow it, not a
server error (``QueryTimeoutMiddleware``); a logged-in user's responses are never cached, and every response
carries the Permissions-Policy (``PrivateResponseMiddleware``); a logged-in session's end is moved on by its
requests, a write at most every few minutes (``SessionIdleMiddleware``); a query string past
MAX_QUERY_STRING_BYTES is refused with 414 before any view reads it (``QueryStringLimitMiddleware``)."""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.db import OperationalError
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control

logger = logging.getLogger(__name__)

QUERY_CANCELED = "57014"  # PostgreSQL's SQLSTATE for a statement cancelled (statement_timeout, cancel request)


def is_statement_timeout(exc: BaseException) -> bool:
    return isinstance(exc, OperationalError) and getattr(exc.__cause__, "sqlstate", None) == QUERY_CANCELED


class QueryStringLimitMiddleware:
    """A request whose query string is longer than ``settings.MAX_QUERY_STRING_BYTES`` gets 414, as gunicorn
    (a 4,094-byte request line) and nginx (8 KiB) answer in production, so that the app behaves the same
    behind any server. Without it an 80,000-character filter value came back in every sort and page link
    of a list: a 5 to 8 MB page for one request. A real page's query string is a few hundred bytes."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.MAX_QUERY_STRING_BYTES
        if len(request.META.get("QUERY_STRING", "")) > limit:
            logger.info("query string over %s bytes refused: %s %s", limit, request.method, request.path[:200])
            return HttpResponse(f"414 请求地址过长（查询参数超过 {limit} 字节）。\n"
                                f"414 Request-URI too long (the query string is over {limit} bytes).\n",
                                status=414, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


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


class PrivateResponseMiddleware:
    """Browser and proxy caches keep nothing of a logged-in user's responses (``Cache-Control: no-store``:
    a shared computer's back button or disk cache would show the pages of whoever used it before), and
    every response says which browser features the pages may use (``Permissions-Policy``: the camera, for
    the phone's evidence photo, on this origin only; the rest off).

    After the view: the API authenticates its token user in the view (DRF sets ``request.user`` then)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, no_store=True)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


SESSION_TOUCHED = "_touched"  # when the session's end was last moved on (seconds since the epoch)


def session_touched_at_login(sender, request, user, **kwargs) -> None:
    """A session starts touched: its first requests write nothing (``SessionIdleMiddleware``)."""
    request.session[SESSION_TOUCHED] = int(time.time())


def connect_session_signals() -> None:
    from django.contrib.auth.signals import user_logged_in

    user_logged_in.connect(session_touched_at_login, dispatch_uid="housing.session_touched_at_login")


class SessionIdleMiddleware:
    """A logged-in session ends ``SESSION_COOKIE_AGE`` (settings.SESSION_IDLE_HOURS, a working day) after its
    last request: a request moves its end on by saving it, but only when it was last saved more than
    ``SESSION_TOUCH_SECONDS`` ago (Django's SESSION_SAVE_EVERY_REQUEST would write the session row on every
    request: two or three statements more on each page). So a session ends between the idle time less those
    seconds and the idle time after its last request. A remembered session's cookie is sent again when saved,
    with its full age."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is not None and user is not None and user.is_authenticated and not session.is_empty():
            now = int(time.time())
            touched = session.get(SESSION_TOUCHED)
            if not isinstance(touched, int) or not 0 <= now - touched < settings.SESSION_TOUCH_SECONDS:
                session[SESSION_TOUCHED] = now  # modified: SessionMiddleware saves it, with a new end
        return response
