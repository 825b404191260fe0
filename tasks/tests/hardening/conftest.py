"""Hypothesis profiles: ``ci`` (default; fixed seed, few examples, in ``make test``) and ``long``
(``make fuzz``: many more examples, and 50 race rounds per pair)."""

import os

import pytest
from hypothesis import HealthCheck, settings

_COMMON = {
    "derandomize": True,  # a fixed seed: the same examples on every run, so CI is reproducible
    "deadline": None,  # a page round trip on a loaded 2-core machine varies; hangs are caught by the limits
    "database": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large,
                              HealthCheck.function_scoped_fixture, HealthCheck.filter_too_much],
    "print_blob": True,
}
settings.register_profile("ci", max_examples=15, **_COMMON)
settings.register_profile("long", max_examples=400, **{**_COMMON, "derandomize": False})
settings.load_profile(os.environ.get("HARDENING_PROFILE", "ci"))


@pytest.fixture(scope="module")
def compiled_kept_for_module():
    """For a sweep module's own ``_checked_compiled_reads``: reads compiled once per shape are forgotten at the
    module's start and end, not around each test, and every run is still checked against a fresh compile.

    A shape's compile (twice, with two sets of stand-in ids, compared) depends only on its key (the build, its
    shape, the time zone and language: ``compiled.compiled``), never on the rows, so doing it again for each of
    a sweep's 131 tests checked nothing more; it was 3.5 % of the route sweep's time (cProfile)."""
    from tasks.selectors import compiled

    compiled.CHECK = True
    compiled.forget_compiled()
    yield
    compiled.forget_compiled()
