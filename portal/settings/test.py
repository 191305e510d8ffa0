"""Test settings: real PostgreSQL and Redis when they answer, SQLite and in-process tasks otherwise.

With REQUIRE_SERVICES=1 (CI) a missing service is an error instead of a fallback.
"""

import socket
from urllib.parse import urlparse

from .base import *  # noqa: F403
from .base import BASE_DIR, env

REQUIRE_SERVICES = env.bool("REQUIRE_SERVICES", default=False)
TEST_DATABASE_URL = env("TEST_DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/ilrs_portal")
TEST_REDIS_URL = env("TEST_REDIS_URL", default="redis://127.0.0.1:6379/0")


def _reachable(url):
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname, parsed.port), timeout=1):
            return True
    except OSError:
        return False


POSTGRES_AVAILABLE = _reachable(TEST_DATABASE_URL)
REDIS_AVAILABLE = _reachable(TEST_REDIS_URL)
if REQUIRE_SERVICES and not (POSTGRES_AVAILABLE and REDIS_AVAILABLE):
    raise RuntimeError(
        f"REQUIRE_SERVICES=1 but PostgreSQL reachable={POSTGRES_AVAILABLE}, Redis reachable={REDIS_AVAILABLE}"
    )

if POSTGRES_AVAILABLE:
    DATABASES = {"default": env.db_url_config(TEST_DATABASE_URL)}
else:
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "test.sqlite3"}}
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

SECRET_KEY = "test-secret-key-not-for-production"
DEBUG = False
LOAD_DEMO = True
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
SITE_URL = "http://testserver"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Tasks run in-process unless a test starts a real worker against Redis.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = TEST_REDIS_URL
REDIS_URL = TEST_REDIS_URL

# Lock-outs are tested explicitly; a small limit keeps those tests short.
AXES_FAILURE_LIMIT = 3
