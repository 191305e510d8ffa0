from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.http import urlencode
from django.utils.translation import gettext as _

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


class SecondFactorMiddleware:
    """Holds a sign-in at the second-factor step until it is given, and someone who must enrol and is past their
    time at the enrolment pages; notes when each sign-in was last seen. Reads only the session on each request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not hasattr(request, "session"):
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
