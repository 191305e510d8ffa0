"""Aggregate reads for the participation dashboard and the public page.

Every function here runs one or two aggregate queries (GROUP BY), whatever the number of rows; what the
screens show is folded from their few rows in Python.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Case, Count, F, IntegerField, Min, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce, ExtractYear
from django.http import Http404
from django.utils import timezone
from django.utils.http import urlencode

from partners.choices import Area
from partners.models import Organisation, Registration
from portal.audit.models import AuditEvent
from portal.i18n import translated_fields
from proposals.models import Call, Decision, Mission, Platform, Proposal, Review, ReviewAssignment, TeamMember

from .models import ExportJob
from .permissions import can_download_export

OPEN_REGISTRATION_STATUSES = (
    Registration.Status.SUBMITTED,
    Registration.Status.PENDING_REVIEW,
    Registration.Status.CHANGES_REQUESTED,
)
User = get_user_model()
SELECTED = Decision.Outcome.SELECTED
SELECTABLE = Decision.Outcome.SELECTABLE
NOT_SELECTED = Decision.Outcome.NOT_SELECTED


@dataclass(frozen=True)
class Scope:
    """The dashboard's filters. Proposals and reviews follow all four (the year is that of the call's
    deadline); partner figures follow the year only, as the year the organisation joined."""

    phase: str = ""
    mission: Mission | None = None
    call: Call | None = None
    year: int | None = None

    def calls(self, path):
        """A condition on the call reached through `path` ("" when filtering calls themselves)."""

        def field(name):
            return f"{path}__{name}" if path else name

        condition = Q()
        if self.phase:
            condition &= Q(**{field("mission__phase"): self.phase})
        if self.mission is not None:
            condition &= Q(**{field("mission"): self.mission})
        if self.call is not None:
            condition &= Q(**{field("pk"): self.call.pk})
        if self.year:
            condition &= Q(**{field("deadline__year"): self.year})
        return condition

    @property
    def key(self):
        """The filters as a query string, empty ones left out: for links and cache keys."""
        values = {
            "phase": self.phase,
            "mission": self.mission.pk if self.mission else "",
            "call": self.call.pk if self.call else "",
            "year": self.year or "",
        }
        return urlencode({name: value for name, value in values.items() if value})

    def organisations(self):
        return Q(joined_on__year=self.year) if self.year else Q()


EVERYTHING = Scope()


# Partners ---------------------------------------------------------------------------------------


def organisation_groups(scope=EVERYTHING):
    """Organisations counted by country, kind, status and year of joining: one row per combination."""
    return list(
        Organisation.objects.filter(scope.organisations())
        .values("country", "kind", "status", year=ExtractYear("joined_on"))
        .annotate(count=Count("pk"))
        .order_by()
    )


def open_registrations(*, now=None):
    """Applications still waiting, per status, with how long they have waited (from entering the queue,
    or from submission while the email is unverified)."""
    now = now or timezone.now()
    since = Coalesce("queued_at", "submitted_at")
    rows = (
        Registration.objects.filter(status__in=OPEN_REGISTRATION_STATUSES)
        .annotate(waiting_since=since)
        .values("status")
        .annotate(
            count=Count("pk"),
            under_week=Count("pk", filter=Q(waiting_since__gt=now - timedelta(days=7))),
            under_month=Count(
                "pk", filter=Q(waiting_since__lte=now - timedelta(days=7), waiting_since__gt=now - timedelta(days=28))
            ),
            over_month=Count("pk", filter=Q(waiting_since__lte=now - timedelta(days=28))),
            oldest=Min("waiting_since"),
        )
        .order_by()
    )
    return {row["status"]: row for row in rows}


# Proposals and outcomes ---------------------------------------------------------------------------


def call_figures(scope=EVERYTHING):
    """Each call in scope with its proposals per stage and state, and its decisions."""
    submitted = Q(proposals__status=Proposal.Status.SUBMITTED)
    return list(
        Call.objects.filter(scope.calls(""))
        .values(
            "pk",
            "reference",
            *translated_fields("title"),
            "status",
            "deadline",
            *translated_fields("mission__name"),
        )
        .annotate(
            letters=Count("proposals", filter=submitted & Q(proposals__stage=Proposal.Stage.LETTER)),
            full=Count("proposals", filter=submitted & Q(proposals__stage=Proposal.Stage.FULL)),
            withdrawn=Count("proposals", filter=Q(proposals__status=Proposal.Status.WITHDRAWN)),
            drafts=Count("proposals", filter=Q(proposals__status=Proposal.Status.DRAFT)),
            submitted=Count("proposals", filter=submitted),
            selected=Count("proposals", filter=submitted & Q(proposals__decision__outcome=SELECTED)),
            selectable=Count("proposals", filter=submitted & Q(proposals__decision__outcome=SELECTABLE)),
            not_selected=Count("proposals", filter=submitted & Q(proposals__decision__outcome=NOT_SELECTED)),
        )
        .order_by("deadline", "pk")
    )


def submitted_proposals(scope=EVERYTHING):
    return Proposal.objects.filter(scope.calls("call"), status=Proposal.Status.SUBMITTED)


def proposal_groups(scope=EVERYTHING):
    """Submitted proposals counted by the lead organisation's country and kind and by cooperation level,
    with how many were selected or put on the waiting list."""
    return list(
        submitted_proposals(scope)
        .values("organisation__country", "organisation__kind", "cooperation_level")
        .annotate(
            count=Count("pk"),
            selected=Count("pk", filter=Q(decision__outcome=SELECTED)),
            selectable=Count("pk", filter=Q(decision__outcome=SELECTABLE)),
            not_selected=Count("pk", filter=Q(decision__outcome=NOT_SELECTED)),
        )
        .order_by()
    )


def proposal_areas(scope=EVERYTHING):
    """Submitted proposals naming each area; a proposal names one or more, so the counts overlap."""
    if connection.features.supports_json_field_contains:
        named = {area: Q(areas__contains=[area]) for area in Area.values}
    else:
        # Without JSON containment (SQLite), the quoted code is looked for in the list's text.
        named = {area: Q(areas__icontains=f'"{area}"') for area in Area.values}
    return submitted_proposals(scope).aggregate(
        **{area: Count("pk", filter=condition) for area, condition in named.items()}
    )


def team_country_counts(scope=EVERYTHING):
    """How many submitted proposals have teams from one, two, three… countries.

    A team's countries are the lead organisation's country (an international organisation has none) and
    the other countries of the co-investigators.
    """
    others = ~Q(team__country="") & ~Q(team__country=F("organisation__country"))
    per_proposal = (
        submitted_proposals(scope)
        .values("pk")
        .annotate(countries=Count("team__country", distinct=True, filter=others) + _lead_country())
        .order_by()
    )
    sql, params = per_proposal.query.sql_with_params()
    # Counting proposals per number of countries groups by an aggregate, which the ORM cannot express.
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT countries, COUNT(*) FROM ({sql}) AS per_proposal GROUP BY countries ORDER BY countries",  # noqa: S608
            params,
        )
        return cursor.fetchall()


def _lead_country():
    return Case(When(organisation__country="", then=Value(0)), default=Value(1))


def team_countries():
    """An expression for one proposal's number of countries on its team (see `team_country_counts`)."""
    other_countries = (
        TeamMember.objects.filter(proposal=OuterRef("pk"))
        .exclude(country="")
        .exclude(country=OuterRef("organisation__country"))
        .values("proposal")
        .annotate(count=Count("country", distinct=True))
        .values("count")
    )
    return Coalesce(Subquery(other_countries, output_field=IntegerField()), Value(0)) + _lead_country()


