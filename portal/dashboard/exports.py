"""The administrators' exports: their columns and their rows (written by `portal.spreadsheets`).

Rows are read with `.values()` in chunks from a server-side cursor and written one by one, so neither a
streamed CSV nor a file written by the background task ever holds the whole export in memory.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from partners.choices import Area, CooperationLevel, OrganisationKind
from partners.models import Membership, Organisation
from partners.permissions import is_programme_admin
from portal.i18n import in_reader_language, translated_fields
from proposals.models import Call, CooperationMode, Decision, Phase, Proposal, Review, ReviewAssignment, TeamMember
from proposals.review.scoring import weighted_score

from . import regions, selectors
from .models import ExportJob

User = get_user_model()
CHUNK = 2000


class Labels:
    """Choice labels and country names in the current language, translated once per export, not per cell."""

    def __init__(self):
        self._choices = {}
        self.countries = {code: str(name) for code, name in countries}
        self.regions = {region: str(label) for region, label in regions.REGION_LABELS.items()}
        self.yes, self.no = str(_("yes")), str(_("no"))
        self.reviewer, self.programme_admin = str(_("Reviewer")), str(_("Programme administrator"))

    def __call__(self, choices, value):
        """The label of `value` in `choices` (a TextChoices class); "" for no value."""
        if not value:
            return ""
        labels = self._choices.get(choices)
        if labels is None:
            labels = self._choices[choices] = {key: str(label) for key, label in choices.choices}
        return labels.get(value, value)

    def country(self, code):
        return self.countries.get(code, code) if code else ""

    def region(self, code):
        return self.regions[regions.region_of(code)]


def _translated(*fields):
    """`values()` names for each field and its Chinese and Russian twins: call__mission__name, …_zh_hans, …_ru."""
    return [
        f"{field[: -len(base)]}{name}"
        for field in fields
        for base in [field.rsplit("__", 1)[-1]]
        for name in translated_fields(base)
    ]


def _local(values, field):
    """A `values()` row's `field` in the export's language, English where none was given."""
    base = field.rsplit("__", 1)[-1]
    prefix = field[: -len(base)]
    return str(in_reader_language({name: values.get(prefix + name) for name in translated_fields(base)}, base))


def _reference(call_reference, pk):
    """As Proposal.reference, without loading the proposal."""
    return f"{call_reference.upper()}-{pk:04d}"


@dataclass(frozen=True)
class Export:
    kind: str
    description: str
    columns: list
    queryset: Callable
    row: Callable
    # What every row needs, read once per export rather than once per row; passed to `row` as keywords.
    context: Callable | None = None

    @property
    def title(self):
        return ExportJob.Kind(self.kind).label

    def count(self):
        return self.queryset().count()

    def rows(self, *, viewer):
        """The export's rows for `viewer`; only programme administrators may export at all."""
        if not is_programme_admin(viewer):
            raise PermissionDenied
        row = partial(self.row, text=Labels(), **(self.context() if self.context else {}))
        for values in self.queryset().iterator(chunk_size=CHUNK):
            yield row(values)

    @property
    def header(self):
        return [str(label) for label in self.columns]


# Partners ---------------------------------------------------------------------------------------


def _partner_queryset():
    members = Membership.objects.filter(organisation=OuterRef("pk")).values("organisation").annotate(n=Count("pk"))
    proposals = (
        Proposal.objects.filter(organisation=OuterRef("pk"), status=Proposal.Status.SUBMITTED)
        .values("organisation")
        .annotate(n=Count("pk"))
    )
    return (
        Organisation.objects.annotate(
            member_count=Coalesce(Subquery(members.values("n"), output_field=IntegerField()), 0),
            proposal_count=Coalesce(Subquery(proposals.values("n"), output_field=IntegerField()), 0),
        )
        .values(
            "pk",
            "name",
            "native_name",
            "kind",
            "country",
            "city",
            "website",
            "status",
            "status_reason",
            "joined_on",
            "email_domain",
            "member_count",
            "proposal_count",
        )
        .order_by("name", "pk")
    )


