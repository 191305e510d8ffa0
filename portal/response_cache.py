"""Whole responses of the busiest read-only addresses, answered again while nothing in the database has changed.

A response is kept under a key made of everything it depends on besides the data (the address with its query,
the person or anonymous, the language, the time zone, the host and scheme, the API's media type) and of the
database's snapshot: PostgreSQL's `pg_current_snapshot()`, which names the transactions committed so far.
Every committed write, whichever way it is made (a model's save, QuerySet.update, bulk_create, raw SQL, a
Celery worker, another server), gives a different snapshot, so no copy made before it is found again: there is
nothing to forget by hand and no signal to miss. Someone who saves and reloads sees their change, because their
write committed before their next request read the snapshot. Any write anywhere starts every copy afresh, so
copies pay off while people read, not while they write; the snapshot is the whole PostgreSQL server's, so writes
to its other databases count too. The dashboard's figures keep their own version (portal/dashboard/caching.py):
they take most of a second to compute, so only changes to the rows they count replace them.

Copies also end with the clock, which changes some answers without a write: RESPONSE_CACHE_SECONDS (a minute)
after they were made (0 keeps nothing), and at the next deadline of any call (a call's stage and what may
still be submitted change then). An unreachable cache only means every answer is made afresh.

Not kept: anything but a 200 to a GET; the API in any format but JSON (the browsable API carries forms); a page
while messages wait to be shown (they belong to one answer); anything asked inside a transaction (its own
uncommitted writes do not change the snapshot, which is also why tests in a transaction see no copies); an
answer during whose making something was written (it could never be found again); and anything on another
database than PostgreSQL (no snapshot: the development server on SQLite keeps nothing).

Each visitor has their own CSRF token: pages are rendered with a placeholder where the token goes, and every
answer, first or repeated, gets the requester's own token put in its place.
"""

import hashlib
import logging
import math
import time
from functools import wraps

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.template.response import SimpleTemplateResponse
from django.utils import timezone
from django.utils.translation import get_language

logger = logging.getLogger(__name__)
CSRF_PLACEHOLDER = "csrf-token-placeholder-0c5d9e2f41b7"
_PLACEHOLDER_BYTES = CSRF_PLACEHOLDER.encode()
# Headers the portal's middleware adds to every answer, hit or miss; a copy keeps only the view's own.
_MIDDLEWARE_HEADERS = {"vary", "content-language", "content-length", "set-cookie"}


def database_snapshot():
    """The committed state of the database as text, or None where copies cannot be trusted (see above)."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_snapshot()::text")
        return cursor.fetchone()[0]


def _key(request, snapshot):
    user = request.user
    parts = [
        request.scheme,
        request.get_host(),
        request.get_full_path(),
        str(user.pk) if user.is_authenticated else "-",
        get_language() or "",
        timezone.get_current_timezone_name(),
        getattr(request, "accepted_media_type", ""),  # the API's, with its parameters (indent)
        snapshot,
    ]
    return "response:" + hashlib.blake2b("\n".join(parts).encode(), digest_size=20).hexdigest()


def _cacheable(request):
    if request.method != "GET":
        return False
    renderer = getattr(request, "accepted_renderer", None)
    if renderer is not None:  # the API
        return renderer.format == "json"
    return not len(get_messages(request))


def _django_request(request):
    return getattr(request, "_request", request)


def _cache_get(key):
    try:
        return cache.get(key)
    except Exception:  # noqa: BLE001 - whatever the backend raises, the answer is made afresh
        logger.warning("Response cache unreachable; answering afresh", exc_info=True)
        return None


def _cache_set(key, entry, timeout):
    try:
        cache.set(key, entry, timeout)
    except Exception:  # noqa: BLE001 - a copy not kept is only a later answer made afresh
        logger.warning("Response cache unreachable; copy not kept", exc_info=True)


def _put_token(request, response):
    if _PLACEHOLDER_BYTES in response.content:
        token = get_token(_django_request(request)).encode()
        response.content = response.content.replace(_PLACEHOLDER_BYTES, token)


def serve(request, build):
    """`build()`'s response, or the copy of it made since the database last changed."""
    if not settings.RESPONSE_CACHE_SECONDS or not _cacheable(request):
        return build()
    snapshot = database_snapshot()
    if snapshot is None:
        return build()
    key = _key(request, snapshot)
    started = time.time()
    entry = _cache_get(key)
    if entry is not None and entry["until"] > started:
        response = HttpResponse(entry["content"])
        for name, value in entry["headers"]:
            response[name] = value
        _put_token(request, response)
        return response

    page = _django_request(request)
    page.csrf_placeholder = True
    try:
        response = build()
    except BaseException:
        page.csrf_placeholder = False  # the error page is rendered afresh, with the real token
        raise

    def keep(response):
        page.csrf_placeholder = False
        # A copy is only kept if nothing was written while it was made: one made stale would never be found again,
        # and while people write (a deadline day) such copies would only fill the cache.
        if response.status_code == 200 and not response.streaming and database_snapshot() == snapshot:
            from proposals.selectors import next_deadline_after  # proposals' views import this module

            until = min(started + settings.RESPONSE_CACHE_SECONDS, next_deadline_after(started))
            if until > time.time():
                headers = [(name, value) for name, value in response.items() if name.lower() not in _MIDDLEWARE_HEADERS]
                entry = {"until": until, "headers": headers, "content": response.content}
                _cache_set(key, entry, math.ceil(until - started))
        _put_token(request, response)

    if isinstance(response, SimpleTemplateResponse):
        response.add_post_render_callback(keep)
    else:
        keep(response)
    return response


def cached_page(view):
    """A page view whose 200 answers to GET are kept until the database changes."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        return serve(request, lambda: view(request, *args, **kwargs))

    return wrapper


class CachedReadsMixin:
    """An API view set whose list and one-object answers in JSON are kept until the database changes."""

    def list(self, request, *args, **kwargs):
        return serve(request, lambda: super(CachedReadsMixin, self).list(request, *args, **kwargs))

    def retrieve(self, request, *args, **kwargs):
        return serve(request, lambda: super(CachedReadsMixin, self).retrieve(request, *args, **kwargs))


def csrf_placeholder(request):
    """Context processor: while a page is rendered to be kept, its CSRF token is the placeholder."""
    if getattr(request, "csrf_placeholder", False):
        return {"csrf_token": CSRF_PLACEHOLDER}
    return {}
