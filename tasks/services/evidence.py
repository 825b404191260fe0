"""Evidence files: what may be uploaded, and how it is stored.

A file is accepted only when its extension is on the list, the browser's declared type fits
that extension, its first bytes are those of that format (so an HTML page renamed ``.pdf`` is
refused), and it is not too large. It is stored under a random name (``evidence_path``) and
served only as a download by a permission-checked view, never from a public URL.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

MAX_EVIDENCE_BYTES = 20 * 1024 * 1024
MAX_EVIDENCE_FILES = 10

ZIP = (b"PK\x03\x04",)
OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)


@dataclass(frozen=True)
class Kind:
    content_type: str  # what we store and send back
    declared: frozenset[str]  # what browsers send for it
    magic: tuple[bytes, ...]


OCTET = "application/octet-stream"
KINDS: dict[str, Kind] = {
    ".pdf": Kind("application/pdf", frozenset({"application/pdf", "application/x-pdf", OCTET}), (b"%PDF-",)),
    ".png": Kind("image/png", frozenset({"image/png"}), (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": Kind("image/jpeg", frozenset({"image/jpeg", "image/pjpeg"}), (b"\xff\xd8\xff",)),
    ".jpeg": Kind("image/jpeg", frozenset({"image/jpeg", "image/pjpeg"}), (b"\xff\xd8\xff",)),
    ".docx": Kind(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        frozenset(
            {"application/vnd.openxmlformats-officedocument.wordprocessingml.document", "application/zip", OCTET}
        ),
        ZIP,
    ),
    ".xlsx": Kind(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        frozenset({"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/zip", OCTET}),
        ZIP,
    ),
    ".doc": Kind("application/msword", frozenset({"application/msword", OCTET}), OLE),
    ".xls": Kind("application/vnd.ms-excel", frozenset({"application/vnd.ms-excel", OCTET}), OLE),
    # OFD: China's national standard for e-documents (a zip container).
    ".ofd": Kind("application/ofd", frozenset({"application/ofd", "application/zip", OCTET}), ZIP),
}
ALLOWED_EXTENSIONS = tuple(KINDS)


@dataclass(frozen=True)
class CheckedFile:
    upload: UploadedFile
    name: str
    content_type: str
    size: int
    sha256: str


def evidence_check(upload: UploadedFile) -> CheckedFile:
    """Validate one uploaded file; raise ValidationError naming the file when it is refused."""
    name = os.path.basename(upload.name or "")[:255]
    ext = os.path.splitext(name)[1].lower()
    kind = KINDS.get(ext)
    if kind is None:
        raise ValidationError(
            _("“%(name)s”的文件类型不允许。允许：%(allowed)s。"),
            params={"name": name, "allowed": "、".join(ALLOWED_EXTENSIONS)},
            code="evidence_type",
        )
    if upload.size > MAX_EVIDENCE_BYTES:
        raise ValidationError(
            _("“%(name)s”超过 %(mb)s MB。"),
            params={"name": name, "mb": MAX_EVIDENCE_BYTES // (1024 * 1024)},
            code="evidence_size",
        )
    if upload.size == 0:
        raise ValidationError(_("“%(name)s”是空文件。"), params={"name": name}, code="evidence_empty")
    declared = (upload.content_type or OCTET).split(";")[0].strip().lower()
    upload.seek(0)
    head = upload.read(16)
    if declared not in kind.declared or not head.startswith(kind.magic):
        raise ValidationError(
            _("“%(name)s”的内容与扩展名不符。"), params={"name": name}, code="evidence_content"
        )
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedFile(upload=upload, name=name, content_type=kind.content_type, size=upload.size,
                       sha256=digest.hexdigest())


def evidence_check_all(uploads: list[UploadedFile]) -> list[CheckedFile]:
    """Validate every file before anything is written; all errors are reported together."""
    if len(uploads) > MAX_EVIDENCE_FILES:
        raise ValidationError(
            _("一次最多上传 %(n)s 个文件。"), params={"n": MAX_EVIDENCE_FILES}, code="evidence_count"
        )
    checked, errors = [], []
    for upload in uploads:
        try:
            checked.append(evidence_check(upload))
        except ValidationError as e:
            errors.append(e)
    if errors:
        raise ValidationError(errors)
    return checked
