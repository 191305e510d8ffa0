"""Reads for the signed-in home page: what each person can act on now, in a fixed number of queries.

A person with several roles gets each section. Items are ordered by deadline: the ones still to come soonest
first (the most pressing), then those already past, most recent first. Each item carries the address of the
screen where its action happens.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, Exists, Max, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from partners.models import Invitation, Membership, Registration
from partners.permissions import is_programme_admin
from portal.formatting import when
from proposals import permissions as proposal_permissions
from proposals.models import Call, Conflict, Proposal, Review, ReviewAssignment
from proposals.review import permissions as review_permissions
from proposals.selectors import proposals_visible_to
from proposals.services import submission_problems

HOME_ITEMS = 8
OPEN_ASSIGNMENT = (ReviewAssignment.Status.PENDING, ReviewAssignment.Status.ACCEPTED)


@dataclass
class Task:
    """One line of a home section: what it is, its state, the next step and where that step is taken."""

    title: str
    url: str
    action: str
    deadline: datetime | None = None
    zone: str = "UTC"
    detail: str = ""
    state: str = ""
    urgent: bool = False
    extra: dict = field(default_factory=dict)


def _by_deadline(tasks, now):
    """Deadlines still to come soonest first, then those past, most recent first; undated last."""

    def key(task):
        if task.deadline is None:
            return (2, 0)
        if task.deadline >= now:
            return (0, task.deadline.timestamp())
        return (1, -task.deadline.timestamp())

    return sorted(tasks, key=key)


# Partners -------------------------------------------------------------------------------------


def _eligible(call, organisation):
    kinds, countries = call.eligible_kinds or [], call.eligible_countries or []
    return (not kinds or organisation.kind in kinds) and (not countries or organisation.country.code in countries)


def _proposal_task(user, proposal, now):
    deadline = proposal.call.deadline_for(proposal.stage)
    zone = proposal.call.time_zone
    detail_url = reverse("proposals:proposal_detail", args=[proposal.pk])
    decision = getattr(proposal, "decision", None)
    task = Task(
        title=f"{proposal.reference} — {proposal.title}",
        url=detail_url,
        action=_("Open the proposal"),
        deadline=deadline,
        zone=zone,
        state=proposal.get_status_display(),
        extra={"version": proposal.version_number, "outcome": ""},
    )
    if decision is not None and decision.released_at:
        task.extra["outcome"] = decision.get_outcome_display()
        task.detail = _("Decision released: %(outcome)s") % {"outcome": decision.get_outcome_display()}
        task.action = _("Read the outcome and the reviewers' comments")
        task.deadline = decision.released_at
        return task
    if proposal.status in (Proposal.Status.DRAFT, Proposal.Status.WITHDRAWN):
        if proposal_permissions.can_change_proposal(user, proposal):
            missing = len(submission_problems(proposal))
            if missing:
                task.detail = ngettext("%(count)s field still missing", "%(count)s fields still missing", missing) % {
                    "count": missing
                }
                task.action = _("Complete the draft")
                task.url = reverse("proposals:proposal_edit", args=[proposal.pk])
            else:
                task.detail = _("Complete: ready to submit")
                task.action = _("Check and submit")
                task.url = reverse("proposals:proposal_submit", args=[proposal.pk])
            task.urgent = True
        else:
            task.detail = _("Not submitted before the deadline") if deadline and now > deadline else ""
        return task
    if proposal.status == Proposal.Status.SUBMITTED:
        if deadline and now <= deadline:
            task.detail = _("Submitted — you can still change it until %(deadline)s") % {
                "deadline": when(deadline, zone)
            }
        elif proposal.call.status == Call.Status.UNDER_REVIEW:
            task.detail = _("Submitted — in review")
        else:
            task.detail = _("Submitted — the call is closed; the outcome will be announced")
    return task


def partner_section(user, now):
    """Open calls the organisation may answer, the person's proposals with their next step, and for a partner
    admin the organisation's people and open invitations."""
    membership = user.partner_membership
    if membership is None:
        return None
    organisation = membership.organisation
    calls = [
        call
        for call in Call.objects.filter(status=Call.Status.OPEN, deadline__gt=now)
        .select_related("mission")
        .annotate(
            mine=Exists(Proposal.objects.filter(call=OuterRef("pk"), organisation=organisation)),
        )
        .order_by("deadline", "pk")
        if _eligible(call, organisation)
    ]
    proposals = list(
        proposals_visible_to(user)
        .annotate(version_number=Max("versions__number"))
        .select_related("decision")
        .order_by("-updated_at", "-pk")[:50]
    )
    call_tasks = [
        Task(
            title=call.title,
            url=reverse("proposals:call_detail", args=[call.pk]),
            action=_("Continue your proposal") if call.mine else _("Start a proposal"),
            deadline=call.next_deadline or call.deadline,
            zone=call.time_zone,
            detail=call.mission.name,
        )
        for call in calls
    ]
    proposal_tasks = _by_deadline([_proposal_task(user, p, now) for p in proposals], now)
    section = {
        "organisation": organisation,
        "calls": call_tasks[:HOME_ITEMS],
        "more_calls": len(call_tasks) > HOME_ITEMS,
        "proposals": proposal_tasks[:HOME_ITEMS],
        "more_proposals": len(proposal_tasks) > HOME_ITEMS,
        "is_admin": membership.is_admin,
        "suspended": not organisation.is_active,
    }
    if membership.is_admin:
        section["member_count"] = Membership.objects.filter(organisation=organisation).count()
        section["invitations"] = list(
            Invitation.objects.filter(
                organisation=organisation, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
            ).order_by("expires_at")[:HOME_ITEMS]
        )
    return section


