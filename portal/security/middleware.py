import functools

from django.contrib import messages
from django.contrib.auth import SESSION_KEY
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.middleware import OTPMiddleware as DjangoOTPMiddleware

from . import services

# What a sign-in that still owes its second factor may reach: the step that asks for it, the passkey ceremony,
# signing out and the language switcher.
VERIFY_OPEN = {
    "security:verify",
    "otp_webauthn:credential-authentication-begin",
    "otp_webauthn:credential-authentication-complete",
    "otp_webauthn:js-i18n-catalog",
    "accounts:logout",
    "set_language",
}
# What someone whose time to enrol is over may reach: the enrolment pages (and the above).
ENROL_OPEN = VERIFY_OPEN | {
    "security:overview",
    "security:authenticator",
    "otp_webauthn:credential-registration-begin",
    "otp_webauthn:credential-registration-complete",
}


class OTPMiddleware(DjangoOTPMiddleware):
    """django-otp's, looking up the device a sign-in gave as its second factor only when something asks whether
    the sign-in is verified (`user.is_verified()`, which then sets `user.otp_device` too), not on every request:
    the gate below reads what a sign-in owes from its session, so most requests never ask."""

    def _verify_user_sync(self, request, user):
        if not (user.is_authenticated and request.session.get(DEVICE_ID_SESSION_KEY)):
            return super()._verify_user_sync(request, user)  # no device named: nothing to look up
        user.is_verified = functools.partial(self._is_verified, request, user)
        return user

    def _is_verified(self, request, user):
        if "otp_device" not in vars(user):  # django-otp's login() sets it when a factor is given now
            persistent_id = request.session.get(DEVICE_ID_SESSION_KEY)
            device = self._device_from_persistent_id(persistent_id) if persistent_id else None
            user.otp_device = self._finalize_device(request, user, device)
        return user.otp_device is not None


class SecondFactorMiddleware:
    """Holds a sign-in at the second-factor step until it is given, and someone who must enrol and is past their
    time at the enrolment pages; notes when each sign-in was last seen. Reads only the session on each request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        session = getattr(request, "session", None)
        # A session that names nobody is not signed in (Django's sign-in keeps who in the session): nothing is
        # owed and nothing to note, and the user is not even looked up.
        if session is None or SESSION_KEY not in session:
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        services.touch_session(request=request, user=user)
        session = request.session
        name = request.resolver_match.view_name if request.resolver_match else ""
        if (session.get(services.PENDING) or session.get(services.ENROL_BY)) and user.is_verified():
            session.pop(services.PENDING, None)
            session.pop(services.ENROL_BY, None)
            return None
        if session.get(services.PENDING) and name not in VERIFY_OPEN:
            return self._refuse(
                request,
                _("Give your second factor to continue."),
                "security:verify",
            )
        enrol_by = parse_datetime(session.get(services.ENROL_BY) or "")
        if enrol_by is not None and enrol_by <= timezone.now() and name not in ENROL_OPEN:
            return self._refuse(
                request,
                _("Your role requires a second factor: set one up to continue."),
                "security:overview",
            )
        return None

    @staticmethod
    def _refuse(request, message, to):
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message}, status=403)
        url = reverse(to)
        if to == "security:verify" and request.method == "GET":
            url += "?" + urlencode({"next": request.get_full_path()})
        elif to != "security:verify":
            messages.warning(request, message)
        return redirect(url)
