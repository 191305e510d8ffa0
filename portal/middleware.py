"""Per-request context that services use without being handed the request, and the portal's own middleware."""

import functools
import logging
from contextvars import ContextVar

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.conf.urls.i18n import is_language_prefix_patterns_used
from django.contrib.auth import SESSION_KEY
from django.contrib.messages.middleware import MessageMiddleware as DjangoMessageMiddleware
from django.contrib.messages.storage import default_storage
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.functional import SimpleLazyObject, empty

from portal.client import client_address, make_storable, storable
from portal.views import bad_request

access_log = logging.getLogger("portal.access")
REFUSALS = {401, 403, 404, 405, 409, 429}

# The request being answered: its client's address is worked out only if something records it.
_current_request: ContextVar = ContextVar("current_request", default=None)


def current_base_url():
    """The portal's address for links in emails: SITE_URL, never the Host a request arrived with (a request to
    another name or port of the server must not make the portal email links that point there)."""
    return settings.SITE_URL


def current_ip():
    request = _current_request.get()
    return None if request is None else client_address(request)


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
    if language and language != getattr(request, "LANGUAGE_CODE", None):
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


def _signed_in_user(request):
    """The person signed in to the pages with the request's session, or None. A session that names nobody (Django's
    sign-in keeps who in the session) answers without the user being looked up; an API token's owner is known
    only to the API's views."""
    session = getattr(request, "session", None)
    if session is None or SESSION_KEY not in session:
        return None
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


class RequestContextMiddleware:
    """The client's address for the audit log, and the signed-in person's language and time zone.

    One rule for the language: a signed-in person's saved language wins over the browser and the cookie; an
    anonymous person's choice from the switcher (the cookie) applies until they sign in; a signed-in browser's
    cookie is kept equal to the saved language, so it stays after signing out.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_token = _current_request.set(request)
        zone = None
        user = _signed_in_user(request)
        if user is not None:
            use_language(request, user)
            zone = user.time_zone
            if zone:
                timezone.activate(zone)
        try:
            response = self.get_response(request)
        finally:
            if zone:
                timezone.deactivate()
            _current_request.reset(request_token)
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
        user = _signed_in_user(request)
        if user is None:
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
        # One look at all of the request's text in META (headers, path, query string) finds nearly every request
        # clean; only one that holds such a character is looked at header by header.
        unclean = not storable("".join([value for value in meta.values() if value.__class__ is str]))
        if unclean:
            for key, value in meta.items():
                if (key.startswith("HTTP_") or key in ("CONTENT_TYPE", "REMOTE_ADDR", "REMOTE_HOST")) and (
                    isinstance(value, str) and not storable(value)
                ):
                    meta[key] = make_storable(value)
        # A quoted cookie value may spell NUL as an escape ("\\000"), which only parsing turns into the character:
        # such a cookie is not one the portal set, and is dropped (a session cookie so, a fresh anonymous session).
        if "\\" in meta.get("HTTP_COOKIE", ""):
            request.COOKIES = {
                name: value for name, value in request.COOKIES.items() if storable(name) and storable(value)
            }
        # The path and query parameters are decoded from the path and query string, which hold such a character
        # as it is or, in the query string, percent-encoded.
        if (unclean or "%" in meta.get("QUERY_STRING", "")) and (
            not storable(request.path_info)
            or not all(
                storable(name) and all(storable(value) for value in values) for name, values in request.GET.lists()
            )
        ):
            return bad_request(request)
        return self.get_response(request)


# What a response may carry to change its policy (django-csp's decorators set them).
_POLICY_CHANGES = frozenset(
    ("_csp_config", "_csp_update", "_csp_replace", "_csp_config_ro", "_csp_update_ro", "_csp_replace_ro")
)


@functools.cache
def _settings_policies():
    """The Content-Security-Policy headers the settings give, each with the path prefixes it leaves out: the same
    for every response that changes nothing in them, so written once (and again when a setting changes)."""
    policies = []
    for header, setting, report_only in (
        (HEADER, "CONTENT_SECURITY_POLICY", False),
        (HEADER_REPORT_ONLY, "CONTENT_SECURITY_POLICY_REPORT_ONLY", True),
    ):
        value = build_policy(report_only=report_only)
        if value:
            excluded = tuple((getattr(settings, setting, None) or {}).get("EXCLUDE_URL_PREFIXES") or ())
            exempt = "_csp_exempt_ro" if report_only else "_csp_exempt"
            policies.append((header, value, excluded, exempt))
    return tuple(policies)


@receiver(setting_changed)
def _forget_policies(*, setting, **kwargs):
    if setting in ("CONTENT_SECURITY_POLICY", "CONTENT_SECURITY_POLICY_REPORT_ONLY"):
        _settings_policies.cache_clear()


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, giving a response that changes nothing in the policy (no decorator on its view, no
    nonce used) the headers written once from the settings, instead of building them anew for each response."""

    def process_response(self, request, response):
        if (
            getattr(request, "_csp_nonce", None) is not None
            or not _POLICY_CHANGES.isdisjoint(vars(response))
            or (settings.DEBUG and response.status_code in (404, 500))
        ):
            return super().process_response(request, response)
        for header, value, excluded, exempt in _settings_policies():
            if (
                header not in response
                and getattr(response, exempt, False) is False
                and not request.path_info.startswith(excluded)
            ):
                response[header] = value
        # As django-csp does: a nonce asked for once the header is written could not be in it.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response


class LocaleMiddleware(DjangoLocaleMiddleware):
    """Django's, for addresses without a language prefix, which the portal's are: the language is the one Django
    picks from the cookie or Accept-Language, without Django's look for a language at the start of each path
    (for "/partners/" a lookup of a language called "partners", which fails uncached, twice a request)."""

    @staticmethod
    def _prefixed(request):
        return is_language_prefix_patterns_used(getattr(request, "urlconf", settings.ROOT_URLCONF))[0]

    def process_request(self, request):
        if self._prefixed(request):
            return super().process_request(request)
        translation.activate(translation.get_language_from_request(request))
        request.LANGUAGE_CODE = translation.get_language()
        return None

    def process_response(self, request, response):
        if self._prefixed(request):
            return super().process_response(request, response)
        patch_vary_headers(response, ("Accept-Language",))
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


class MessageMiddleware(DjangoMessageMiddleware):
    """Django's, making the messages' storage (a signed cookie, then the session) when a message is first added or
    read rather than on every request: a request that does neither leaves the stored messages as they are, as
    Django's storage does when it goes unused."""

    def process_request(self, request):
        request._messages = SimpleLazyObject(functools.partial(default_storage, request))

    def process_response(self, request, response):
        storage = getattr(request, "_messages", None)
        if isinstance(storage, SimpleLazyObject) and storage._wrapped is empty:
            return response
        return super().process_response(request, response)
