import pytest
from django.core.cache import cache

from .fakes import FakeAliyunSms, FakeDingTalk, FakeRobots, FakeTencentSms, FakeZzd


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


@pytest.fixture
def zzd(settings):
    fake = FakeZzd().start()
    settings.ZZD_API_BASE, settings.ZZD_APP_KEY, settings.ZZD_APP_SECRET = fake.url, fake.app_key, fake.app_secret
    settings.NOTIFY_HTTP_TIMEOUT = 2
    yield fake
    fake.stop()


@pytest.fixture
def robots(settings):
    settings.NOTIFY_ROBOT_LIMIT, settings.NOTIFY_ROBOT_WINDOW_SECONDS, settings.NOTIFY_ROBOT_MUTE_SECONDS = 3, 1, 2
    settings.NOTIFY_HTTP_TIMEOUT = 2
    fake = FakeRobots(limit=3, window=1.0, mute=2.0).start()
    settings.NOTIFY_ROBOT_HOSTS = [*settings.NOTIFY_ROBOT_HOSTS, "127.0.0.1"]  # the stand-in's
    yield fake
    fake.stop()


@pytest.fixture
def aliyun(settings):
    fake = FakeAliyunSms().start()
    settings.SMS_PROVIDER, settings.SMS_API_BASE = "aliyun", fake.url
    settings.SMS_ACCESS_KEY_ID, settings.SMS_ACCESS_KEY_SECRET = fake.key_id, fake.secret
    settings.SMS_SIGN_NAME, settings.SMS_TEMPLATE_CODE = fake.sign_name, "SMS_1"
    yield fake
    fake.stop()


@pytest.fixture
def tencent(settings):
    fake = FakeTencentSms(blacklist={"+8613900000002"}).start()
    settings.SMS_PROVIDER, settings.SMS_API_BASE = "tencent", fake.url
    settings.SMS_ACCESS_KEY_ID, settings.SMS_ACCESS_KEY_SECRET = fake.secret_id, fake.secret_key
    settings.SMS_SIGN_NAME, settings.SMS_TEMPLATE_CODE, settings.SMS_SDK_APP_ID = fake.sign_name, "1001", fake.app_id
    yield fake
    fake.stop()
