"""Missions, calls for proposals with the platforms they offer, proposals, their teams, versions and files."""

from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from partners.choices import Area, CooperationLevel, OrganisationKind, labels
from portal.i18n import in_reader_language

# Limits for long text, sized to the domain: an abstract as NSPIRES's 4,000-character proposal summary, the
# science case as a few pages, other sections and notes shorter. Forms, the API and the database all hold them.
ABSTRACT_LIMIT = 4000
DESCRIPTION_LIMIT = 12000
SECTION_LIMIT = 6000
NOTE_LIMIT = 3000


class Phase(models.TextChoices):
    RECONNAISSANCE = "reconnaissance", _("Reconnaissance")
    CONSTRUCTION_1 = "construction_1", _("Construction — first stage")
    CONSTRUCTION_2 = "construction_2", _("Construction — second stage")
    UTILISATION = "utilisation", _("Utilisation")


class CooperationMode(models.TextChoices):
    IN_KIND = "in_kind", _("In-kind (hardware, data or services)")
    NON_IN_KIND = "non_in_kind", _("Non-in-kind (funding, science team, data use)")


class PlatformKind(models.TextChoices):
    LANDER = "lander", _("Lander")
    ROVER = "rover", _("Rover")
    ORBITER = "orbiter", _("Orbiter")
    HOPPER = "hopper", _("Hopper")
    RELAY = "relay", _("Relay satellite")
    SURFACE_STATION = "surface_station", _("Surface station")


DEFAULT_CRITERIA = [
    {"key": "scientific_value", "name": "Scientific value", "weight": 40},
    {"key": "technical_feasibility", "name": "Technical feasibility", "weight": 40},
    {"key": "collaboration_diversity", "name": "Diversity of international collaboration", "weight": 20},
]


def default_criteria():
    return [dict(criterion) for criterion in DEFAULT_CRITERIA]