def platform_commitments(scope=EVERYTHING):
    """Each offered platform with its budgets, and the payloads selected on it with the mass, power and
    data they take."""
    selected = (
        submitted_proposals(scope)
        .filter(decision__outcome=SELECTED, platform__isnull=False)
        .values("platform")
        .annotate(payloads=Count("pk"), mass=Sum("mass_kg"), power=Sum("average_power_w"), data=Sum("data_mb_per_day"))
        .order_by()
    )
    # Selected proposals are few: adding them up apart and joining in Python beats joining every proposal.
    taken = {row.pop("platform"): row for row in selected}
    nothing = {"payloads": 0, "mass": None, "power": None, "data": None}
    return [
        platform | taken.get(platform["pk"], nothing)
        for platform in Platform.objects.filter(scope.calls("call"))
        .values(
            "pk",
            *translated_fields("name"),
            "call__reference",
            *translated_fields("call__mission__name"),
            "total_mass_kg",
            "total_average_power_w",
            "total_data_mb_per_day",
        )
        .order_by("call__mission__target_launch_year", "call__mission__name", "call__deadline", "pk")
    ]


# Peer review ------------------------------------------------------------------------------------


def _overdue(now):
    return (
        Q(proposal__call__review_deadline__lt=now)
        & ~Q(status=ReviewAssignment.Status.DECLINED)
        & ~Q(review__status=Review.Status.SUBMITTED)
    )


