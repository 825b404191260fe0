"""Hypothesis profiles: ``ci`` (default; fixed seed, few examples, in ``make test``) and ``long``
(``make fuzz``: many more examples, and 50 race rounds per pair)."""

import os

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

