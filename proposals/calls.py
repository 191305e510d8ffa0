"""A call's life in one place: drafted, changed, opened, closed (by hand or at its deadline), put to review and
its decisions released. Each transition locks the call, checks its state and the person, and writes the audit row."""

from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from partners.permissions import require_programme_admin
from portal.audit.services import record_event
from portal.errors import TransitionNotAllowed
from portal.transitions import lock, refuse, require_state
from proposals import permissions
from proposals.models import Call, Decision, Platform, Review, ReviewAssignment
from proposals.notices import email_team
from proposals.review import affinity
from proposals.review import permissions as review_permissions
from proposals.review.selectors import counted_reviews, proposals_short_of_reviews, reviewable_proposals

CALL_FIELDS = [
    "mission",
    "title",
    "title_zh_hans",
    "title_ru",
    "reference",
    "summary",
    "summary_zh_hans",
    "summary_ru",
    "description",
    "description_zh_hans",
    "description_ru",
    "eligible_kinds",
    "eligible_countries",
    "has_letter_stage",
    "letter_deadline",
    "deadline",
    "time_zone",
    "criteria",
    "reviewers_per_proposal",
    "conflict_policy",
    "anonymity",
    "review_deadline",
]


PLATFORM_FIELDS = [field.name for field in Platform._meta.concrete_fields if field.name not in ("id", "call")]


def validate_call(call, platforms):
    """Problems that stop a call from opening, as {field: message}."""
    problems = {}
    weights = [criterion.get("weight", 0) for criterion in call.criteria or []]
    if not weights:
        problems["criteria"] = _("Give at least one review criterion.")
    elif sum(weights) != 100:
        problems["criteria"] = _("The criteria weights add up to %(total)s; they must add up to 100.") % {
            "total": sum(weights)
        }
    if not platforms:
        problems["platforms"] = _("Offer at least one platform.")
    if call.has_letter_stage and not call.letter_deadline:
        problems["letter_deadline"] = _("A call with a letter-of-intent stage needs a letter deadline.")
    if call.letter_deadline and call.deadline and call.letter_deadline >= call.deadline:
        problems["letter_deadline"] = _("The letter-of-intent deadline must come before the proposal deadline.")
    return problems


def _save_platforms(call, platforms):
    call.platforms.all().delete()
    offered = []
    for platform in platforms:
        offered.append(Platform(**{key: value for key, value in platform.items() if key in PLATFORM_FIELDS}))
        offered[-1].call = call
    Platform.objects.bulk_create(offered)


@transaction.atomic
def create_call(*, data, platforms, by):
    """Create a call as a draft, with the platforms it offers."""
    require_programme_admin(by)
    call = Call(**{field: data[field] for field in CALL_FIELDS if field in data})
    if not call.has_letter_stage:
        call.letter_deadline = None
    call.full_clean()
    call.save()
    _save_platforms(call, platforms)
    record_event(actor=by, action="call.created", obj=call, to_state=call.status)
    return call


@transaction.atomic
def update_call(*, call, data, platforms=None, by):
    """Change a call's details; the platforms and review settings only while it is a draft."""
    require_programme_admin(by)
    call = lock(Call, call.pk)
    require_state(
        call, (Call.Status.DRAFT, Call.Status.OPEN), _("A call can be edited only while it is a draft or open.")
    )
    before = {field: str(getattr(call, field)) for field in CALL_FIELDS}
    for field in CALL_FIELDS:
        if field in data:
            setattr(call, field, data[field])
    if not call.has_letter_stage:
        call.letter_deadline = None
    call.full_clean()
    if call.status == Call.Status.OPEN:
        problems = validate_call(call, list(call.platforms.all()))
        if problems:
            raise ValidationError(problems)
    call.save()
    if platforms is not None:
        if call.status != Call.Status.DRAFT:
            raise TransitionNotAllowed(_("Platforms can be changed only while the call is a draft."))
        _save_platforms(call, platforms)
    changed = {field: str(getattr(call, field)) for field in CALL_FIELDS if str(getattr(call, field)) != before[field]}
    record_event(actor=by, action="call.updated", obj=call, data={"changed": sorted(changed)})
    return call


@transaction.atomic
def open_call(*, call, by):
    """Publish a call: it becomes public and partners can start proposals."""
    call = lock(Call, call.pk)
    refuse(permissions.open_call_refusal(by, call))
    problems = validate_call(call, list(call.platforms.all()))
    now = timezone.now()
    first_deadline = call.letter_deadline if call.has_letter_stage else call.deadline
    if first_deadline and first_deadline <= now:
        problems["deadline"] = _("The first deadline has already passed; move it into the future before opening.")
    if problems:
        raise ValidationError(problems)
    call.status = Call.Status.OPEN
    call.opened_at = now
    call.save(update_fields=["status", "opened_at"])
    record_event(actor=by, action="call.opened", obj=call, from_state="draft", to_state="open")
    return call