def _partner_row(values, text):
    return [
        values["pk"],
        values["name"],
        values["native_name"],
        text(OrganisationKind, values["kind"]),
        values["country"],
        text.country(values["country"]),
        text.region(values["country"]),
        values["city"],
        values["website"],
        text(Organisation.Status, values["status"]),
        values["status_reason"],
        values["joined_on"],
        values["email_domain"],
        values["member_count"],
        values["proposal_count"],
    ]


PARTNERS = Export(
    ExportJob.Kind.PARTNERS,
    _("Every partner organisation with its status, the year it joined, its members and submitted proposals."),
    [
        _("ID"),
        _("Name"),
        _("Name in own language"),
        _("Kind"),
        _("Country code"),
        _("Country"),
        _("Region"),
        _("City"),
        _("Website"),
        _("Status"),
        _("Reason for the status"),
        _("Joined"),
        _("Email domain"),
        _("Members"),
        _("Submitted proposals"),
    ],
    _partner_queryset,
    _partner_row,
)


# People -----------------------------------------------------------------------------------------


def _people_queryset():
    return User.objects.values(
        "pk",
        "full_name",
        "email",
        "position",
        "membership__organisation__name",
        "membership__organisation__country",
        "membership__role",
        "is_reviewer",
        "is_programme_admin",
        "is_active",
        "language",
        "date_joined",
        "last_login",
    ).order_by("full_name", "pk")


def _people_row(values, text):
    roles = []
    if values["membership__role"]:
        roles.append(text(Membership.Role, values["membership__role"]))
    if values["is_reviewer"]:
        roles.append(text.reviewer)
    if values["is_programme_admin"]:
        roles.append(text.programme_admin)
    return [
        values["pk"],
        values["full_name"],
        values["email"],
        values["position"],
        values["membership__organisation__name"] or "",
        values["membership__organisation__country"] or "",
        "; ".join(roles),
        text.yes if values["is_active"] else text.no,
        values["language"],
        values["date_joined"],
        values["last_login"],
    ]


PEOPLE = Export(
    ExportJob.Kind.PEOPLE,
    _("Everyone with an account: organisation, roles (partner member or admin, reviewer, programme administrator)."),
    [
        _("ID"),
        _("Name"),
        _("Email"),
        _("Position"),
        _("Organisation"),
        _("Country code"),
        _("Roles"),
        _("Active"),
        _("Language"),
        _("Account created (UTC)"),
        _("Last sign-in (UTC)"),
    ],
    _people_queryset,
    _people_row,
)


# Proposals --------------------------------------------------------------------------------------


def _proposal_queryset():
    team = (
        TeamMember.objects.filter(proposal=OuterRef("pk"), status=TeamMember.Status.MEMBER)
        .values("proposal")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        Proposal.objects.annotate(
            team_size=Coalesce(Subquery(team, output_field=IntegerField()), 0),
            team_countries=selectors.team_countries(),
        )
        .values(
            "pk",
            "call__reference",
            "call__title",
            *_translated("call__mission__name"),
            "call__mission__phase",
            "title",
            "title_native",
            "organisation__name",
            "organisation__country",
            "organisation__kind",
            "principal_investigator__full_name",
            "principal_investigator__email",
            "stage",
            "status",
            "cooperation_level",
            "cooperation_mode",
            "areas",
            *_translated("platform__name"),
            "mass_kg",
            "average_power_w",
            "peak_power_w",
            "length_mm",
            "width_mm",
            "height_mm",
            "data_mb_per_day",
            "min_operating_temp_c",
            "max_operating_temp_c",
            "trl_now",
            "trl_delivery",
            "team_size",
            "team_countries",
            "compliance",
            "shortlist",
            "decision__outcome",
            "submitted_at",
        )
        .order_by("call__deadline", "call_id", "pk")
    )


