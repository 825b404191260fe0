"""A throwaway database for a bench script: the test suite's database name (``test_<NAME>``, or the
``TEST`` name the settings give), created empty and migrated, dropped however the run ends."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection


@contextmanager
def scratch_database(*, serialize: bool = True) -> Iterator[str]:
    """Create the test database (replacing a leftover one), yield its name, drop it after."""
    old_name = connection.settings_dict["NAME"]
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=serialize)
    try:
        yield name
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
