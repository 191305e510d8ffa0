import base64

import segno
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp_webauthn.models import WebAuthnCredential

from portal.errors import DomainError
from portal.permissions import requires

from . import exports, selectors, services
from .forms import ClosureRequestForm, CodeForm, EndEverywhereForm
from .models import ApiTokenRecord, ClosureRequest, SignedInSession
from .permissions import can_complete_closures, requires_second_factor


def _next_url(request):
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return url
    return reverse("accounts:home")


@require_GET
@login_required
def overview(request):
    """The person's second factors, sign-ins and API tokens, and their own data."""
    user = request.user
    current_key = request.session.session_key
    sessions = selectors.sessions_of(user)
    for signed_in in sessions:
        signed_in.device = selectors.describe_device(signed_in.user_agent)
        signed_in.is_current = signed_in.session_key == current_key
    tokens = selectors.tokens_of(user)
    for record in tokens:
        record.device = selectors.describe_device(record.user_agent)
    return render(
        request,
        "security/overview.html",
        {
            "authenticator": selectors.authenticator_of(user),
            "recovery_codes_left": selectors.recovery_codes_left(user),
            "passkeys": selectors.passkeys_of(user),
            "sessions": sessions,
            "tokens": tokens,
            "requires_second_factor": requires_second_factor(user),
            "enrol_by": selectors.enrol_by(user),
            "closure_request": selectors.open_closure_request(user),
            "end_everywhere_form": EndEverywhereForm(),
            "can_complete_closures": can_complete_closures(user),
        },
    )


@login_required
def verify(request):
    """The second step of signing in, for people with a second factor: a code, a recovery code or a passkey."""
    next_url = _next_url(request)
    if not request.session.get(services.PENDING):
        return redirect(next_url)
    user = request.user
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = services.check_second_factor(request=request, user=user, code=form.cleaned_data["code"])
        if getattr(request, "axes_locked_out", False):
            logout(request)
            return render(request, "accounts/locked_out.html", status=429)
        if device is not None:
            services.start_sign_in_verified(request=request, device=device)
            if isinstance(device, StaticDevice):
                left = device.token_set.count()
                messages.warning(
                    request,
                    _("You used a recovery code; %(count)s are left. Make new ones on the Security page.")
                    % {"count": left},
                )
            return redirect(next_url)
        form.add_error("code", _("That code is not right, or it has already been used."))
    return render(
        request,
        "security/verify.html",
        {"form": form, "next": next_url, "has_passkey": bool(selectors.passkeys_of(user))},
    )


@login_required
def authenticator(request):
    """Set up an authenticator app: scan the code, confirm with the 6 digits it shows, keep the recovery codes."""
    user = request.user
    device = services.start_authenticator(user=user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.confirm_authenticator(
                request=request, user=user, device=device, code=form.cleaned_data["code"]
            )
        except DomainError as error:
            form.add_error("code", error.message)
        else:
            messages.success(request, _("Your authenticator app is set up."))
            return render(request, "security/recovery_codes.html", {"codes": codes})
    qr = segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return render(request, "security/authenticator.html", {"form": form, "qr": qr, "secret": secret})


@require_POST
@login_required
def recovery_codes(request):
    try:
        codes = services.new_recovery_codes(user=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("security:overview")
    return render(request, "security/recovery_codes.html", {"codes": codes})


@require_POST
@login_required
def remove_authenticator(request):
    services.remove_authenticator(request=request, user=request.user)
    messages.success(request, _("The authenticator app has been removed."))
    return redirect("security:overview")


@require_POST
@login_required
def remove_passkey(request, pk):
    credential = get_object_or_404(WebAuthnCredential, pk=pk, user=request.user)
    services.remove_passkey(request=request, user=request.user, credential=credential)
    messages.success(request, _("The passkey has been removed."))
    return redirect("security:overview")


@require_POST
@login_required
def end_session(request, pk):
    signed_in = get_object_or_404(SignedInSession, pk=pk, user=request.user)
    current = signed_in.session_key == request.session.session_key
    services.end_session(user=request.user, signed_in_session=signed_in)
    if current:
        logout(request)
        return redirect("accounts:login")
    messages.success(request, _("That sign-in has been signed out."))
    return redirect("security:overview")


@require_POST
@login_required
def end_everywhere(request):
    form = EndEverywhereForm(request.POST)
    include_current = form.is_valid() and form.cleaned_data["include_current"]
    keep = None if include_current else request.session.session_key
    services.end_everywhere(user=request.user, keep_session_key=keep)
    if include_current:
        logout(request)
        return redirect("accounts:login")
    messages.success(request, _("You have been signed out everywhere else, and your API tokens have ended."))
    return redirect("security:overview")


@require_POST
@login_required
def revoke_token(request, pk):
    record = ApiTokenRecord.objects.filter(pk=pk, user=request.user).first()
    if record is None:
        raise Http404
    services.revoke_token(user=request.user, record=record)
    messages.success(request, _("The API token has ended."))
    return redirect("security:overview")


@require_GET
@login_required
def own_data(request):
    """Everything the portal holds about the signed-in person, as a JSON download."""
    response = JsonResponse(exports.own_data(request.user), json_dumps_params={"indent": 2, "ensure_ascii": False})
    response["Content-Disposition"] = 'attachment; filename="my-ilrs-portal-data.json"'
    return response


@login_required
def request_closure(request):
    """A person asks for their account to be closed."""
    open_request = selectors.open_closure_request(request.user)
    form = ClosureRequestForm(request.POST or None)
    if request.method == "POST" and open_request is None and form.is_valid():
        try:
            services.request_closure(user=request.user, reason=form.cleaned_data["reason"])
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Your request has been sent. An administrator will close your account."))
        return redirect("security:overview")
    return render(request, "security/request_closure.html", {"form": form, "open_request": open_request})


@require_GET
@requires(can_complete_closures)
def closure_requests(request):
    """Programme administrators: the accounts people asked to close."""
    return render(request, "security/closure_requests.html", {"requests": list(selectors.closure_requests())})


@require_POST
@requires(can_complete_closures)
def complete_closure(request, pk):
    closure = get_object_or_404(ClosureRequest, pk=pk)
    try:
        services.complete_closure(closure=closure, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The account has been closed."))
    return redirect("security:closure_requests")
