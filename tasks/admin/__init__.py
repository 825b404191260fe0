"""Admin registrations, one module per subject."""

from . import plan, reminders, roundups  # noqa: F401
