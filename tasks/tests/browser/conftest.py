"""Browser-test fixtures."""

import os

import pytest
from django.conf import settings
from pytest_django import live_server_helper


@pytest.fixture(scope="session")
def live_server(request):
    """pytest-django's live server, started while MEDIA_URL has a value.

    The project sets MEDIA_URL = None (uploads are streamed after a permission check, never
    served by URL), but Django's test server builds its media-file handler from MEDIA_URL when
    it starts and cannot parse None. The handler reads it only then, so it is set for the
    start-up and restored at once: the app under test still runs with MEDIA_URL = None.
    """
    addr = request.config.getvalue("liveserver") or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS") or "localhost"
    old = settings.MEDIA_URL
    settings.MEDIA_URL = old or "/media-not-served/"
    try:
        server = live_server_helper.LiveServer(addr)
    finally:
        settings.MEDIA_URL = old
    yield server
    server.stop()
