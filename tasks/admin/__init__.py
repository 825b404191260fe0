"""Admin registrations, one module per subject."""

from . import (
    plan,  # noqa: F401
    roundups,  # noqa: F401
)
