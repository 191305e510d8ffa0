"""Proposals, their teams, versions, files and deadline reminders."""

from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from partners.choices import Area, CooperationLevel, labels
from portal.choices import ChoiceLabels

from .. import resources
from .call import Call, CooperationMode, Platform, Stage
from .limits import ABSTRACT_LIMIT, DESCRIPTION_LIMIT, NOTE_LIMIT, SECTION_LIMIT


class ProposalQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        """As Django's, with each proposal's resource checks kept as `save()` keeps them."""
        objs = list(objs)
        for proposal in objs:
            proposal.resource_checks = resources.check(proposal, proposal.platform)
        return super().bulk_create(objs, *args, **kwargs)


class Proposal(ChoiceLabels, models.Model):
    """A payload or experiment proposal from a partner organisation to a call."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    Stage = Stage

    class Shortlist(models.TextChoices):
        NOT_DECIDED = "", _("Not decided")
        SHORTLISTED = "shortlisted", _("Shortlisted")
        NOT_SHORTLISTED = "not_shortlisted", _("Not shortlisted")

    class Compliance(models.TextChoices):
        NOT_CHECKED = "", _("Not checked")
        ELIGIBLE = "eligible", _("Eligible")
        NOT_ELIGIBLE = "not_eligible", _("Not eligible")

    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="proposals", verbose_name=_("call"))
    organisation = models.ForeignKey(
        "partners.Organisation", on_delete=models.PROTECT, related_name="proposals", verbose_name=_("lead organisation")
    )
    principal_investigator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="led_proposals", verbose_name=_("PI")
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    title_native = models.CharField(
        _("title in the team's own language"),
        max_length=200,
        blank=True,
        help_text=_("In the team's own script, e.g. 月震仪 or Сейсмометр; shown beside the English title."),
    )
    abstract = models.TextField(
        _("abstract"), blank=True, max_length=ABSTRACT_LIMIT, validators=[MaxLengthValidator(ABSTRACT_LIMIT)]
    )
    cooperation_level = models.CharField(
        _("cooperation level"), max_length=20, choices=CooperationLevel.choices, blank=True
    )
    cooperation_mode = models.CharField(
        _("cooperation mode"), max_length=20, choices=CooperationMode.choices, blank=True
    )
    areas = models.JSONField(_("areas"), default=list, blank=True)
    platform = models.ForeignKey(
        Platform, on_delete=models.PROTECT, null=True, blank=True, related_name="proposals", verbose_name=_("platform")
    )
    mass_kg = models.DecimalField(
        _("mass (kg)"), max_digits=8, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    average_power_w = models.DecimalField(
        _("average power (W)"), max_digits=8, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    peak_power_w = models.DecimalField(
        _("peak power (W)"), max_digits=8, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    length_mm = models.PositiveIntegerField(_("length (mm)"), null=True, blank=True)
    width_mm = models.PositiveIntegerField(_("width (mm)"), null=True, blank=True)
    height_mm = models.PositiveIntegerField(_("height (mm)"), null=True, blank=True)
    data_mb_per_day = models.DecimalField(
        _("data volume (MB/day)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    min_operating_temp_c = models.DecimalField(
        _("lowest operating temperature (°C)"), max_digits=6, decimal_places=1, null=True, blank=True
    )
    max_operating_temp_c = models.DecimalField(
        _("highest operating temperature (°C)"), max_digits=6, decimal_places=1, null=True, blank=True
    )
    trl_now = models.PositiveSmallIntegerField(
        _("TRL now"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(9)]
    )
    trl_delivery = models.PositiveSmallIntegerField(
        _("TRL at delivery"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(9)]
    )
    science_objectives = models.TextField(
        _("science objectives"),
        blank=True,
        max_length=DESCRIPTION_LIMIT,
        validators=[MaxLengthValidator(DESCRIPTION_LIMIT)],
    )
    heritage = models.TextField(
        _("heritage"), blank=True, max_length=SECTION_LIMIT, validators=[MaxLengthValidator(SECTION_LIMIT)]
    )
    schedule = models.TextField(
        _("schedule"), blank=True, max_length=SECTION_LIMIT, validators=[MaxLengthValidator(SECTION_LIMIT)]
    )

    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices, default=Stage.FULL)
    shortlist = models.CharField(_("shortlist"), max_length=20, choices=Shortlist.choices, blank=True, default="")
    compliance = models.CharField(_("compliance"), max_length=20, choices=Compliance.choices, blank=True, default="")
    compliance_reason = models.TextField(
        _("compliance note"), blank=True, max_length=NOTE_LIMIT, validators=[MaxLengthValidator(NOTE_LIMIT)]
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    # Changes saved to a submitted proposal before its deadline: a draft beside the submitted version, which
    # keeps counting until the team submits again. Field values as JSON; "team" holds the co-investigators.
    pending_changes = models.JSONField(null=True, blank=True, default=None)
    # The rules the proposal's own resource requests break on its platform (proposals.resources.check), kept
    # whenever it is saved with one of the fields they read: lists show them without comparing every row's
    # figures again. A change that bypasses save() (update(), raw SQL) is followed by `resources.check`.
    resource_checks = models.JSONField(default=dict, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProposalQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-pk"]
        indexes = [
            models.Index(fields=["call", "status"]),
            models.Index(fields=["organisation", "status"]),
            # Lists show the most recently changed first: one page reads 25 index entries instead of sorting all.
            models.Index(fields=["-updated_at", "-id"], name="proposal_recent_first"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(trl_now__isnull=True) | Q(trl_now__gte=1, trl_now__lte=9), name="proposal_trl_now_range"
            ),
            models.CheckConstraint(
                condition=Q(trl_delivery__isnull=True) | Q(trl_delivery__gte=1, trl_delivery__lte=9),
                name="proposal_trl_delivery_range",
            ),
            *[
                models.CheckConstraint(condition=LessThanOrEqual(Length(field), limit), name=f"proposal_{field}_length")
                for field, limit in (
                    ("abstract", ABSTRACT_LIMIT),
                    ("science_objectives", DESCRIPTION_LIMIT),
                    ("heritage", SECTION_LIMIT),
                    ("schedule", SECTION_LIMIT),
                )
            ],
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if update_fields is None or not resources.CHECKED_FIELDS.isdisjoint(update_fields):
            self.resource_checks = resources.check(self, self.platform)
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "resource_checks"}
        super().save(*args, **kwargs)

    @staticmethod
    def reference_of(call_reference, pk):
        """The reference of proposal `pk` in the call whose reference is `call_reference`: CE7-2026-0042."""
        return f"{call_reference.upper()}-{pk:04d}"

    @property
    def reference(self):
        return self.reference_of(self.call.reference, self.pk)

    @property
    def area_labels(self):
        return labels(Area, self.areas)

    @property
    def deadline(self):
        return self.call.deadline_for(self.stage)

    @property
    def is_editable_state(self):
        return self.status in (self.Status.DRAFT, self.Status.WITHDRAWN)

    @property
    def has_pending_changes(self):
        return self.status == self.Status.SUBMITTED and self.pending_changes is not None


class TeamMember(ChoiceLabels, models.Model):
    """A co-investigator: a portal user from a partner organisation, or a named external person; or someone
    invited by email who is not on the team until they accept (the row then holds only the address typed)."""

    class Status(models.TextChoices):
        MEMBER = "member", _("On the team")
        INVITED = "invited", _("Invited — waiting for acceptance")

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="team")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="team_memberships"
    )
    organisation = models.ForeignKey(
        "partners.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    full_name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email"), blank=True)
    organisation_name = models.CharField(_("organisation"), max_length=200)
    country = CountryField(_("country"), blank=True)
    role = models.CharField(_("role on the team"), max_length=100, blank=True, default="Co-investigator")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.MEMBER)
    invited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "user"], condition=Q(user__isnull=False), name="team_member_once_per_proposal"
            ),
            # An invitation is linked to an account only when it is accepted.
            models.CheckConstraint(
                condition=Q(status="member") | Q(user__isnull=True), name="team_invitation_has_no_account_yet"
            ),
        ]

    def __str__(self):
        return self.full_name

    @property
    def is_invited(self):
        return self.status == self.Status.INVITED


class ProposalVersion(models.Model):
    """An immutable snapshot of a proposal as submitted; reviewers read this, never the live draft."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    stage = models.CharField(max_length=10, choices=Proposal.Stage.choices)
    content = models.JSONField()
    content_hash = models.CharField(max_length=64)
    submitted_at = models.DateTimeField(default=timezone.now)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["proposal", "-number"]
        constraints = [models.UniqueConstraint(fields=["proposal", "number"], name="proposal_version_number_unique")]

    def __str__(self):
        return f"{self.proposal_id} v{self.number}"

    def save(self, *args, **kwargs):
        if self.pk:
            raise ValueError("A submitted version is immutable.")
        super().save(*args, **kwargs)