def _review_counts(now):
    declined = Q(status=ReviewAssignment.Status.DECLINED)
    return {
        "assigned": Count("pk", filter=~declined),
        "accepted": Count("pk", filter=Q(status=ReviewAssignment.Status.ACCEPTED)),
        "pending": Count("pk", filter=Q(status=ReviewAssignment.Status.PENDING)),
        "declined": Count("pk", filter=declined),
        "submitted": Count("pk", filter=Q(review__status=Review.Status.SUBMITTED)),
        "overdue": Count("pk", filter=_overdue(now)),
    }


def review_progress(scope=EVERYTHING, *, now=None):
    """Per call: assignments made, accepted, awaiting a reply, declined, reviews submitted and overdue."""
    now = now or timezone.now()
    return list(
        ReviewAssignment.objects.filter(scope.calls("proposal__call"))
        .values("proposal__call", "proposal__call__reference", "proposal__call__title")
        .annotate(**_review_counts(now))
        .order_by("proposal__call__deadline", "proposal__call")
    )


def reviewer_load(scope=EVERYTHING, *, now=None):
    """Per reviewer: the same counts, busiest first (most reviews still to write)."""
    now = now or timezone.now()
    rows = list(
        ReviewAssignment.objects.filter(scope.calls("proposal__call"))
        .values("reviewer")
        .annotate(**_review_counts(now))
        .order_by()
    )
    # Grouping by the reviewer's id alone keeps the aggregation in memory; the names come in a second query.
    people = User.objects.filter(pk__in=[row["reviewer"] for row in rows]).values_list("pk", "full_name", "email")
    names = {pk: (full_name, email) for pk, full_name, email in people}
    for row in rows:
        row["full_name"], row["email"] = names[row["reviewer"]]
    return sorted(rows, key=lambda row: (-(row["assigned"] - row["submitted"]), -row["assigned"], row["full_name"]))


# Public page ------------------------------------------------------------------------------------


def participation_groups():
    """Active partner organisations by country, kind and year of joining: public, aggregate figures."""
    return list(
        Organisation.objects.filter(status=Organisation.Status.ACTIVE)
        .values("country", "kind", year=ExtractYear("joined_on"))
        .annotate(count=Count("pk"))
        .order_by()
    )


def missions_by_phase():
    return list(Mission.objects.values("name", "phase", "target_launch_year").order_by("target_launch_year", "name"))


# Exports and audit ------------------------------------------------------------------------------


def export_jobs_of(user, *, limit=20):
    """The administrator's own recent export files; nobody sees another's."""
    return ExportJob.objects.filter(requested_by=user).order_by("-created_at", "-pk")[:limit]


def get_export_job_for(*, user, pk, for_download=False):
    """One export job of the person's own; another's answers 404 like a missing one. With `for_download`, only a
    finished file that the person may fetch (`can_download_export`)."""
    job = ExportJob.objects.filter(pk=pk, requested_by=user).select_related("requested_by").first()
    if job is None or (for_download and not (job.status == ExportJob.Status.DONE and can_download_export(user, job))):
        raise Http404
    return job


def audit_events():
    return AuditEvent.objects.select_related("actor", "organisation").order_by("-created_at", "-id")
