"""Reads for the calls and proposals screens and endpoints, scoped to what the person may see."""

import math
from collections import defaultdict

from django.core import signing
from django.db.models import Count, Prefetch, Q
from django.http import Http404

from partners.permissions import is_programme_admin
from portal.rows import PagedRows

from . import permissions
from .models import Attachment, Call, Mission, PlatformKind, Proposal, TeamMember


def missions():
    return Mission.objects.annotate(call_count=Count("calls", filter=~Q(calls__status=Call.Status.DRAFT)))


def calls_visible_to(user):
    """Administrators see every call; everyone else the published ones."""
    queryset = Call.objects.select_related("mission").prefetch_related("platforms")
    if not is_programme_admin(user):
        queryset = queryset.exclude(status=Call.Status.DRAFT)
    return queryset


def next_deadline_after(now):
    """The soonest call deadline (letters, proposals, reviews) after `now`, in seconds since the epoch; the
    response cache ends its copies then, since what may still be submitted changes without a write."""
    moments = Call.objects.exclude(status=Call.Status.DRAFT).values_list(
        "letter_deadline", "deadline", "review_deadline"
    )
    future = [moment.timestamp() for row in moments for moment in row if moment and moment.timestamp() > now]
    return min(future, default=math.inf)


def open_calls():
    return calls_visible_to(None).filter(status=Call.Status.OPEN)


def get_call_for(*, user, pk):
    call = calls_visible_to(user).filter(pk=pk).first()
    if call is None:
        raise Http404
    return call


def proposals_visible_to(user):
    """Administrators see all; a partner sees their organisation's proposals and those they are on the team of.

    A place on a team counts while the person still belongs to the organisation it names: someone removed
    from their organisation stops seeing its work, as the principal investigator or as a co-investigator.
    """
    queryset = Proposal.objects.select_related(
        "call", "call__mission", "organisation", "principal_investigator", "platform"
    ).prefetch_related(
        Prefetch("team", queryset=TeamMember.objects.select_related("user")),
    )
    if is_programme_admin(user):
        return queryset
    if not (user and user.is_authenticated):
        return queryset.none()
    membership = user.partner_membership
    organisation_id = membership.organisation_id if membership is not None else None
    # The proposals the person is on the team of are read first: as a join (or a subquery) inside the OR, the
    # team table made PostgreSQL scan every proposal; as a list, each branch of the OR is one index scan.
    team_of = list(
        TeamMember.objects.filter(user=user)
        .filter(Q(organisation__isnull=True) | Q(organisation_id=organisation_id))
        .order_by()
        .values_list("proposal_id", flat=True)
    )
    scope = Q(pk__in=team_of)
    if organisation_id is not None:
        scope |= Q(organisation_id=organisation_id)
    return queryset.filter(scope)


def get_proposal_for(*, user, pk, for_change=False):
    """One proposal if the person may see it; a missing and a forbidden one both answer 404. With `for_change`,
    only for those who may change it (`can_edit_proposal`): the editor's pages are not there for anyone else."""
    proposal = proposals_visible_to(user).filter(pk=pk).first()
    if proposal is None or (for_change and not permissions.can_edit_proposal(user, proposal)):
        raise Http404
    return proposal


# What a proposal's row in the API reads beside its own columns.
PROPOSAL_ROW_RELATED = (
    "organisation__name",
    "organisation__native_name",
    "organisation__country",
    "organisation__kind",
    "principal_investigator__full_name",
    "platform__kind",
    "call__reference",
    "call__deadline",
    "call__letter_deadline",
)
TEAM_ROW_FIELDS = ("proposal_id", "user_id", "email", "full_name", "organisation_name", "country", "role", "status")


def proposal_rows(queryset):
    """The proposals of `queryset` (its scope, filters and order) as plain rows for the API, keyed as it names its
    fields, read a page at a time: one query for the page and one for its teams, no model instances."""
    columns = [field.name for field in Proposal._meta.concrete_fields]
    return PagedRows(queryset.prefetch_related(None).values(*columns, *PROPOSAL_ROW_RELATED), _complete_proposals)


def _complete_proposals(rows):
    teams = defaultdict(list)
    statuses = {value: str(label) for value, label in TeamMember.Status.choices}
    members = TeamMember.objects.filter(proposal_id__in=[row["id"] for row in rows]).order_by("pk")
    for member in members.values(*TEAM_ROW_FIELDS):
        member["status_label"] = statuses.get(member["status"], member["status"])
        teams[member.pop("proposal_id")].append(member)
    kinds = dict(PlatformKind.choices)
    for row in rows:
        row["reference"] = Proposal.reference_of(row["call__reference"], row["id"])
        row["organisation"] = {
            "id": row["organisation"],
            "name": row["organisation__name"],
            "native_name": row["organisation__native_name"],
            "country": row["organisation__country"],
            "kind": row["organisation__kind"],
        }
        row["principal_investigator"] = {
            "id": row["principal_investigator"],
            "full_name": row["principal_investigator__full_name"],
        }
        row["team"] = teams[row["id"]]
        # As Call.deadline_for: the letter's deadline for a letter of intent.
        letter = row["stage"] == Proposal.Stage.LETTER
        row["deadline"] = row["call__letter_deadline"] if letter else row["call__deadline"]
        kind = row["platform__kind"]
        row["platform_kind"] = kinds.get(kind, kind)
    return rows


def proposal_attachments(*, proposal):
    return proposal.attachments.filter(removed_at__isnull=True).select_related("uploaded_by")


def get_attachment_for(*, user, pk, for_change=False):
    """A file of a proposal the person may see (with `for_change`, may change); otherwise 404."""
    attachment = Attachment.objects.filter(pk=pk, proposal__in=proposals_visible_to(user).values("pk")).first()
    if attachment is None or (for_change and not permissions.can_edit_proposal(user, attachment.proposal)):
        raise Http404
    return attachment


def call_submissions(*, call):
    """A call's proposals for administrators, with the lead organisation and counts for filtering."""
    return (
        Proposal.objects.filter(call=call)
        .select_related("organisation", "principal_investigator", "platform", "call")
        .annotate(
            team_size=Count("team", filter=Q(team__status=TeamMember.Status.MEMBER), distinct=True),
            version_count=Count("versions", distinct=True),
        )
        .order_by("organisation__name", "pk")
    )


def proposal_versions(*, proposal):
    return proposal.versions.select_related("submitted_by").order_by("-number")


TEAM_INVITATION_SALT = "proposals.team_invitation"
TEAM_INVITATION_MAX_AGE = 30 * 24 * 3600


def team_invitation_for(token):
    """The team invitation a link is for, or None when the link is forged, older than 30 days or its entry gone."""
    try:
        payload = signing.loads(token, salt=TEAM_INVITATION_SALT, max_age=TEAM_INVITATION_MAX_AGE)
    except signing.BadSignature:
        return None
    return (
        TeamMember.objects.select_related(
            "proposal__organisation", "proposal__call", "proposal__principal_investigator"
        )
        .filter(pk=payload.get("m") if isinstance(payload, dict) else None)
        .first()
    )