def invitations_for(user, now):
    """Invitations to join an organisation still waiting for this person's answer."""
    return list(
        Invitation.objects.filter(
            email__iexact=user.email, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
        )
        .select_related("organisation")
        .order_by("expires_at")[:HOME_ITEMS]
    )


# Reviewers ------------------------------------------------------------------------------------


def reviewer_section(user, now):
    """Assignments waiting for an answer and reviews not yet submitted, overdue first."""
    if not review_permissions.is_reviewer(user):
        return None
    assignments = list(
        ReviewAssignment.objects.filter(
            reviewer=user,
            proposal__call__status=Call.Status.UNDER_REVIEW,
            status__in=(ReviewAssignment.Status.PENDING, ReviewAssignment.Status.ACCEPTED),
        )
        .exclude(review__status=Review.Status.SUBMITTED)
        .exclude(
            Exists(
                Conflict.objects.filter(
                    proposal=OuterRef("proposal"),
                    reviewer=user,
                    kind__in=(Conflict.Kind.DECLARED, Conflict.Kind.ADDED),
                )
            )
        )
        .select_related("proposal__call", "review")
        .order_by("proposal__call__review_deadline", "pk")
    )
    to_answer, to_write = [], []
    for assignment in assignments:
        call = assignment.proposal.call
        deadline = call.review_deadline
        task = Task(
            title=f"{assignment.proposal.reference} — {assignment.proposal.title}",
            url=reverse("proposals:review_edit", args=[assignment.pk]),
            action="",
            deadline=deadline,
            zone=call.time_zone,
            detail=call.title,
            urgent=bool(deadline and deadline < now),
        )
        if assignment.status == ReviewAssignment.Status.PENDING:
            task.action = _("Read the abstract, then accept or decline")
            to_answer.append(task)
        else:
            review = getattr(assignment, "review", None)
            task.action = _("Continue the review") if review else _("Write the review")
            task.state = _("Overdue") if task.urgent else (_("Draft") if review else _("Not started"))
            to_write.append(task)
    # Overdue first: the earliest deadline, already past, leads.
    return {
        "to_answer": sorted(to_answer, key=lambda t: (t.deadline is None, t.deadline or now)),
        "to_write": sorted(to_write, key=lambda t: (t.deadline is None, t.deadline or now)),
    }


# Programme administrators ---------------------------------------------------------------------


