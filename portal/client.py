"""What the portal knows of the client at the other end of a request: its address, and input it may keep.

One function gives the client's address to everything that counts or records addresses: the sign-in lock-out
(django-axes), the page limits (django-ratelimit), the API throttles (DRF), the audit log and the log of refused
requests. Headers a client writes itself, such as `X-Forwarded-For`, are believed only as far as the configured
number of proxies in front of the portal (`TRUSTED_PROXY_COUNT`) vouches for them.
"""

import ipaddress
import re

from django.conf import settings


def _address(value):
    """`value` as a normalised IP address, or None if it is not one."""
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_address(request):
    """The address of the client that sent `request`.

    With no trusted proxy (`TRUSTED_PROXY_COUNT=0`, the default) it is the address of the connection,
    REMOTE_ADDR, whatever `X-Forwarded-For` says. With N trusted proxies, each appends the address it was
    reached from to `X-Forwarded-For`, so the N-th entry from the right was written by the outermost trusted
    proxy: that is the client. Entries further left were written by the client and count for nothing. A chain
    shorter than N, or an entry that is not an address, means the request did not come through the proxies as
    configured: the connection's address is used.
    """
    remote = request.META.get("REMOTE_ADDR") or ""
    trusted = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if trusted > 0:
        forwarded = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= trusted:
            address = _address(forwarded[-trusted])
            if address:
                return address
    return _address(remote) or remote


# Characters a PostgreSQL text (or jsonb) value cannot hold: NUL, and the halves of a surrogate pair, which are
# not characters at all (JSON's "\\ud800" decodes to one; no encoding can write it).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def storable(value):
    """True if the text `value` can be stored as it is."""
    return _UNSTORABLE.search(value) is None


def make_storable(value):
    """`value` with "?" for each character that cannot be stored: still writable in a header (Latin-1), and a
    token or session key so changed names none, where one with the character simply removed could."""
    return _UNSTORABLE.sub("?", value)