def _proposal_row(values, text):
    return [
        _reference(values["call__reference"], values["pk"]),
        values["call__reference"],
        _local(values, "call__mission__name"),
        text(Phase, values["call__mission__phase"]),
        values["title"],
        values["title_native"],
        values["organisation__name"],
        values["organisation__country"],
        text(OrganisationKind, values["organisation__kind"]),
        values["principal_investigator__full_name"],
        values["principal_investigator__email"],
        text(Proposal.Stage, values["stage"]),
        text(Proposal.Status, values["status"]),
        text(CooperationLevel, values["cooperation_level"]),
        text(CooperationMode, values["cooperation_mode"]),
        "; ".join(text(Area, area) for area in values["areas"] or []),
        _local(values, "platform__name"),
        values["mass_kg"],
        values["average_power_w"],
        values["peak_power_w"],
        values["length_mm"],
        values["width_mm"],
        values["height_mm"],
        values["data_mb_per_day"],
        values["min_operating_temp_c"],
        values["max_operating_temp_c"],
        values["trl_now"],
        values["trl_delivery"],
        values["team_size"],
        values["team_countries"],
        text(Proposal.Compliance, values["compliance"]),
        text(Proposal.Shortlist, values["shortlist"]),
        text(Decision.Outcome, values["decision__outcome"]),
        values["submitted_at"],
    ]


PROPOSALS = Export(
    ExportJob.Kind.PROPOSALS,
    _("Every proposal, drafts included, with its lead, team size and countries, and the resources it asks for."),
    [
        _("Reference"),
        _("Call"),
        _("Mission"),
        _("Phase"),
        _("Title"),
        _("Title in own language"),
        _("Lead organisation"),
        _("Country code"),
        _("Kind of organisation"),
        _("Principal investigator"),
        _("Principal investigator's email"),
        _("Stage"),
        _("Status"),
        _("Cooperation level"),
        _("Cooperation mode"),
        _("Areas"),
        _("Platform"),
        _("Mass (kg)"),
        _("Average power (W)"),
        _("Peak power (W)"),
        _("Length (mm)"),
        _("Width (mm)"),
        _("Height (mm)"),
        _("Data (MB/day)"),
        _("Lowest operating temperature (°C)"),
        _("Highest operating temperature (°C)"),
        _("TRL now"),
        _("TRL at delivery"),
        _("Team members"),
        _("Countries on the team"),
        _("Compliance"),
        _("Shortlist"),
        _("Decision"),
        _("Submitted (UTC)"),
    ],
    _proposal_queryset,
    _proposal_row,
)


# Reviews ----------------------------------------------------------------------------------------


def _review_queryset():
    return ReviewAssignment.objects.values(
        "pk",
        "proposal_id",
        "proposal__call_id",
        "proposal__call__reference",
        "proposal__call__anonymity",
        "proposal__title",
        "proposal__title_native",
        "proposal__organisation__name",
        "proposal__organisation__country",
        "reviewer__full_name",
        "reviewer__email",
        "status",
        "review__status",
        "review__scores",
        "review__strengths",
        "review__weaknesses",
        "review__confidential_comment",
        "review__technical_assessment",
        "review__technical_notes",
        "review__submitted_at",
    ).order_by("proposal__call_id", "proposal_id", "pk")


def _calls_with_criteria():
    return {"calls": {call.pk: call for call in Call.objects.only("pk", "criteria")}}


