import contextlib

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import i18n
from django_ratelimit.decorators import ratelimit

from portal.errors import DomainError
from portal.views import rate_limit

from . import selectors, services
from .auth import sign_in_backend
from .forms import EmailAuthenticationForm, OutboxPasswordResetForm, ProfileForm


# Per address, beside the per-account lock-out (django-axes): one client cannot try password after password
# across many accounts.
@method_decorator(ratelimit(key="ip", rate=rate_limit("RATELIMIT_LOGIN"), method="POST", block=True), name="post")
class LoginView(auth_views.LoginView):
    form_class = EmailAuthenticationForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


@method_decorator(
    ratelimit(key="ip", rate=rate_limit("RATELIMIT_PASSWORD_RESET"), method="POST", block=True), name="post"
)
class PasswordResetView(auth_views.PasswordResetView):
    form_class = OutboxPasswordResetForm
    template_name = "accounts/password_reset.html"
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Choosing a password from an emailed link signs the person in and takes them to their home page."""

    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:home")
    post_reset_login = True

    @property
    def post_reset_login_backend(self):
        return sign_in_backend()

    def dispatch(self, *args, **kwargs):
        response = super().dispatch(*args, **kwargs)
        if self.validlink or response.status_code != 200:  # the form, or the redirect a valid link opens with
            return response
        # A used, expired or altered link answers as every dead link of an email does: 400, the same page.
        context = {"renew_url": reverse("accounts:password_reset"), "renew_label": _("Ask for a new one.")}
        return render(self.request, "partners/link_invalid.html", context, status=400)

    def form_valid(self, form):
        first = not self.user.has_usable_password()
        with transaction.atomic():
            response = super().form_valid(form)
            services.record_password_change(user=self.user, first=first)
        messages.success(self.request, _("Your password is set and you are signed in."))
        return response


@login_required
def home(request):
    """Each person's starting point: the work waiting for them, one section per role they hold."""
    context = {"membership": request.user.partner_membership, **selectors.home_sections(request.user)}
    return render(request, "accounts/home.html", context)


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your profile has been saved."))
        return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form})


def set_language(request):
    """The language switcher (a plain form, no script needed): Django's set_language, which sets the cookie and
    follows a safe `next`; a signed-in person's choice is saved to their account as well."""
    if request.method == "POST" and request.user.is_authenticated:
        # An unknown language changes nothing, as in Django's view.
        with contextlib.suppress(DomainError):
            services.save_language(user=request.user, language=request.POST.get("language", ""))
    return i18n.set_language(request)
