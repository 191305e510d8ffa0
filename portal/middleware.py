"""Per-request context that services use without being handed the request."""

import logging
from contextvars import ContextVar

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.utils import timezone, translation

from portal.client import client_address, make_storable, storable
from portal.views import bad_request

access_log = logging.getLogger("portal.access")
REFUSALS = {401, 403, 404, 405, 409, 429}

_client_ip: ContextVar[str | None] = ContextVar("client_ip", default=None)


def current_base_url():
    """The portal's address for links in emails: SITE_URL, never the Host a request arrived with (a request to
    another name or port of the server must not make the portal email links that point there)."""
    return settings.SITE_URL


def current_ip():
    return _client_ip.get()


def absolute_url(path):
    return current_base_url() + path


def supported_language(code):
    """The configured language `code` stands for, or None (an applicant may have used one the portal lacks)."""
    try:
        return translation.get_supported_language_variant(code or "")
    except LookupError:
        return None


def new_account_language(code=None):
    """The language a new account starts with: `code` if the portal has it, else the language of this request."""
    return supported_language(code) or supported_language(translation.get_language()) or settings.LANGUAGE_CODE


def use_language(request, user):
    """Answer a signed-in person in their saved language, whatever the browser asks for."""
    language = supported_language(user.language)
    if language:
        translation.activate(language)
        request.LANGUAGE_CODE = language


def remember_language(response, language):
    """Set the language cookie as Django's set_language view does."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


class RequestContextMiddleware:
    """The client's address for the audit log, and the signed-in person's language and time zone.

    One rule for the language: a signed-in person's saved language wins over the browser and the cookie; an
    anonymous person's choice from the switcher (the cookie) applies until they sign in; a signed-in browser's
    cookie is kept equal to the saved language, so it stays after signing out.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        ip_token = _client_ip.set(client_address(request))
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            use_language(request, user)
            if user.time_zone:
                timezone.activate(user.time_zone)
        try:
            response = self.get_response(request)
        finally:
            timezone.deactivate()
            _client_ip.reset(ip_token)
        self._keep_language_cookie(request, response)
        self._log_refusal(request, response)
        return response

    @staticmethod
    def _log_refusal(request, response):
        # Every refused request, for whoever investigates later: who (the account, or the address alone), what,
        # and how it was answered. A forbidden object answers 404 like a missing one, so 404s are kept too. The
        # query string is left out: it is not needed and could carry what should not be logged.
        if response.status_code not in REFUSALS:
            return
        user = getattr(request, "user", None)
        who = f"user {user.pk}" if user is not None and user.is_authenticated else "anonymous"
        access_log.warning(
            "refused %s %s %s: %s from %s",
            request.method,
            request.path,
            response.status_code,
            who,
            client_address(request),
        )

    @staticmethod
    def _keep_language_cookie(request, response):
        # Who is signed in now: the sign-in page has just signed someone in, the sign-out page out. A token
        # user of the API has no session and is given no cookie.
        user = getattr(request, "user", None)
        session = getattr(request, "session", None)
        if user is None or not user.is_authenticated or session is None or SESSION_KEY not in session:
            return
        language = supported_language(user.language)
        if language and request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != language:
            remember_language(response, language)


class CleanInputMiddleware:
    """Input no text column can hold never reaches the rest of the portal.

    A NUL byte (or half a surrogate pair) in a header would make PostgreSQL refuse the row that records it (the
    sign-in lock-out keeps each attempt's User-Agent): the request would fail, and the attempt go uncounted. So
    in every header value — User-Agent, X-Forwarded-For, Referer, Cookie, Authorization, … — such a character
    becomes "?": a token or session key so changed names none and is answered as none (401, or a fresh anonymous
    session). A cookie that holds one only once read (a quoted "\\000") is dropped. A path or query
    parameter holding one is refused with a 400 (JSON under /api/). Bodies are read by the forms and the API's
    parser, which refuse such text field by field. First in MIDDLEWARE, so nothing reads a header before.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        meta = request.META
        for key, value in meta.items():
            if (key.startswith("HTTP_") or key in ("CONTENT_TYPE", "REMOTE_ADDR", "REMOTE_HOST")) and (
                isinstance(value, str) and not storable(value)
            ):
                meta[key] = make_storable(value)
        # A quoted cookie value may spell NUL as an escape ("\\000"), which only parsing turns into the character:
        # such a cookie is not one the portal set, and is dropped (a session cookie so, a fresh anonymous session).
        request.COOKIES = {name: value for name, value in request.COOKIES.items() if storable(name) and storable(value)}
        if not storable(request.path_info) or not all(
            storable(name) and all(storable(value) for value in values) for name, values in request.GET.lists()
        ):
            return bad_request(request)
        return self.get_response(request)