class Mission(models.Model):
    """A mission of the programme, in one of its phases."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    name_zh_hans = models.CharField(_("name in Chinese"), max_length=100, blank=True)
    name_ru = models.CharField(_("name in Russian"), max_length=100, blank=True)
    phase = models.CharField(_("phase"), max_length=20, choices=Phase.choices)
    target_launch_year = models.PositiveSmallIntegerField(_("target launch year"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["target_launch_year", "name"]

    def __str__(self):
        return self.name

    @property
    def local_name(self):
        return in_reader_language(self, "name")


class Call(models.Model):
    """A call for proposals on a mission: what it offers, until when, and how proposals are reviewed."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")
        UNDER_REVIEW = "under_review", _("Under review")
        DECIDED = "decided", _("Decided")

    class ConflictPolicy(models.TextChoices):
        ORGANISATION = "organisation", _("Same organisation")
        ORGANISATION_AND_COUNTRY = "organisation_and_country", _("Same organisation or same country")

    class Anonymity(models.TextChoices):
        SINGLE = "single", _("Single-anonymous (reviewers see the team)")
        DUAL = "dual", _("Dual-anonymous (reviewers do not see the team)")

    mission = models.ForeignKey(Mission, on_delete=models.PROTECT, related_name="calls", verbose_name=_("mission"))
    title = models.CharField(_("title"), max_length=200)
    title_zh_hans = models.CharField(_("title in Chinese"), max_length=200, blank=True)
    title_ru = models.CharField(_("title in Russian"), max_length=200, blank=True)
    reference = models.SlugField(_("reference"), max_length=40, unique=True, help_text=_("Short code, e.g. CE7-2026"))
    summary = models.CharField(
        _("summary"), max_length=300, blank=True, help_text=_("One or two sentences for the list of calls.")
    )
    summary_zh_hans = models.CharField(_("summary in Chinese"), max_length=300, blank=True)
    summary_ru = models.CharField(_("summary in Russian"), max_length=300, blank=True)
    description = models.TextField(
        _("description"), max_length=DESCRIPTION_LIMIT, validators=[MaxLengthValidator(DESCRIPTION_LIMIT)]
    )
    description_zh_hans = models.TextField(
        _("description in Chinese"),
        blank=True,
        max_length=DESCRIPTION_LIMIT,
        validators=[MaxLengthValidator(DESCRIPTION_LIMIT)],
    )
    description_ru = models.TextField(
        _("description in Russian"),
        blank=True,
        max_length=DESCRIPTION_LIMIT,
        validators=[MaxLengthValidator(DESCRIPTION_LIMIT)],
    )
    eligible_kinds = models.JSONField(
        _("eligible kinds of organisation"), default=list, blank=True, help_text=_("Empty means every kind.")
    )
    eligible_countries = models.JSONField(
        _("eligible countries"), default=list, blank=True, help_text=_("Empty means every country.")
    )
    has_letter_stage = models.BooleanField(_("letter-of-intent stage"), default=False)
    letter_deadline = models.DateTimeField(_("letter-of-intent deadline"), null=True, blank=True)
    deadline = models.DateTimeField(_("full proposal deadline"))
    time_zone = models.CharField(_("time zone of the deadlines"), max_length=64, default="Asia/Shanghai")
    criteria = models.JSONField(_("review criteria"), default=default_criteria)
    reviewers_per_proposal = models.PositiveSmallIntegerField(
        _("reviewers per proposal"), default=3, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    conflict_policy = models.CharField(
        _("conflict policy"), max_length=30, choices=ConflictPolicy.choices, default=ConflictPolicy.ORGANISATION
    )
    anonymity = models.CharField(_("anonymity"), max_length=10, choices=Anonymity.choices, default=Anonymity.SINGLE)
    review_deadline = models.DateTimeField(_("review deadline"), null=True, blank=True)
    bidding_deadline = models.DateTimeField(_("bidding deadline"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["deadline", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(has_letter_stage=False) | Q(letter_deadline__isnull=False),
                name="call_letter_stage_has_deadline",
            ),
            models.CheckConstraint(
                condition=Q(letter_deadline__isnull=True) | Q(letter_deadline__lt=models.F("deadline")),
                name="call_letter_deadline_before_deadline",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_public(self):
        return self.status != self.Status.DRAFT

    @property
    def local_title(self):
        """The title in the reader's language, English where it has none (and then marked as English)."""
        return in_reader_language(self, "title")

    @property
    def local_summary(self):
        return in_reader_language(self, "summary")

    @property
    def local_description(self):
        return in_reader_language(self, "description")

    @property
    def local_criteria(self):
        """The review criteria with each name in the reader's language: (name, weight) pairs."""
        return [(in_reader_language(criterion, "name"), criterion["weight"]) for criterion in self.criteria]

    @property
    def eligible_kind_labels(self):
        return labels(OrganisationKind, self.eligible_kinds)

    def current_stage(self, now=None):
        """The stage proposals are being written for now: letters until the letter deadline, then full."""
        now = now or timezone.now()
        if self.has_letter_stage and now <= self.letter_deadline:
            return Proposal.Stage.LETTER
        return Proposal.Stage.FULL

    def deadline_for(self, stage):
        return self.letter_deadline if stage == Proposal.Stage.LETTER else self.deadline

    @property
    def next_deadline(self):
        now = timezone.now()
        for moment in (self.letter_deadline if self.has_letter_stage else None, self.deadline):
            if moment and moment >= now:
                return moment
        return None


class Platform(models.Model):
    """A platform a call offers to partners' payloads, with its budgets and per-payload limits."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="platforms")
    kind = models.CharField(_("kind"), max_length=20, choices=PlatformKind.choices)
    name = models.CharField(_("name"), max_length=100)
    name_zh_hans = models.CharField(_("name in Chinese"), max_length=100, blank=True)
    name_ru = models.CharField(_("name in Russian"), max_length=100, blank=True)
    total_mass_kg = models.DecimalField(_("total mass (kg)"), max_digits=8, decimal_places=2)
    total_average_power_w = models.DecimalField(_("total average power (W)"), max_digits=8, decimal_places=2)
    total_data_mb_per_day = models.DecimalField(_("total data volume (MB/day)"), max_digits=10, decimal_places=2)
    max_mass_kg = models.DecimalField(_("mass per payload (kg)"), max_digits=8, decimal_places=2)
    max_average_power_w = models.DecimalField(_("average power per payload (W)"), max_digits=8, decimal_places=2)
    max_peak_power_w = models.DecimalField(_("peak power per payload (W)"), max_digits=8, decimal_places=2)
    max_length_mm = models.PositiveIntegerField(_("envelope length (mm)"))
    max_width_mm = models.PositiveIntegerField(_("envelope width (mm)"))
    max_height_mm = models.PositiveIntegerField(_("envelope height (mm)"))
    min_operating_temp_c = models.DecimalField(_("lowest operating temperature (°C)"), max_digits=6, decimal_places=1)
    max_operating_temp_c = models.DecimalField(_("highest operating temperature (°C)"), max_digits=6, decimal_places=1)

    class Meta:
        ordering = ["call", "pk"]

    def __str__(self):
        return self.name

    @property
    def local_name(self):
        return in_reader_language(self, "name")


class Proposal(models.Model):
    """A payload or experiment proposal from a partner organisation to a call."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Stage(models.TextChoices):
        LETTER = "letter", _("Letter of intent")
        FULL = "full", _("Full proposal")

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
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

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

    @property
    def reference(self):
        return f"{self.call.reference.upper()}-{self.pk:04d}"

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


class TeamMember(models.Model):
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


class Attachment(models.Model):
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


class ReviewerProfile(models.Model):
    """An independent expert: expertise, affiliation and how many proposals of one call they take."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reviewer_profile")
    expertise_areas = models.JSONField(_("areas of expertise"), default=list, blank=True)
    keywords = models.CharField(_("expertise keywords"), max_length=500, blank=True, help_text=_("Comma-separated."))
    affiliation = models.ForeignKey(
        "partners.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("partner organisation"),
    )
    external_affiliation = models.CharField(_("other affiliation"), max_length=200, blank=True)
    country = CountryField(_("country"), blank=True)
    max_load_per_call = models.PositiveSmallIntegerField(
        _("most proposals per call"), default=6, validators=[MinValueValidator(1), MaxValueValidator(50)]
    )
    is_technical = models.BooleanField(_("gives technical accommodation assessments"), default=False)

    def __str__(self):
        return str(self.user)

    @property
    def keyword_set(self):
        return {word.strip().lower() for word in self.keywords.split(",") if word.strip()}

    @property
    def area_labels(self):
        return labels(Area, self.expertise_areas)


class Conflict(models.Model):
    """A conflict of interest declared by a reviewer or set by an administrator, or an automatic one lifted; or one
    the applicants' naming of a reviewer on their team proposes, which counts only once an administrator confirms it."""

    class Kind(models.TextChoices):
        DECLARED = "declared", _("Declared by the reviewer")
        ADDED = "added", _("Added by an administrator")
        LIFTED = "lifted", _("Automatic conflict lifted by an administrator")
        PROPOSED = "proposed", _("Named on a team by the applicants; waiting for an administrator")
        DISMISSED = "dismissed", _("Named on a team by the applicants; dismissed by an administrator")

    # Only these keep a reviewer from a proposal; a proposed or dismissed one leaves the call's own rules to decide.
    STANDING = (Kind.DECLARED, Kind.ADDED)

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="conflicts")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conflicts")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    reason = models.TextField(_("reason"), max_length=NOTE_LIMIT, validators=[MaxLengthValidator(NOTE_LIMIT)])
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["proposal", "reviewer"], name="conflict_once_per_pair")]

    def __str__(self):
        return f"{self.reviewer_id} × {self.proposal_id} ({self.kind})"


class ReviewAssignment(models.Model):
    """A reviewer asked to review one proposal."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting reply")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        CLOSED = "closed", _("Closed: the call's decisions are out")

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="assignments")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assignments")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    match = models.PositiveIntegerField(_("expertise match"), default=0)
    reasons = models.JSONField(_("reasons for the match"), default=dict, blank=True)
    decline_reason = models.TextField(
        _("reason for declining"), blank=True, max_length=NOTE_LIMIT, validators=[MaxLengthValidator(NOTE_LIMIT)]
    )
    created_at = models.DateTimeField(auto_now_add=True)
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["proposal", "pk"]
        constraints = [models.UniqueConstraint(fields=["proposal", "reviewer"], name="assignment_once_per_pair")]

    def __str__(self):
        return f"{self.reviewer} → {self.proposal}"


class Review(models.Model):
    """A reviewer's scores and comments on one assignment."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")

    class Technical(models.TextChoices):
        FEASIBLE = "feasible", _("Feasible")
        FEASIBLE_WITH_CHANGES = "feasible_with_changes", _("Feasible with changes")
        NOT_FEASIBLE = "not_feasible", _("Not feasible")

    GRADES = {5: _("Excellent"), 4: _("Very good"), 3: _("Good"), 2: _("Fair"), 1: _("Poor")}

    assignment = models.OneToOneField(ReviewAssignment, on_delete=models.CASCADE, related_name="review")
    scores = models.JSONField(_("scores"), default=dict)
    strengths = models.TextField(
        _("strengths (shown to the applicants)"),
        blank=True,
        max_length=SECTION_LIMIT,
        validators=[MaxLengthValidator(SECTION_LIMIT)],
    )
    weaknesses = models.TextField(
        _("weaknesses (shown to the applicants)"),
        blank=True,
        max_length=SECTION_LIMIT,
        validators=[MaxLengthValidator(SECTION_LIMIT)],
    )
    confidential_comment = models.TextField(
        _("confidential comment for the panel"),
        blank=True,
        max_length=NOTE_LIMIT,
        validators=[MaxLengthValidator(NOTE_LIMIT)],
    )
    technical_assessment = models.CharField(
        _("technical accommodation"), max_length=30, choices=Technical.choices, blank=True
    )
    technical_notes = models.TextField(
        _("technical notes"), blank=True, max_length=NOTE_LIMIT, validators=[MaxLengthValidator(NOTE_LIMIT)]
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    submitted_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"Review of {self.assignment}"


class ReviewReminder(models.Model):
    """A reminder for an open review ahead of the review deadline; each goes out once."""

    assignment = models.ForeignKey(ReviewAssignment, on_delete=models.CASCADE, related_name="reminders")
    days_before = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["assignment", "days_before"], name="review_reminder_once")]

    def __str__(self):
        return f"{self.assignment_id} −{self.days_before}d"