@transaction.atomic
def close_call(*, call, by=None):
    """Close a call to submissions (by an administrator, or by the sweep once its deadline passed)."""
    call = lock(Call, call.pk)
    refuse(permissions.close_call_refusal(by, call))
    call.status = Call.Status.CLOSED
    call.closed_at = timezone.now()
    call.save(update_fields=["status", "closed_at"])
    record_event(actor=by, action="call.closed", obj=call, from_state="open", to_state="closed")
    affinity.enqueue_call(call.pk)
    return call


def close_calls_past_deadline(now=None):
    """Close every open call whose final deadline has passed; returns how many were closed."""
    now = now or timezone.now()
    closed = 0
    for call in Call.objects.filter(status=Call.Status.OPEN, deadline__lt=now):
        try:
            close_call(call=call)
            closed += 1
        except TransitionNotAllowed:
            continue
    return closed


@transaction.atomic
def start_review(*, call, by):
    """Move a closed call into review."""
    call = lock(Call, call)
    refuse(review_permissions.start_review_refusal(by, call))
    call.status = Call.Status.UNDER_REVIEW
    call.save(update_fields=["status"])
    record_event(actor=by, action="call.review_started", obj=call, from_state="closed", to_state="under_review")
    return call


@transaction.atomic
def release_decisions(*, call, by, override_reason=""):
    """Tell every team its outcome with the reviewers' applicant-facing comments; the call becomes decided.

    Refused while a proposal has fewer counted reviews than the call asks for, unless the administrator gives
    a reason to release anyway (kept in the audit log). Assignments still open on the call close."""
    call = lock(Call, call)
    refuse(review_permissions.release_refusal(by, call))
    proposals = list(reviewable_proposals(call))
    decisions = {d.proposal_id: d for d in Decision.objects.filter(proposal__call=call)}
    missing = [p.reference for p in proposals if p.pk not in decisions]
    if missing:
        raise TransitionNotAllowed(
            _("Decide every proposal before releasing; still open: %(refs)s") % {"refs": ", ".join(missing)}
        )
    short = proposals_short_of_reviews(call)
    override_reason = (override_reason or "").strip()
    if short and not override_reason:
        raise TransitionNotAllowed(
            ngettext(
                "%(count)s proposal has fewer submitted reviews than the %(required)s the call requires "
                "(%(refs)s); wait for the reviews, or release anyway with a reason.",
                "%(count)s proposals have fewer submitted reviews than the %(required)s the call requires "
                "(%(refs)s); wait for the reviews, or release anyway with a reason.",
                len(short),
            )
            % {
                "count": len(short),
                "required": call.reviewers_per_proposal,
                "refs": ", ".join(row["reference"] for row in short),
            }
        )
    now = timezone.now()
    Decision.objects.filter(proposal__call=call).update(released_at=now)
    call.status = Call.Status.DECIDED
    call.save(update_fields=["status"])
    if short:
        record_event(
            actor=by,
            action="call.release_override",
            obj=call,
            reason=override_reason,
            data={"short_of_reviews": {row["reference"]: row["reviews"] for row in short}},
        )
    record_event(actor=by, action="call.decisions_released", obj=call, from_state="under_review", to_state="decided")
    closed = (
        ReviewAssignment.objects.filter(proposal__call=call)
        .filter(status__in=(ReviewAssignment.Status.PENDING, ReviewAssignment.Status.ACCEPTED))
        .exclude(review__status=Review.Status.SUBMITTED)
        .update(status=ReviewAssignment.Status.CLOSED, responded_at=now)
    )
    if closed:
        record_event(actor=by, action="call.assignments_closed", obj=call, data={"count": closed})
    reviews = defaultdict(list)
    for review in (
        counted_reviews()
        .filter(assignment__proposal__call=call)
        .select_related("assignment")
        .order_by("assignment__proposal_id", "assignment_id")
    ):
        reviews[review.assignment.proposal_id].append(review)
    for proposal in proposals:
        decision = decisions[proposal.pk]
        email_team(
            proposal,
            "proposal_decision",
            {
                "decision": decision,
                "reviews": [
                    {"number": n, "strengths": r.strengths, "weaknesses": r.weaknesses}
                    for n, r in enumerate(reviews[proposal.pk], start=1)
                ],
            },
            notice=gettext_lazy("The outcome for %(title)s is available."),
        )
    return call
