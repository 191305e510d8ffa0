from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from .choices import Area, CooperationLevel, OrganisationKind, labels

# Longest text a person may write: an organisation's description, and a reason given for a decision.
DESCRIPTION_LIMIT = 4000
REASON_LIMIT = 4000

# Webmail domains say nothing about which organisation someone belongs to.
PUBLIC_EMAIL_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "yahoo.com",
        "outlook.com",
        "hotmail.com",
        "mail.ru",
        "yandex.ru",
        "qq.com",
        "163.com",
        "126.com",
        "icloud.com",
        "proton.me",
        "protonmail.com",
        "aol.com",
    }
)


def email_domain(email):
    domain = email.rsplit("@", 1)[-1].lower() if email and "@" in email else ""
    return "" if domain in PUBLIC_EMAIL_DOMAINS else domain


class OrganisationProfile(models.Model):
    """What an organisation says about itself, on its application and once it is a partner."""

    name = models.CharField(_("organisation name (English)"), max_length=200)
    native_name = models.CharField(_("name in the organisation's own language"), max_length=200, blank=True)
    kind = models.CharField(_("kind of organisation"), max_length=32, choices=OrganisationKind.choices)
    country = CountryField(_("country"), blank=True, help_text=_("Leave empty for an international organisation."))
    city = models.CharField(_("city"), max_length=100, blank=True)
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(
        _("description"), blank=True, max_length=DESCRIPTION_LIMIT, validators=[MaxLengthValidator(DESCRIPTION_LIMIT)]
    )
    areas = models.JSONField(_("areas of interest"), default=list, blank=True)
    cooperation_levels = models.JSONField(_("cooperation levels of interest"), default=list, blank=True)

    PROFILE_FIELDS = (
        "name",
        "native_name",
        "kind",
        "country",
        "city",
        "website",
        "description",
        "areas",
        "cooperation_levels",
    )

    class Meta:
        abstract = True

    def area_labels(self):
        return labels(Area, self.areas)

    def cooperation_level_labels(self):
        return labels(CooperationLevel, self.cooperation_levels)


class Organisation(OrganisationProfile):
    """A partner of the programme: an approved organisation whose people work in the portal."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")

    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE)
    status_reason = models.TextField(
        _("reason for the current status"),
        blank=True,
        max_length=REASON_LIMIT,
        validators=[MaxLengthValidator(REASON_LIMIT)],
    )
    joined_on = models.DateField(_("joined"), default=timezone.localdate)
    email_domain = models.CharField(_("email domain"), max_length=200, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("partner organisation")
        verbose_name_plural = _("partner organisations")
        indexes = [models.Index(fields=["country", "kind"]), models.Index(fields=["status"])]

    def __str__(self):
        return self.name

    @property
    def is_active(self):
        return self.status == self.Status.ACTIVE


class Registration(OrganisationProfile):
    """An organisation's application to join the programme."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Awaiting email verification")
        PENDING_REVIEW = "pending_review", _("Pending review")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED, db_index=True
    )
    contact_name = models.CharField(_("contact person"), max_length=200)
    contact_position = models.CharField(_("contact's position"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact's email"))
    email_domain = models.CharField(max_length=200, blank=True, db_index=True)
    terms_accepted_at = models.DateTimeField(_("terms accepted"))
    language = models.CharField(_("language"), max_length=10, default=settings.LANGUAGE_CODE)
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)
    email_verified_at = models.DateTimeField(_("email verified"), null=True, blank=True)
    queued_at = models.DateTimeField(_("in the review queue since"), null=True, blank=True, db_index=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision_reason = models.TextField(
        _("reason"), blank=True, max_length=REASON_LIMIT, validators=[MaxLengthValidator(REASON_LIMIT)]
    )
    organisation = models.OneToOneField(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="registration"
    )

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.email_domain = email_domain(self.contact_email)
        super().save(*args, **kwargs)


class Membership(models.Model):
    """A person's place in a partner organisation; a person belongs to at most one."""

    class Role(models.TextChoices):
        MEMBER = "member", _("Partner member")
        ADMIN = "admin", _("Partner admin")

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(_("joined"), default=timezone.now)

    class Meta:
        ordering = ["-role", "user__full_name"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self):
        return f"{self.user} ({self.organisation})"

    @property
    def is_admin(self):
        return self.role == self.Role.ADMIN


class Invitation(models.Model):
    """A partner admin's invitation for a colleague to join the organisation in the portal."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        REVOKED = "revoked", _("Revoked")
        EXPIRED = "expired", _("Expired")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("email"))
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("sent"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self):
        return f"{self.email} → {self.organisation}"

    @property
    def status(self):
        if self.accepted_at:
            return self.Status.ACCEPTED
        if self.revoked_at:
            return self.Status.REVOKED
        if self.expires_at <= timezone.now():
            return self.Status.EXPIRED
        return self.Status.PENDING

    def get_status_display(self):
        return self.Status(self.status).label
