"""Missions, calls for proposals and the platforms they offer."""

from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partners.choices import OrganisationKind, labels
from portal.choices import ChoiceLabels
from portal.i18n import in_reader_language

from .limits import DESCRIPTION_LIMIT


class Phase(models.TextChoices):
    RECONNAISSANCE = "reconnaissance", _("Reconnaissance")
    CONSTRUCTION_1 = "construction_1", _("Construction — first stage")
    CONSTRUCTION_2 = "construction_2", _("Construction — second stage")
    UTILISATION = "utilisation", _("Utilisation")


class Stage(models.TextChoices):
    """The stages a call takes proposals in: letters of intent (where the call has that stage), then full."""

    LETTER = "letter", _("Letter of intent")
    FULL = "full", _("Full proposal")


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


class Call(ChoiceLabels, models.Model):
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
            return Stage.LETTER
        return Stage.FULL

    def deadline_for(self, stage):
        return self.letter_deadline if stage == Stage.LETTER else self.deadline

    @property
    def next_deadline(self):
        now = timezone.now()
        for moment in (self.letter_deadline if self.has_letter_stage else None, self.deadline):
            if moment and moment >= now:
                return moment
        return None


class Platform(ChoiceLabels, models.Model):
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
