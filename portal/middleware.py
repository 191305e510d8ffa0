"""Per-request context that services use without being handed the request."""

from contextvars import ContextVar

from django.conf import settings
from django.utils import timezone

_base_url: ContextVar[str | None] = ContextVar("base_url", default=None)
_client_ip: ContextVar[str | None] = ContextVar("client_ip", default=None)


def current_base_url():
    """The address the portal is being reached on, or SITE_URL outside a request."""
    return _base_url.get() or settings.SITE_URL


def current_ip():
    return _client_ip.get()


def absolute_url(path):
    return current_base_url() + path


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        base_token = _base_url.set(f"{request.scheme}://{request.get_host()}")
        ip_token = _client_ip.set(request.META.get("REMOTE_ADDR"))
        user = getattr(request, "user", None)
        zone = getattr(user, "time_zone", None) if user is not None and user.is_authenticated else None
        if zone:
            timezone.activate(zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
            _base_url.reset(base_token)
            _client_ip.reset(ip_token)