class Decision(models.Model):
    """The outcome for one proposal; teams see it once the call's decisions are released."""

    class Outcome(models.TextChoices):
        SELECTED = "selected", _("Selected")
        SELECTABLE = "selectable", _("Selectable (waiting list)")
        NOT_SELECTED = "not_selected", _("Not selected")

    proposal = models.OneToOneField(Proposal, on_delete=models.CASCADE, related_name="decision")
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    note = models.TextField(
        _("note to the team"), blank=True, max_length=NOTE_LIMIT, validators=[MaxLengthValidator(NOTE_LIMIT)]
    )
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(auto_now=True)
    released_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.proposal_id}: {self.outcome}"


# Matching: reviewers' own writing, text affinity, bids -------------------------------------------


class ReviewerPublication(models.Model):
    """A piece of a reviewer's own writing (a publication's title and abstract) that their affinity is computed from."""

    class Source(models.TextChoices):
        PASTED = "pasted", _("Pasted")
        BIBTEX = "bibtex", _("BibTeX file")
        RIS = "ris", _("RIS file")
        CSV = "csv", _("CSV file")

    profile = models.ForeignKey(ReviewerProfile, on_delete=models.CASCADE, related_name="publications")
    title = models.CharField(_("title"), max_length=500, blank=True)
    abstract = models.TextField(_("abstract"), blank=True)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    doi = models.CharField(_("DOI"), max_length=200, blank=True)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.PASTED)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.title or self.abstract[:60]


