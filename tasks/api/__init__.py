"""The read-only JSON API (``/api/v1/``): thin DRF views over ``tasks.selectors.api``."""
