from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal.middleware import absolute_url
from portal.notifications.services import queue_email

User = get_user_model()


class EmailAuthenticationForm(AuthenticationForm):
    # No autofocus: the page's first Tab must reach "Skip to content", and a screen reader starts at the top.
    username = forms.EmailField(label=_("Email"), widget=forms.EmailInput(attrs={"autocomplete": "email"}))


class OutboxPasswordResetForm(PasswordResetForm):
    """Password reset through the outbox, also for people who have not chosen a password yet."""

    def get_users(self, email):
        return User.objects.filter(email__iexact=email, is_active=True)

    def send_mail(
        self, subject_template_name, email_template_name, context, from_email, to_email, html_email_template_name=None
    ):
        user = context["user"]
        link = absolute_url(reverse("accounts:password_reset_confirm", args=[context["uid"], context["token"]]))
        queue_email(to=to_email, recipient=user, template="password_reset", context={"user": user, "link": link})


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["full_name", "position", "language", "time_zone"]
