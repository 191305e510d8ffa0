from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.authtoken.models import Token


class SignedInSession(models.Model):
    """One sign-in to the pages, beside Django's own session (whatever its engine): what its owner sees of it."""

    session_key = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="signed_in_sessions")
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    created_at = models.DateTimeField(_("signed in at"), default=timezone.now)
    last_seen_at = models.DateTimeField(_("last seen"), default=timezone.now)

    class Meta:
        ordering = ["-last_seen_at", "-pk"]

    def __str__(self):
        return f"{self.user} @ {self.created_at:%Y-%m-%d %H:%M}"


class ApiTokenRecord(models.Model):
    """Where and when an API token was issued, and when it was last used; it ends with its token."""

    token = models.OneToOneField(Token, on_delete=models.CASCADE, related_name="record")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_token_records")
    # The sign-in to the pages the token was asked for from, if any: signing out of it ends the token.
    session_key = models.CharField(max_length=64, blank=True)
    user_agent = models.CharField(_("client"), max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    # When it was last used is kept in the cache (services.touch_token): no database write on the API's path.
    created_at = models.DateTimeField(_("issued at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.user} token @ {self.created_at:%Y-%m-%d %H:%M}"


class SecondFactorGrace(models.Model):
    """When a person whose role requires a second factor first signed in under that rule: their time to enrol
    (MFA_GRACE_DAYS) counts from then."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True)
    started_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"{self.user} since {self.started_at:%Y-%m-%d}"


class ClosureRequest(models.Model):
    """A person's request that their account be closed; an administrator completes it."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        COMPLETED = "completed", _("Completed")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="closure_requests")
    reason = models.TextField(_("reason"), max_length=2000, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.REQUESTED)
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=models.Q(status="requested"), name="security_one_open_closure_request"
            )
        ]

    def __str__(self):
        return f"{self.user}: {self.get_status_display()}"
