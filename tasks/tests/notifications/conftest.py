import pytest
from django.core.cache import cache

from .fakes import FakeDingTalk


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Tokens and robot windows live in the cache: each test starts without them."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def dingtalk(settings):
    fake = FakeDingTalk(users={"zhangsan", "lisi"} | {f"u{i:03d}" for i in range(200)}).start()
    settings.DINGTALK_API_BASE = fake.url
    settings.DINGTALK_APP_KEY, settings.DINGTALK_APP_SECRET = fake.app_key, fake.app_secret
    settings.DINGTALK_AGENT_ID = str(fake.agent_id)
    settings.NOTIFY_HTTP_TIMEOUT = 2
    yield fake
    fake.stop()
