from django.shortcuts import render
from rest_framework.response import Response


def axes_username(request, credentials):
    """Lock-outs count per lower-cased email, whichever form or API the attempt came through."""
    value = (credentials or {}).get("username") or request.POST.get("username", "")
    return str(value).strip().lower()


def lockout_response(request, original_response=None, credentials=None):
    """People see the locked-out page; an API endpoint keeps its own JSON answer (403), not an HTML page."""
    if isinstance(original_response, Response):
        return original_response
    return render(request, "accounts/locked_out.html", status=429)


def sign_in_backend():
    """The backend that signs people in with their password (not the lock-out or the permission backend)."""
    from django.conf import settings

    return next(backend for backend in settings.AUTHENTICATION_BACKENDS if not backend.startswith(("axes.", "rules.")))
