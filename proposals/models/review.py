"""Reviewers, conflicts, assignments, reviews, decisions, matching and the kept scores."""

from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from partners.choices import Area, labels
from portal.choices import ChoiceLabels

from .call import Call
from .limits import NOTE_LIMIT, SECTION_LIMIT
from .proposal import Proposal


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


class Conflict(ChoiceLabels, models.Model):
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


class ReviewAssignment(ChoiceLabels, models.Model):
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


class Review(ChoiceLabels, models.Model):
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


class Decision(ChoiceLabels, models.Model):
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


class Bid(ChoiceLabels, models.Model):
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
