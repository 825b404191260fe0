"""Logging filters (named in settings.LOGGING)."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied


class PermissionDeniedWithoutTraceback(logging.Filter):
    """A refused request (403) is an ordinary event, not a failure: keep its one-line warning
    ("Forbidden (Permission denied): /items/12/") but drop the traceback Django attaches to it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], PermissionDenied):
            record.exc_info = None
            record.exc_text = None
        return True
