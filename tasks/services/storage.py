"""The shared file store of a several-node deployment: make sure its bucket exists.

Every node reads and writes files through ``default_storage``; with ``STORAGE_BACKEND=s3`` that is one
private S3-compatible bucket (``housing/settings.py``). docker-compose's ``createbucket`` step and the
two-node test run ``manage.py ensure_bucket`` once before the web nodes and workers start.
"""

from __future__ import annotations

from botocore.exceptions import ClientError
from django.core.files.storage import storages


def storage_bucket_ensure() -> tuple[str | None, bool]:
    """Create the default storage's bucket if it is missing: (bucket name or None for a local disk, created)."""
    storage = storages["default"]
    bucket_name = getattr(storage, "bucket_name", None)
    if bucket_name is None:
        return None, False  # files on the local disk: nothing to create
    client = storage.connection.meta.client
    try:
        client.head_bucket(Bucket=bucket_name)
        return bucket_name, False
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") not in {"404", "NoSuchBucket", "NotFound"}:
            raise  # refused (wrong keys) or unreachable: say so, never pretend it exists
    try:
        client.create_bucket(Bucket=bucket_name)  # private: no ACL is sent
    except ClientError as exc:
        # Another node created it between the two calls.
        if exc.response.get("Error", {}).get("Code") not in {"BucketAlreadyOwnedByYou", "BucketAlreadyExists"}:
            raise
        return bucket_name, False
    return bucket_name, True
