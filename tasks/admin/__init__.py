"""Admin registrations, one module per subject."""

from . import plan, reminders  # noqa: F401
