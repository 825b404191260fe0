"""Create the S3 bucket the files go to, if it is missing (a deployment step; idempotent)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from tasks.services.storage import storage_bucket_ensure


class Command(BaseCommand):
    help = "Create the object-storage bucket (STORAGE_BACKEND=s3) if it does not exist yet; idempotent."

    def handle(self, *args, **options):
        bucket, created = storage_bucket_ensure()
        if bucket is None:
            self.stdout.write("files are stored on the local disk (MEDIA_ROOT): no bucket to create")
        else:
            self.stdout.write(f"bucket {bucket}: {'created' if created else 'exists'}")