class Affinity(models.Model):
    """How close a reviewer's expertise is to a proposal's text, computed by a task (proposals/affinity.py)."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="affinities")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="affinities")
    score = models.FloatField(_("affinity"))
    rank = models.PositiveIntegerField(_("rank of this reviewer for the proposal"))
    terms = models.JSONField(_("top shared terms"), default=list)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["proposal", "reviewer"], name="affinity_once_per_pair")]
        indexes = [models.Index(fields=["reviewer", "proposal"], name="affinity_reviewer_idx")]

    def __str__(self):
        return f"{self.reviewer_id} × {self.proposal_id}: {self.score:.3f}"


class Bid(models.Model):
    """A reviewer's wish to review a proposal, given before the assignment."""

    class Value(models.TextChoices):
        EAGER = "eager", _("Eager")
        WILLING = "willing", _("Willing")
        NOT_WILLING = "not_willing", _("Not willing")

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="bids")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bids")
    value = models.CharField(_("bid"), max_length=12, choices=Value.choices)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["proposal", "reviewer"], name="bid_once_per_pair")]

    def __str__(self):
        return f"{self.reviewer_id} × {self.proposal_id}: {self.value}"


class BidReminder(models.Model):
    """A reminder to bid ahead of a call's bidding deadline; each goes out once per reviewer."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="bid_reminders")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    days_before = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["call", "reviewer", "days_before"], name="bid_reminder_once")]

    def __str__(self):
        return f"{self.call_id} {self.reviewer_id} −{self.days_before}d"


class ReviewScore(models.Model):
    """A counted review's weighted score and its reviewer's z-score within the call, kept by proposals/scoring.py."""

    review = models.OneToOneField(Review, on_delete=models.CASCADE, primary_key=True, related_name="kept_score")
    # Derived rows, deleted with what they name (Django's cascade) and rebuilt at will: no database constraint, so
    # writing them takes no lock on the call, proposal or reviewer rows that a concurrent review save holds.
    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    weighted = models.FloatField()
    normalised = models.FloatField()

    class Meta:
        indexes = [models.Index(fields=["call", "reviewer"], name="review_score_call_reviewer")]

    def __str__(self):
        return f"{self.review_id}: {self.weighted} ({self.normalised:+.2f})"


class ProposalScore(models.Model):
    """A proposal's ranking figures over its counted reviews, kept by proposals/scoring.py; none while unreviewed."""

    # No database constraints, as for ReviewScore.
    proposal = models.OneToOneField(
        Proposal, on_delete=models.CASCADE, primary_key=True, related_name="kept_score", db_constraint=False
    )
    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    reviews = models.PositiveIntegerField()
    weighted = models.FloatField()
    normalised = models.FloatField()
    spread = models.FloatField()
    disagreement = models.BooleanField()

    class Meta:
        indexes = [models.Index(fields=["call", "-weighted"], name="proposal_score_call_weighted")]

    def __str__(self):
        return f"{self.proposal_id}: {self.weighted}"
