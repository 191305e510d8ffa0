"""The dashboard's figures are kept in the cache until the data they count changes.

At the size the programme expects (2,000 partners, 50,000 proposals, 150,000 reviews) the dashboard's
aggregate queries take more than half a second together, so their result is cached under a version token
that every save or delete of a counted row replaces: then no cached copy is reachable any more.

The token is replaced when the row is saved, before its transaction commits; figures computed in between
would still count the data as it was. So figures are only kept once SETTLE seconds have passed since the
last change, longer than any of the portal's transactions; until then every view computes them afresh.

Changes that send no signal (QuerySet.update, bulk_create, raw SQL) are not seen; copies expire after
FRESH_FOR anyway, which also rolls over the figures that depend on the clock (how long applications have
waited, which reviews are overdue). The token lives in the default cache, shared by every process when it
is Redis (REDIS_URL, as deployed); without Redis each process keeps its own, which suits a single
development server.
"""

import time
from uuid import uuid4

from django.core.cache import cache
from django.utils.translation import get_language

VERSION_KEY = "dashboard:data-version"
FRESH_FOR = 300
SETTLE = 10


def data_version():
    """The current token: a random part, and the time of the change that made it (0 before any change)."""
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, f"{uuid4().hex}:0", None)
        version = cache.get(VERSION_KEY) or f"{uuid4().hex}:0"
    return version


def changed_at(version):
    """When the change that made the token happened, in seconds since the epoch; 0 if unknown."""
    try:
        return float(version.rsplit(":", 1)[1])
    except (IndexError, ValueError):
        return 0.0


def forget_figures():
    """Make every cached copy unreachable, by replacing the version token."""
    cache.set(VERSION_KEY, f"{uuid4().hex}:{time.time():.3f}", None)


def data_changed(**kwargs):
    """Signal receiver: the counted data changed; forget every cached figure."""
    if kwargs.get("update_fields") and set(kwargs["update_fields"]) <= {"last_login"}:
        return  # signing in changes nothing the dashboard counts
    forget_figures()


def cached(name, key, build):
    """`build()`'s result, from the cache while the data has not changed since it was built."""
    version = data_version()
    cache_key = f"dashboard:{name}:{version}:{get_language()}:{key}"
    value = cache.get(cache_key)
    if value is None:
        started = time.time()
        value = build()
        if started - changed_at(version) >= SETTLE:
            cache.set(cache_key, value, FRESH_FOR)
    return value
