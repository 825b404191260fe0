"""Settings, all from the environment, with development defaults that need nothing.

Variables: DATABASE_URL, REDIS_URL, EMAIL_URL, DJANGO_SECRET_KEY, DJANGO_DEBUG,
ALLOWED_HOSTS, SITE_URL, DEFAULT_FROM_EMAIL, DATABASE_CONN_MAX_AGE, DATABASE_SERVER_SIDE_BINDING,
DATABASE_PREPARE_THRESHOLD, STORAGE_BACKEND and AWS_* (object storage).
Without DATABASE_URL the app uses SQLite under var/; without REDIS_URL Celery uses kombu's
filesystem transport under var/celery/; without EMAIL_URL mail is written to files under
var/mail/; without STORAGE_BACKEND/AWS_STORAGE_BUCKET_NAME files are stored under MEDIA_ROOT.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("DJANGO_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is false (production).")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# How long a link in a reminder or notice stays good (tasks.notifications.links): it only says where to go.
NOTIFY_LINK_MAX_AGE_DAYS = env.int("NOTIFY_LINK_MAX_AGE_DAYS", default=30)

INSTALLED_APPS = [
    "housing.admin_site.HousingAdminConfig",  # django.contrib.admin with the site's own rules
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tables2",
    "django_filters",
    "axes",
    "rest_framework",
    "knox",  # API tokens stored as digests (its model swapped for tasks.ApiToken)
    "drf_spectacular",
    "csp",
    "tasks",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "housing.middleware.QueryStringLimitMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "housing.middleware.SessionIdleMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "housing.middleware.PrivateResponseMiddleware",
    "housing.middleware.QueryTimeoutMiddleware",
    # Last, as django-axes asks.
    "axes.middleware.AxesMiddleware",
]

# AxesStandaloneBackend refuses locked-out users (and returns None otherwise); ModelBackend then checks the
# password, loads a session's user and answers permission checks. (AxesBackend is a ModelBackend too: every
# permission a user lacks was looked for twice, and a session never records it, since it authenticates
# nobody: docs/operations.md, "Logins".)
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]

ROOT_URLCONF = "housing.urls"
WSGI_APPLICATION = "housing.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
    {
        # The reminder digest's forms (tasks/jinja2/): rendered 15,000 times a reminder day at a province's
        # size, four times faster than in Django's engine (tasks/notifications/rendering.py).
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "NAME": "jinja2",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"environment": "tasks.notifications.rendering.environment"},
    },
]

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the web server, worker and beat share the file.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
else:
    # Persistent connections: a web request or a Celery task would otherwise open (and authenticate) a new
    # PostgreSQL connection every time (measured: 26 ms under load, a fifth of one digest's send).
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Parameters bound on the server, statements prepared: psycopg prepares a statement it has run
    # DATABASE_PREPARE_THRESHOLD times on a connection (the pages' statements are compiled once per shape, the
    # same text each time), so PostgreSQL parses it once and the client does not quote every value into the
    # SQL. Each execution is still planned for its own values (plan_cache_mode=force_custom_plan): a unit
    # with 10 items and one with 5,000 get the plans they got before. 1M-item load (bench/province.py
    # --load): PostgreSQL 19 -> 16 ms of CPU a request, web workers 50 -> 44 ms. Behind a pooler in
    # transaction mode without prepared statement support, set DATABASE_PREPARE_THRESHOLD=0 (off).
    def _db_number(name: str, default: str, cast=int):
        """A number from the environment (None when set empty), or an error that names the variable."""
        raw = env.str(name, default=default).strip()
        try:
            return cast(raw) if raw else None
        except ValueError:
            raise ImproperlyConfigured(f"{name} must be a number or empty, not {raw!r}") from None

    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["server_side_binding"] = env.bool("DATABASE_SERVER_SIDE_BINDING", default=True)
    _threshold = _db_number("DATABASE_PREPARE_THRESHOLD", "5") or 0
    _options["prepare_threshold"] = _threshold if _threshold > 0 and _options["server_side_binding"] else None
    # Parallel query off unless DATABASE_PARALLEL_WORKERS says otherwise: the app's statements read a plan, a
    # unit or a page at a time, and where the planner overestimates rows (the province's overdue count at 1M
    # items: 261k estimated, 38k read) starting workers costs more than the scan they share (11 -> 3 ms), on
    # cores that concurrent requests already keep busy.
    _parallel = f"-c max_parallel_workers_per_gather={_db_number('DATABASE_PARALLEL_WORKERS', '0') or 0}"
    # Index probes priced for data in memory or on SSD (PostgreSQL's default 4.0 prices a disk seek): below
    # about a million rows the default made the planner hash every lead part of the installation for one
    # plan's dashboard (100k items: 21 ms) instead of probing per item (5 ms). Empty: the server's setting.
    _page_cost = _db_number("DATABASE_RANDOM_PAGE_COST", "1.1", float)
    _cost = f"-c random_page_cost={_page_cost:g}" if _page_cost is not None else ""
    # No statement runs longer than DATABASE_STATEMENT_TIMEOUT_MS (30 s; empty or 0: none). A request's
    # worker is killed by gunicorn's timeout, but its statement would go on in PostgreSQL, holding a backend
    # and the CPU; cancelled, the request gets a 503 page that says so (housing.middleware). The app's
    # slowest statements at 1M items take ~2 s. ``manage.py migrate`` runs without one (housing.db).
    _timeout = _db_number("DATABASE_STATEMENT_TIMEOUT_MS", "30000") or 0
    _statement_timeout = f"-c statement_timeout={_timeout}" if _timeout > 0 else ""
    if "statement_timeout" in (_options.get("options") or ""):
        _statement_timeout = ""  # DATABASE_URL's own ?options=-c statement_timeout=... stands
    # JIT compilation off unless DATABASE_JIT=true: the app's statements are a page's or a task's, and where
    # correlated subqueries push a statement's estimated cost past jit_above_cost PostgreSQL spends longer
    # compiling it than running it (1M items: the reach page's first 50 people of one region 205 ms, 153 of
    # them compiling; a roundup's item-state statements 77-118 ms with JIT, 9-13 ms without).
    _jit = "" if env.bool("DATABASE_JIT", default=False) else "-c jit=off"
    _options["options"] = " ".join(filter(None, [_options.get("options"), "-c plan_cache_mode=force_custom_plan",
                                                 _jit, _parallel, _cost, _statement_timeout]))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "tasks:home"
LOGOUT_REDIRECT_URL = "login"

# Sessions: a session ends after SESSION_IDLE_HOURS (a working day) without a request (requests move its end
# on: housing.middleware.SessionIdleMiddleware), and when the browser closes unless the login form's
# "remember me" was ticked (tasks.views.login.LoginView then keeps the cookie SESSION_REMEMBER_HOURS, by default
# the same idle time).
SESSION_IDLE_HOURS = env.float("SESSION_IDLE_HOURS", default=9)
SESSION_COOKIE_AGE = int(SESSION_IDLE_HOURS * 3600)
SESSION_TOUCH_SECONDS = 300  # a request saves the session (moving its end on) at most this often
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_REMEMBER_HOURS = env.float("SESSION_REMEMBER_HOURS", default=SESSION_IDLE_HOURS)

# Content-Security-Policy on every response (django-csp): scripts, styles, images and fonts from this origin
# only, no inline script or style (templates keep theirs in static files), no framing, no plugins, forms post
# here only. CSP_REPORT_ONLY=true sends it as Content-Security-Policy-Report-Only (trying out a change).
# Permissions-Policy (housing.middleware): the camera on this origin (the phone's evidence photo), the rest off.
_csp = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
if env.bool("CSP_REPORT_ONLY", default=False):
    CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": _csp}
    CONTENT_SECURITY_POLICY = None
else:
    CONTENT_SECURITY_POLICY = {"DIRECTIVES": _csp}
PERMISSIONS_POLICY = ", ".join(
    ["camera=(self)"] + [f"{feature}=()" for feature in (
        "microphone", "geolocation", "payment", "usb", "serial", "bluetooth", "midi", "magnetometer",
        "gyroscope", "accelerometer", "display-capture", "fullscreen", "browsing-topics")]
)

# Lock logins out after repeated failures, in three tiers (housing/lockout.py): a name from one address after
# AXES_FAILURE_LIMIT failures; an address after LOGIN_ADDRESS_NAME_LIMIT different names failed from it (password
# spraying; an office's staff share one NAT address, so this counts names, and high); a name from any address
# after LOGIN_NAME_FAILURE_LIMIT failures. All within AXES_COOLOFF_HOURS; a lockout is not extended by the
# attempts made while it holds (an office locked out keeps trying), and a successful login clears only its
# name's failures from its address.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
LOGIN_ADDRESS_NAME_LIMIT = env.int("LOGIN_ADDRESS_NAME_LIMIT", default=50)
LOGIN_NAME_FAILURE_LIMIT = env.int("LOGIN_NAME_FAILURE_LIMIT", default=20)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)
AXES_HANDLER = "housing.lockout.TieredLockoutHandler"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address", "username"]  # lockout.LOCKOUT_PARAMETERS
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# The client's address behind reverse proxies (django-axes reads it with django-ipware): unset, the
# connection's own address (no proxy; behind one that would be the proxy's, so five failures through it lock a
# name for everyone). Behind proxies, AXES_IPWARE_PROXY_COUNT is the number of proxies that add an address to
# X-Forwarded-For after the client's own entry, minus one: 0 for the compose file's Caddy alone (it writes the
# client's address as the header's last entry), 1 with a load balancer in front of Caddy that Caddy trusts
# (its trusted_proxies), and so on. The address read is the one that many places from the header's end
# (python-ipware, not strict), so what a client writes into the header itself is never read.
# AXES_IPWARE_META_PRECEDENCE_ORDER: the request.META keys read, in order (default: X-Forwarded-For, then the
# connection's address, when a proxy count is set; the connection's address alone otherwise).
_proxy_count = env.str("AXES_IPWARE_PROXY_COUNT", default="").strip()
AXES_IPWARE_PROXY_COUNT = int(_proxy_count) if _proxy_count else None
AXES_IPWARE_PROXY_ORDER = "left-most"  # X-Forwarded-For: client, proxy1, proxy2 (as Caddy writes it)
AXES_IPWARE_META_PRECEDENCE_ORDER = tuple(env.list(
    "AXES_IPWARE_META_PRECEDENCE_ORDER",
    default=["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if AXES_IPWARE_PROXY_COUNT is not None else ["REMOTE_ADDR"],
))
IPWARE_STRICT = False  # a longer chain (a client's own header before the proxy's entry) is read from its end

LANGUAGE_CODE = "zh-hans"
# A filter's empty choice reads "全部" (All), not django-filter's "---------", which said nothing to anyone.
FILTERS_EMPTY_CHOICE_LABEL = gettext_lazy("全部")
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]  # each in its own language
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
# Uploaded evidence is never served by URL: views stream it after a permission check. No URL
# pattern serves this prefix; it is set only because Django's test server requires a value.
MEDIA_URL = "/media-not-served/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Several nodes: every stored file (evidence, staged imports, plan documents, generated 公文) in one
# S3-compatible bucket that all web nodes and workers share. STORAGE_BACKEND=s3, or just a bucket name,
# selects it; without either, files stay under MEDIA_ROOT. The bucket is private: no ACL is sent
# (objects take the bucket's own, private, policy), downloads stream through the app's permission-checked
# views, and any URL the storage would build is a short-lived signed one, never a public address.
STORAGE_BACKEND = env.str(
    "STORAGE_BACKEND", default="s3" if env.str("AWS_STORAGE_BUCKET_NAME", default="") else "filesystem"
).lower()
if STORAGE_BACKEND == "s3":
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("AWS_STORAGE_BUCKET_NAME"),
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
            "access_key": env.str("AWS_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("AWS_SECRET_ACCESS_KEY", default="") or None,
            "region_name": env.str("AWS_S3_REGION_NAME", default="us-east-1"),
            # Path-style (endpoint/bucket/key): what SeaweedFS, MinIO and most in-house stores answer.
            "addressing_style": "path",
            "signature_version": "s3v4",
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": 300,
            # Two nodes saving the same name must never replace each other's file.
            "file_overwrite": False,
        },
    }
elif STORAGE_BACKEND != "filesystem":
    raise ImproperlyConfigured(f"STORAGE_BACKEND must be 'filesystem' or 's3', not {STORAGE_BACKEND!r}.")
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 25 * 1024 * 1024
# The longest query string a request may carry (housing.middleware.QueryStringLimitMiddleware: 414 past it).
MAX_QUERY_STRING_BYTES = env.int("MAX_QUERY_STRING_BYTES", default=16 * 1024)

# Email: smtp://user:pass@host:port, consolemail://, filemail:///abs/path, memorymail://.
# Without EMAIL_URL, each message is written to a file under var/mail/ (read them there).
if env.str("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
    if env.str("EMAIL_URL").startswith("filemail:///") and not EMAIL_FILE_PATH.startswith("/"):  # noqa: F821
        # django-environ drops the leading slash of filemail:///abs/path.
        EMAIL_FILE_PATH = "/" + EMAIL_FILE_PATH  # noqa: F821
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="住有宜居专班 <noreply@housing.local>")

# Notifications (tasks/notifications/, the outbox): email always; each other channel once its
# credentials are set. With none set, email only, as before. The API bases point at the real services
# by default and at local stand-ins in tests.
DINGTALK_API_BASE = env.str("DINGTALK_API_BASE", default="https://oapi.dingtalk.com").rstrip("/")
DINGTALK_APP_KEY = env.str("DINGTALK_APP_KEY", default="")
DINGTALK_APP_SECRET = env.str("DINGTALK_APP_SECRET", default="")
DINGTALK_AGENT_ID = env.str("DINGTALK_AGENT_ID", default="")
ZZD_API_BASE = env.str("ZZD_API_BASE", default="https://openplatform.dg-work.cn").rstrip("/")
ZZD_APP_KEY = env.str("ZZD_APP_KEY", default="")
ZZD_APP_SECRET = env.str("ZZD_APP_SECRET", default="")
ZZD_TENANT_ID = env.str("ZZD_TENANT_ID", default="")
SMS_PROVIDER = env.str("SMS_PROVIDER", default="")  # "", "aliyun" or "tencent"
SMS_API_BASE = env.str("SMS_API_BASE", default="").rstrip("/")  # default: the provider's public endpoint
SMS_ACCESS_KEY_ID = env.str("SMS_ACCESS_KEY_ID", default="")  # Tencent: SecretId
SMS_ACCESS_KEY_SECRET = env.str("SMS_ACCESS_KEY_SECRET", default="")  # Tencent: SecretKey
SMS_SIGN_NAME = env.str("SMS_SIGN_NAME", default="")
SMS_TEMPLATE_CODE = env.str("SMS_TEMPLATE_CODE", default="")  # Tencent: TemplateId
SMS_SDK_APP_ID = env.str("SMS_SDK_APP_ID", default="")  # Tencent only
SMS_REGION = env.str("SMS_REGION", default="ap-guangzhou")  # Tencent only
NOTIFY_HTTP_TIMEOUT = env.float("NOTIFY_HTTP_TIMEOUT", default=10)
# A transient failure (SMTP down, a provider's 5xx) is retried with exponential backoff (base * 2**n,
# capped below the broker's visibility timeout). The defaults keep trying for about 26 hours (1 hour of
# growing waits, then every 30 minutes), so a day the server is down is made up the next morning; then
# the message is given up and waits for a coordinator's resend. (The REMINDER_* names of these three,
# from before the outbox, are still read.)
NOTIFY_MAX_ATTEMPTS = env.int("NOTIFY_MAX_ATTEMPTS", default=env.int("REMINDER_MAX_ATTEMPTS", default=56))
NOTIFY_RETRY_BASE_SECONDS = env.int(
    "NOTIFY_RETRY_BASE_SECONDS", default=env.int("REMINDER_RETRY_BASE_SECONDS", default=60)
)
NOTIFY_RETRY_MAX_SECONDS = env.int(
    "NOTIFY_RETRY_MAX_SECONDS", default=env.int("REMINDER_RETRY_MAX_SECONDS", default=1800)
)
# A message 'sending' longer than this lost its worker: requeued (浙政钉) or marked uncertain (others).
NOTIFY_SENDING_TIMEOUT_SECONDS = env.int("NOTIFY_SENDING_TIMEOUT_SECONDS", default=900)
# Emails per batch on one SMTP connection: a worker lost mid-batch leaves at most these 'uncertain'.
NOTIFY_EMAIL_BATCH_SIZE = env.int("NOTIFY_EMAIL_BATCH_SIZE", default=20)
# SMTP connections a delivery run sends a batch over, side by side (each message on one of them, its fate
# known before that connection's next): an SMTP session waits for the server four times an e-mail. Worth
# raising for a relay across the network; with the server on the same two cores, 1 did as well as 4.
NOTIFY_EMAIL_CONNECTIONS = env.int("NOTIFY_EMAIL_CONNECTIONS", default=1)
# DingTalk work-notice calls a delivery run keeps in flight at once (threads; every message's fate recorded
# as its call answers; 'sending' committed before any call, so a worker lost mid-batch still leaves its
# unanswered messages 'uncertain'). A digest is one person's content: one call each.
NOTIFY_DINGTALK_CALLS = env.int("NOTIFY_DINGTALK_CALLS", default=4)
# Delivery tasks the beat's minute starts per channel with a backlog (the number of Celery worker
# processes): they claim batches side by side, each message once.
NOTIFY_DELIVERERS = env.int("NOTIFY_DELIVERERS", default=2)
# Group robots: at most this many messages per window per robot (the providers' 20 a minute).
NOTIFY_ROBOT_LIMIT = env.int("NOTIFY_ROBOT_LIMIT", default=20)
NOTIFY_ROBOT_WINDOW_SECONDS = env.int("NOTIFY_ROBOT_WINDOW_SECONDS", default=60)
NOTIFY_ROBOT_MUTE_SECONDS = env.int("NOTIFY_ROBOT_MUTE_SECONDS", default=600)
# The hosts a group robot's webhook may name (DingTalk's and WeCom's): a coordinator types the address, and the
# workers post to it and keep the answer, so any other host (the database, a metadata service) is refused.
NOTIFY_ROBOT_HOSTS = env.list("NOTIFY_ROBOT_HOSTS", default=["oapi.dingtalk.com", "qyapi.weixin.qq.com"])
# Quiet hours (tasks/notifications/quiet.py): nothing is delivered outside this daily window (site time) nor,
# with NOTIFY_QUIET_DAYS_OFF, on a day off of the official calendar; such messages wait for the window.
# "always" (or empty) lifts the window. Urgent messages (a red 督办单 marked urgent, notify_test) go at once.
NOTIFY_WORKING_HOURS = env.str("NOTIFY_WORKING_HOURS", default="08:30-18:00")
NOTIFY_QUIET_DAYS_OFF = env.bool("NOTIFY_QUIET_DAYS_OFF", default=True)
# A person's next channel (their profile's order) goes only if the one before has not reached them in this.
NOTIFY_FALLBACK_HOURS = env.float("NOTIFY_FALLBACK_HOURS", default=4)

# Celery: Redis in production; kombu's filesystem transport when no REDIS_URL.
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    # Never schedule an ETA beyond this; redis redelivers unacked tasks after it.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CELERY_BROKER_URL = "filesystem://"
    # The test suite points this at a folder of its own (tasks/tests/parallel.py): what tests queue is never
    # left for `make run`'s worker to run against the demo.
    _broker_dir = Path(env.str("CELERY_FILESYSTEM_DIR", default=str(VAR_DIR / "celery")))
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
        "visibility_timeout": 3600,
    }
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# The read-only JSON API (/api/v1/): a per-user token or the browser session. Token first, so a request
# without credentials gets 401 with a WWW-Authenticate header. Tokens (django-rest-knox, model tasks.ApiToken)
# are stored as SHA-512 digests, shown once when made (the user's "API 令牌" page, or a superuser in the admin),
# sent as `Authorization: Token <key>`; each expires API_TOKEN_DAYS after it was made (0: never), a user holds
# at most API_TOKEN_MAX_PER_USER unexpired ones, and its last use is recorded at most once a minute.
KNOX_TOKEN_MODEL = "tasks.ApiToken"
# knox's own migrations create its AuthToken table even when the model is swapped (an unused table whose key to
# auth_user stops PostgreSQL's flush); off, and the swapped model has no table.
MIGRATION_MODULES = {"knox": None}
API_TOKEN_DAYS = env.int("API_TOKEN_DAYS", default=90)
API_TOKEN_MAX_PER_USER = env.int("API_TOKEN_MAX_PER_USER", default=10)
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=API_TOKEN_DAYS) if API_TOKEN_DAYS > 0 else None,
    "AUTH_HEADER_PREFIX": "Token",  # DRF's own scheme name, which existing clients send
    "AUTO_REFRESH": False,
}
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "tasks.api.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "住有宜居 · 任务责任管理 API",
    "DESCRIPTION": "Read-only figures of the implementation plans: the plans a user may see, and each plan's "
    "status (counts by outcome, units, indicators, most overdue items) as of a day, computed as the roundups are.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
}

DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5-responsive.html"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"no_403_traceback": {"()": "housing.log_filters.PermissionDeniedWithoutTraceback"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django.request": {"filters": ["no_403_traceback"]},
    },
}

# Plan imports: what one document may cost (tasks/importers/limits.py). The defaults admit the
# benchmarks' 2,000-page documents; past a cap the coordinator gets a clear message and nothing is written.
IMPORT_MAX_INFLATED_MB = env.float("IMPORT_MAX_INFLATED_MB", default=50)
IMPORT_MAX_PAGES = env.int("IMPORT_MAX_PAGES", default=3000)
IMPORT_MAX_SECONDS = env.float("IMPORT_MAX_SECONDS", default=60)
IMPORT_MAX_MEMORY_MB = env.int("IMPORT_MAX_MEMORY_MB", default=2048)
# A roster (联络员名单) is read on its upload page, while the coordinator waits: a few hundred rows read in well
# under a second, a WPS .et converted by LibreOffice in 2-5 s; past this the read is stopped and the page asks
# for the file saved as .xlsx (tasks/importers/limits.py, read_spreadsheet).
ROSTER_MAX_SECONDS = env.float("ROSTER_MAX_SECONDS", default=20)
# Uploaded documents read at once (tasks/services/parse_slots.py): one per user, this many site-wide.
IMPORT_MAX_PARALLEL = env.int("IMPORT_MAX_PARALLEL", default=2)
IMPORT_STAGING_MAX_AGE_HOURS = env.float("IMPORT_STAGING_MAX_AGE_HOURS", default=24)
# Single sign-on (OpenID Connect, tasks/oidc.py): on when OIDC_ISSUER and OIDC_CLIENT_ID are set. A login is
# matched to one active account by OIDC_MATCH_CLAIM == its OIDC_MATCH_FIELD; password login stays.
OIDC_ISSUER = env.str("OIDC_ISSUER", default="").rstrip("/")
OIDC_RP_CLIENT_ID = env.str("OIDC_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env.str("OIDC_CLIENT_SECRET", default="")
OIDC_ENABLED = bool(OIDC_ISSUER and OIDC_RP_CLIENT_ID)
OIDC_MATCH_CLAIM = env.str("OIDC_MATCH_CLAIM", default="phone_number")
OIDC_MATCH_FIELD = env.str("OIDC_MATCH_FIELD", default="mobile")
if OIDC_MATCH_FIELD not in ("mobile", "zzd_id", "dingtalk_id", "username", "email"):
    raise ImproperlyConfigured("OIDC_MATCH_FIELD must be mobile, zzd_id, dingtalk_id, username or email")
OIDC_RP_SCOPES = env.str("OIDC_SCOPES", default="openid profile phone email")
OIDC_RP_SIGN_ALGO = env.str("OIDC_SIGN_ALGO", default="RS256")
OIDC_LOGIN_LABEL = env.str("OIDC_LOGIN_LABEL", default="")
OIDC_TIMEOUT = env.float("OIDC_TIMEOUT", default=10)
OIDC_CREATE_USER = False
OIDC_USE_PKCE = True
LOGIN_REDIRECT_URL_FAILURE = "/accounts/login/?sso=failed"
if OIDC_ENABLED:
    AUTHENTICATION_BACKENDS = [*AUTHENTICATION_BACKENDS, "tasks.oidc.RosterOIDCBackend"]
# An invitation's link to set one's password (services.invitations): valid this many hours, used once.
INVITATION_VALID_HOURS = env.int("INVITATION_VALID_HOURS", default=72)
# Login logs (django-axes) are deleted after this many days by the daily housekeeping task
# (tasks.services.housekeeping); the Cybersecurity Law asks for six months at least (a check warns below).
ACCESS_LOG_RETENTION_DAYS = env.int("ACCESS_LOG_RETENTION_DAYS", default=180)
# A list's Excel export of more rows than this is written in the background (tasks.services.exports);
# a user may have EXPORT_MAX_PENDING of them waiting; their files are kept EXPORT_KEEP_DAYS.
EXPORT_INLINE_ROWS = env.int("EXPORT_INLINE_ROWS", default=2000)
EXPORT_MAX_PENDING = env.int("EXPORT_MAX_PENDING", default=3)
EXPORT_KEEP_DAYS = env.int("EXPORT_KEEP_DAYS", default=7)

if not DEBUG:
    # Production: HTTPS only. A proxy that terminates TLS forwards the scheme in X-Forwarded-Proto
    # (set it there, and only there: Django trusts the header). Each switch can be turned off by
    # environment for a deployment whose proxy already redirects or sets HSTS itself.
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]  # health checks come over plain HTTP from inside
    SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # Preloading puts the domain in browsers' built-in HTTPS-only lists, hard to undo and binding on
    # every subdomain: the domain owner's decision, not an application default. Off unless set, and its
    # deploy check (W021) silenced for that reason.
    SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=False)
    if not SECURE_HSTS_PRELOAD:
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
    _secure_cookies = env.bool("DJANGO_SECURE_COOKIES", default=env.bool("SECURE_COOKIES", default=True))
    SESSION_COOKIE_SECURE = _secure_cookies
    CSRF_COOKIE_SECURE = _secure_cookies
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