def _review_row(values, text, calls):
    scores = values["review__scores"] or {}
    score = weighted_score(calls[values["proposal__call_id"]], scores) if scores else None
    return [
        values["pk"],
        values["proposal__call__reference"],
        text(Call.Anonymity, values["proposal__call__anonymity"]),
        _reference(values["proposal__call__reference"], values["proposal_id"]),
        values["proposal__title"],
        values["proposal__title_native"],
        values["proposal__organisation__name"],
        values["proposal__organisation__country"],
        values["reviewer__full_name"],
        values["reviewer__email"],
        text(ReviewAssignment.Status, values["status"]),
        text(Review.Status, values["review__status"]),
        "; ".join(f"{key}={grade}" for key, grade in scores.items()),
        round(score, 2) if score is not None else None,
        values["review__strengths"] or "",
        values["review__weaknesses"] or "",
        values["review__confidential_comment"] or "",
        text(Review.Technical, values["review__technical_assessment"]),
        values["review__technical_notes"] or "",
        values["review__submitted_at"],
    ]


REVIEWS = Export(
    ExportJob.Kind.REVIEWS,
    _(
        "Every review assignment with its review: scores, comments to the applicants and the confidential comment "
        "for the panel. It names both the reviewers and the teams, for dual-anonymous calls too: only programme "
        "administrators can export, and they see both in the portal. Do not pass the file to applicants or "
        "reviewers; the Anonymity column says which calls promised dual-anonymous review."
    ),
    [
        _("Assignment ID"),
        _("Call"),
        _("Anonymity"),
        _("Proposal"),
        _("Proposal title"),
        _("Title in own language"),
        _("Lead organisation"),
        _("Country code"),
        _("Reviewer"),
        _("Reviewer's email"),
        _("Assignment status"),
        _("Review status"),
        _("Scores"),
        _("Weighted score"),
        _("Strengths (shown to the applicants)"),
        _("Weaknesses (shown to the applicants)"),
        _("Confidential comment for the panel"),
        _("Technical accommodation"),
        _("Technical notes"),
        _("Submitted (UTC)"),
    ],
    _review_queryset,
    _review_row,
    _calls_with_criteria,
)


# Decisions --------------------------------------------------------------------------------------


def _decision_queryset():
    return Decision.objects.values(
        "proposal_id",
        "proposal__call__reference",
        *_translated("proposal__call__mission__name"),
        "proposal__title",
        "proposal__title_native",
        "proposal__organisation__name",
        "proposal__organisation__country",
        "proposal__organisation__kind",
        *_translated("proposal__platform__name"),
        "proposal__mass_kg",
        "proposal__average_power_w",
        "proposal__data_mb_per_day",
        "outcome",
        "note",
        "decided_by__full_name",
        "decided_at",
        "released_at",
    ).order_by("proposal__call_id", "proposal_id")


def _decision_row(values, text):
    return [
        _reference(values["proposal__call__reference"], values["proposal_id"]),
        values["proposal__call__reference"],
        _local(values, "proposal__call__mission__name"),
        values["proposal__title"],
        values["proposal__title_native"],
        values["proposal__organisation__name"],
        values["proposal__organisation__country"],
        text(OrganisationKind, values["proposal__organisation__kind"]),
        _local(values, "proposal__platform__name"),
        values["proposal__mass_kg"],
        values["proposal__average_power_w"],
        values["proposal__data_mb_per_day"],
        text(Decision.Outcome, values["outcome"]),
        values["note"],
        values["decided_by__full_name"],
        values["decided_at"],
        values["released_at"],
    ]


DECISIONS = Export(
    ExportJob.Kind.DECISIONS,
    _("Every decision with the proposal's lead, platform and resources, and whether it was released to the team."),
    [
        _("Proposal"),
        _("Call"),
        _("Mission"),
        _("Title"),
        _("Title in own language"),
        _("Lead organisation"),
        _("Country code"),
        _("Kind of organisation"),
        _("Platform"),
        _("Mass (kg)"),
        _("Average power (W)"),
        _("Data (MB/day)"),
        _("Outcome"),
        _("Note to the team"),
        _("Decided by"),
        _("Decided (UTC)"),
        _("Released (UTC)"),
    ],
    _decision_queryset,
    _decision_row,
)

EXPORTS = {export.kind: export for export in (PARTNERS, PEOPLE, PROPOSALS, REVIEWS, DECISIONS)}
