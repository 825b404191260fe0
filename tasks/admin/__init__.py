"""Admin registrations, one module per subject."""

from . import documents, plan, reminders, roundups  # noqa: F401