def _call_next_step(call, now):
    """The next step an administrator takes on a call, and where."""
    if call.status == Call.Status.DRAFT:
        return _("Open the call"), reverse("proposals:call_edit", args=[call.pk])
    if call.status == Call.Status.OPEN:
        if call.deadline < now:
            return _("Close the call: its deadline has passed"), reverse("proposals:manage_calls")
        return _("Open until the deadline; then close it"), reverse("proposals:call_submissions", args=[call.pk])
    if call.status == Call.Status.CLOSED:
        return _("Start the review"), reverse("proposals:call_review", args=[call.pk])
    if call.status == Call.Status.UNDER_REVIEW:
        if call.in_review and call.decided >= call.in_review:
            return _("Release the decisions"), reverse("proposals:release_confirm", args=[call.pk])
        if call.assigned < call.in_review * call.reviewers_per_proposal:
            return (
                _("Assign reviewers: %(assigned)s of %(needed)s places filled")
                % {"assigned": call.assigned, "needed": call.in_review * call.reviewers_per_proposal},
                reverse("proposals:call_review", args=[call.pk]),
            )
        if call.decided < call.in_review:
            undecided = call.in_review - call.decided
            return (
                ngettext("Decide %(count)s proposal", "Decide %(count)s proposals", undecided) % {"count": undecided},
                reverse("proposals:call_ranking", args=[call.pk]),
            )
        return _("Release the decisions"), reverse("proposals:release_confirm", args=[call.pk])
    return _("Decided"), reverse("proposals:call_ranking", args=[call.pk])


def admin_section(user, now):
    """The office's queues: registrations waiting, calls with their next step, overdue reviews, releases."""
    if not is_programme_admin(user):
        return None
    waiting = Registration.objects.filter(status=Registration.Status.PENDING_REVIEW)
    registrations = list(waiting.order_by("queued_at", "submitted_at", "pk")[:HOME_ITEMS])
    in_review = Q(proposals__status=Proposal.Status.SUBMITTED, proposals__stage=Proposal.Stage.FULL) & ~Q(
        proposals__compliance=Proposal.Compliance.NOT_ELIGIBLE
    )
    calls = list(
        Call.objects.exclude(status=Call.Status.DECIDED)
        .annotate(
            submitted=Count("proposals", filter=Q(proposals__status=Proposal.Status.SUBMITTED), distinct=True),
            in_review=Count("proposals", filter=in_review, distinct=True),
            assigned=Count(
                "proposals__assignments",
                filter=in_review
                & Q(
                    proposals__assignments__status__in=(
                        ReviewAssignment.Status.PENDING,
                        ReviewAssignment.Status.ACCEPTED,
                    )
                ),
                distinct=True,
            ),
            decided=Count("proposals__decision", filter=in_review, distinct=True),
        )
        .order_by("deadline", "pk")
    )
    stages = []
    for call in calls:
        step, url = _call_next_step(call, now)
        deadline = call.review_deadline if call.status == Call.Status.UNDER_REVIEW else call.deadline
        stages.append(
            Task(
                title=call.title,
                url=url,
                action=step,
                deadline=deadline,
                zone=call.time_zone,
                state=call.get_status_display(),
                detail=ngettext("%(count)s proposal submitted", "%(count)s proposals submitted", call.submitted)
                % {"count": call.submitted},
                extra={"ready_to_release": call.status == Call.Status.UNDER_REVIEW and url.endswith("/release/")},
            )
        )
    overdue = (
        ReviewAssignment.objects.filter(
            proposal__call__status=Call.Status.UNDER_REVIEW,
            proposal__call__review_deadline__lt=now,
            status__in=(ReviewAssignment.Status.PENDING, ReviewAssignment.Status.ACCEPTED),
        )
        .exclude(review__status=Review.Status.SUBMITTED)
        .values("proposal__call_id", "proposal__call__title")
        .annotate(n=Count("pk"))
        .order_by("proposal__call__review_deadline")
    )
    return {
        "registrations": [
            {"registration": registration, "waiting_since": registration.queued_at or registration.submitted_at}
            for registration in registrations
        ],
        "registrations_waiting": waiting.count(),
        "calls": _by_deadline(stages, now),
        "overdue": [
            {
                "title": row["proposal__call__title"],
                "count": row["n"],
                "url": reverse("proposals:call_review", args=[row["proposal__call_id"]]),
            }
            for row in overdue
        ],
        "ready_to_release": [task for task in stages if task.extra["ready_to_release"]],
    }


def home_sections(user, now=None):
    """Every section the person's roles give them, each None when the role is not theirs."""
    now = now or timezone.now()
    return {
        "now": now,
        "partner": partner_section(user, now),
        "invitations": invitations_for(user, now),
        "reviewer": reviewer_section(user, now),
        "admin": admin_section(user, now),
    }
