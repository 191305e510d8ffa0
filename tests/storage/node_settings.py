"""Settings of the web nodes and the worker the two-node test starts: production's own.

Everything that differs comes from the environment, as in a deployment (database, Redis, STORAGE_URL, each
node's MEDIA_ROOT, plain HTTP on 127.0.0.1). Two things are the test suite's: static files are served unhashed
(no collectstatic before the test), and passwords use the test suite's fast hasher, so the people the test
makes in its own process can sign in on the nodes.
"""

from portal.settings.production import *  # noqa: F403
from portal.settings.production import STORAGES

STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
