"""Settings for the Celery workers the fault tests start as separate processes.

The test passes what differs in the environment: the test database, the broker, the mailbox directory and
a short broker visibility timeout, so the message of a killed worker comes back within the test.
"""

from portal.settings.test import *  # noqa: F403
from portal.settings.test import DATABASES, env

DATABASES["default"]["NAME"] = env("FAULT_DATABASE_NAME")
CELERY_TASK_ALWAYS_EAGER = False
CELERY_BROKER_URL = env("CELERY_BROKER_URL")
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT"),
    # Look for abandoned messages every second instead of every 100 s.
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
EMAIL_BACKEND = "tests.faults.mail.GatedBackend"
FAULT_MAILBOX = env("FAULT_MAILBOX")
