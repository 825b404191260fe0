import os
from pathlib import Path

import pytest

from tasks.documents.convert import soffice_path

ARTIFACTS = Path(__file__).resolve().parents[3] / "var" / "test-artifacts"


def require_soffice() -> str:
    """LibreOffice's path; the test is skipped without it, except in CI where that is a failure."""
    if not soffice_path():
        message = "LibreOffice is not installed (make sysdeps)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message} (CI=true: required)")
        pytest.skip(message)
    return soffice_path()


@pytest.fixture
def soffice():
    """LibreOffice for PDF tests: skipped without it, except in CI where that is a failure."""
    return require_soffice()


@pytest.fixture
def artifacts() -> Path:
    """Where the run leaves PNGs of page 1 of each kind of document, for a person to review."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
