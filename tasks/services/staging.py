"""Plan documents uploaded for import and waiting for the coordinator's confirmation (staged uploads).

They live in Django's storage (``default_storage``) under ``import-staging/``, so a deployment that
moves media to object storage moves them too. Every failure path of an import deletes its file;
``staged_imports_clean_up`` (Celery beat, daily, and ``manage.py clean_staged_imports``) deletes
the ones abandoned (a closed browser tab) after ``IMPORT_STAGING_MAX_AGE_HOURS`` (24).
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage
from django.utils import timezone

from tasks.importers.document import ParsedPlan
from tasks.importers.limits import read_and_parse

from .plan_import import import_limits

STAGING_DIR = "import-staging"
_NAME = re.compile(r"[0-9a-f]{32}\.(txt|docx|pdf|doc|wps|xlsx|xlsm|xls|csv|et)")


def _path(name: str) -> str:
    if not _NAME.fullmatch(name or ""):
        raise ValueError("not a staged upload name")  # never a path a session could point elsewhere
    return f"{STAGING_DIR}/{name}"


def staged_save(upload) -> str:
    """Store an uploaded document; returns its staged name (random: the uploader's name is metadata)."""
    suffix = Path(upload.name).suffix.lower()
    name = f"{uuid.uuid4().hex}{suffix}"
    default_storage.save(_path(name), upload)
    return name


def staged_exists(name: str) -> bool:
    try:
        return default_storage.exists(_path(name))
    except ValueError:
        return False


def staged_read(name: str) -> bytes:
    with default_storage.open(_path(name), "rb") as f:
        return f.read()


def staged_delete(name: str) -> None:
    with contextlib.suppress(ValueError, FileNotFoundError):
        default_storage.delete(_path(name))


def staged_parse(name: str, *, source: str, year: int | None,
                 columns: dict[int, list[str]] | None = None) -> tuple[str, ParsedPlan]:
    """Read and parse a staged document within the import limits (a local temporary copy for the
    readers, which need a file; removed whatever happens)."""
    suffix = Path(name).suffix
    fd, tmp = tempfile.mkstemp(suffix=suffix, prefix="staged-")
    try:
        with os.fdopen(fd, "wb") as out, default_storage.open(_path(name), "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                out.write(chunk)
        return read_and_parse(tmp, source=source, year=year, columns=columns, limits=import_limits())
    finally:
        Path(tmp).unlink(missing_ok=True)


@dataclass
class CleanUpResult:
    deleted: list[str]
    kept: int


def staged_imports_clean_up(*, now: datetime | None = None, max_age: timedelta | None = None) -> CleanUpResult:
    """Delete staged uploads older than ``max_age``: imports someone started and never confirmed or cancelled."""
    now = now or timezone.now()
    if max_age is None:
        max_age = timedelta(hours=getattr(settings, "IMPORT_STAGING_MAX_AGE_HOURS", 24))
    cutoff = now - max_age
    deleted, kept = [], 0
    try:
        _dirs, files = default_storage.listdir(STAGING_DIR)
    except FileNotFoundError:
        return CleanUpResult(deleted=[], kept=0)
    for name in files:
        path = f"{STAGING_DIR}/{name}"
        try:
            modified = default_storage.get_modified_time(path)
        except (FileNotFoundError, NotImplementedError):
            continue
        if modified <= cutoff:
            default_storage.delete(path)
            deleted.append(name)
        else:
            kept += 1
    return CleanUpResult(deleted=deleted, kept=kept)