def attachment_path(instance, filename):
    return f"proposals/{instance.proposal_id}/{timezone.now():%Y%m%d%H%M%S}-{instance.sha256[:12]}.pdf"


def reviewer_copy_path(instance, filename):
    return f"proposals/{instance.proposal_id}/for-reviewers/{instance.pk}-{instance.sha256[:12]}.pdf"


class Attachment(ChoiceLabels, models.Model):
    """A PDF attached to a proposal; kept once a version refers to it, so versions stay readable."""

    class Kind(models.TextChoices):
        TECHNICAL = "technical", _("Technical description")
        SUPPORT_LETTER = "support_letter", _("Letter of support")
        OTHER = "other", _("Other")

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.TECHNICAL)
    file = models.FileField(upload_to=attachment_path)
    original_name = models.CharField(max_length=200)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    # Dual-anonymous calls: the copy reviewers get (no document information, no XMP), made at the first download,
    # and the team's names the file's own text was found to contain when it was uploaded.
    reviewer_copy = models.FileField(upload_to=reviewer_copy_path, blank=True)
    names_found = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return self.original_name


class DeadlineReminder(models.Model):
    """A reminder sent for a proposal ahead of a deadline; the unique key makes each one go out once."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="reminders")
    stage = models.CharField(max_length=10, choices=Proposal.Stage.choices)
    days_before = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["proposal", "stage", "days_before"], name="deadline_reminder_once")
        ]

    def __str__(self):
        return f"{self.proposal_id} {self.stage} −{self.days_before}d"


# Peer review ----------------------------------------------------------------------------------
