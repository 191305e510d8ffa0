"""Every change in peer review: reviewers, conflicts, assignments, reviews, decisions and their release."""

from collections import defaultdict

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from partners.permissions import is_programme_admin, require_programme_admin
from partners.services import set_password_url
from portal.audit.services import record_event
from portal.errors import DomainError, TransitionNotAllowed
from portal.middleware import absolute_url, new_account_language
from portal.notifications.services import notify, queue_email
from portal.transitions import refuse
from proposals.models import (
    Call,
    Conflict,
    Decision,
    Review,
    ReviewAssignment,
    ReviewerProfile,
    ReviewReminder,
)
from proposals.review import affinity, matching, permissions
from proposals.review import assignment as solver
from proposals.review.conflicts import ConflictRules, conflict_reason
from proposals.review.scoring import manifest
from proposals.review.selectors import review_context, reviewable_proposals

User = get_user_model()

REVIEW_REMINDER_DAYS = (3, 1)


# Reviewers ------------------------------------------------------------------------------------


@transaction.atomic
def invite_reviewer(*, email, full_name, by, profile, language=None):
    """Make a person a reviewer (creating their account if needed, in `language` or by default the language of the
    request) and email them how to sign in."""
    require_programme_admin(by)
    email = email.strip()
    user = User.objects.filter(email__iexact=email).first()
    created = user is None
    if created:
        user = User.objects.create_user(
            email=email,
            full_name=full_name,
            password=None,
            language=new_account_language(language),
        )
    user.is_reviewer = True
    user.save(update_fields=["is_reviewer"])
    reviewer_profile, _created = ReviewerProfile.objects.update_or_create(user=user, defaults=profile)
    record_event(actor=by, action="reviewer.invited", obj=user, data={"new_account": created})
    queue_email(
        to=user.email,
        template="reviewer_invited",
        recipient=user,
        context={
            "user": user,
            "set_password_link": set_password_url(user) if created or not user.has_usable_password() else "",
            "link": absolute_url(reverse("proposals:review_list")),
        },
    )
    return reviewer_profile


REVIEWER_FIELDS = (
    "expertise_areas",
    "keywords",
    "affiliation",
    "external_affiliation",
    "country",
    "max_load_per_call",
    "is_technical",
)
SELF_EDITABLE_FIELDS = ("expertise_areas", "keywords", "max_load_per_call")


@transaction.atomic
def update_reviewer_profile(*, profile, by, data):
    """Change a reviewer's profile: administrators any field; reviewers their own expertise and load."""
    refuse(permissions.profile_refusal(by, profile))
    allowed = REVIEWER_FIELDS if is_programme_admin(by) else SELF_EDITABLE_FIELDS
    refused = sorted(set(data) - set(allowed))
    if refused:
        raise DomainError(_("Only administrators change this."), field=refused[0])
    changed = {}
    for field, value in data.items():
        if getattr(profile, field) != value:
            setattr(profile, field, value)
            changed[field] = str(value)
    profile.full_clean()
    profile.save()
    if changed:
        record_event(actor=by, action="reviewer.profile_changed", obj=profile.user, data={"changed": sorted(changed)})
    if "keywords" in changed:
        affinity.enqueue_all()
    return profile


# Conflicts ------------------------------------------------------------------------------------


@transaction.atomic
def declare_conflict(*, assignment=None, proposal=None, reviewer, reason):
    """A reviewer declares a conflict; any assignment to that proposal is withdrawn from them."""
    proposal = proposal or assignment.proposal
    refuse(permissions.conflict_refusal(reviewer, proposal))
    if not (reason or "").strip():
        raise DomainError(_("Say what the conflict is."), field="reason")
    conflict, _created = Conflict.objects.update_or_create(
        proposal=proposal,
        reviewer=reviewer,
        defaults={"kind": Conflict.Kind.DECLARED, "reason": reason.strip(), "created_by": reviewer},
    )
    removed = ReviewAssignment.objects.filter(proposal=proposal, reviewer=reviewer).exclude(
        review__status=Review.Status.SUBMITTED
    )
    removed.delete()
    record_event(actor=reviewer, action="conflict.declared", obj=proposal, reason=conflict.reason)
    return conflict


@transaction.atomic
def set_conflict(*, proposal, reviewer, by, conflicted, reason):
    """An administrator adds a conflict, or lifts an automatic one, with a reason. A conflict the applicants
    proposed (by naming the reviewer on their team) is confirmed or dismissed the same way."""
    refuse(permissions.conflict_change_refusal(by, proposal.call))
    if not (reason or "").strip():
        raise DomainError(_("Give a reason."), field="reason")
    existing = Conflict.objects.select_for_update().filter(proposal=proposal, reviewer=reviewer).first()
    proposed = existing is not None and existing.kind in (Conflict.Kind.PROPOSED, Conflict.Kind.DISMISSED)
    if conflicted:
        kind, action = Conflict.Kind.ADDED, "conflict.confirmed" if proposed else "conflict.added"
    elif proposed:
        # Dismissed, not lifted: should the reviewer join the team themselves, the call's own rules still apply.
        kind, action = Conflict.Kind.DISMISSED, "conflict.dismissed"
    else:
        kind, action = Conflict.Kind.LIFTED, "conflict.lifted"
    Conflict.objects.update_or_create(
        proposal=proposal, reviewer=reviewer, defaults={"kind": kind, "reason": reason.strip(), "created_by": by}
    )
    if conflicted:
        ReviewAssignment.objects.filter(proposal=proposal, reviewer=reviewer).exclude(
            review__status=Review.Status.SUBMITTED
        ).delete()
    record_event(
        actor=by,
        action=action,
        obj=proposal,
        from_state=existing.kind if existing is not None else "",
        to_state=kind,
        reason=reason.strip(),
        data={"reviewer": reviewer.email},
    )


def propose_conflict(*, proposal, reviewer, by):
    """The applicants named a reviewer on their team: record it for an administrator to confirm or dismiss, without
    keeping the reviewer from the proposal meanwhile. Called inside the team change's transaction."""
    conflict, created = Conflict.objects.get_or_create(
        proposal=proposal,
        reviewer=reviewer,
        defaults={
            "kind": Conflict.Kind.PROPOSED,
            "reason": _("Named on the team by %(person)s of the applicants.") % {"person": by.email},
            "created_by": by,
        },
    )
    if created:
        # Outside the organisation's log: the team must not learn that the person they named is a reviewer.
        record_event(
            actor=by,
            action="conflict.proposed",
            obj=proposal,
            to_state=conflict.kind,
            data={"reviewer": reviewer.email},
        )
    return conflict


# Assignment -----------------------------------------------------------------------------------


@transaction.atomic
def assign_reviewers(*, call, by):
    """Fill every proposal's open review slots optimally; returns the solver's result (with shortfalls)."""
    call = Call.objects.select_for_update().get(pk=call.pk)
    refuse(permissions.assign_refusal(by, call))
    proposals, profiles, overrides, current, declined = review_context(call)
    by_user = {profile.user_id: profile for profile in profiles}
    load = defaultdict(int)
    existing = set()
    proposals_by_id = {p.pk: p for p in proposals}
    for a in current:
        override = overrides.get((a.proposal_id, a.reviewer_id))
        if override is not None and override.kind in Conflict.STANDING:
            # A conflict found after the review was written: that review no longer counts, so neither does its slot.
            continue
        load[a.reviewer_id] += 1
        if a.proposal_id in proposals_by_id and a.reviewer_id in by_user:
            existing.add((proposals_by_id[a.proposal_id], by_user[a.reviewer_id]))
    rules = ConflictRules(overrides)

    def conflicted(proposal, profile):
        return (proposal.pk, profile.user_id) in declined or bool(rules.reason(proposal, profile.user, profile))

    # The score (stored affinity, areas, bids) and the two stages are explained in proposals/matching.py.
    matcher = matching.CallMatch(call)
    options = {
        "proposals": proposals,
        "reviewers": profiles,
        "capacity": lambda profile: profile.max_load_per_call - load[profile.user_id],
        "match": matcher,
        "conflicted": conflicted,
        "existing": existing,
        "unwilling": matcher.unwilling,
    }
    result = solver.raise_minimum(result=solver.solve(k=call.reviewers_per_proposal, **options), **options)
    ReviewAssignment.objects.bulk_create(
        [
            ReviewAssignment(proposal=p, reviewer=profile.user, match=score, reasons=matcher.reasons(p, profile))
            for p, profile, score in result.pairs
        ]
    )
    result.report = matching.run_report(result=result, **options)
    record_event(
        actor=by,
        action="call.reviewers_assigned",
        obj=call,
        data={
            "assigned": len(result.pairs),
            "total_match": result.total_match,
            "short": {s.proposal.reference: s.missing for s in result.shortfalls},
            "not_willing": [[p.reference, profile.user.email] for p, profile in result.unwilling],
            "report": result.report,
        },
    )
    for profile in {profile.user_id: profile for _p, profile, _s in result.pairs}.values():
        _email_assigned(profile.user, call)
    return result


def _email_assigned(user, call):
    link = absolute_url(reverse("proposals:review_list"))
    queue_email(to=user.email, template="review_assigned", recipient=user, context={"call": call, "link": link})
    notify(
        user=user, message=gettext_lazy("New review assignments for %(call)s."), params={"call": call.title}, link=link
    )


@transaction.atomic
def add_assignment(*, proposal, reviewer, by):
    """Assign one reviewer by hand, with the same conflict and load checks as the automatic assignment."""
    refuse(permissions.assign_refusal(by, proposal.call))
    if not reviewable_proposals(proposal.call).filter(pk=proposal.pk).exists():
        raise TransitionNotAllowed(_("Only submitted full proposals are reviewed."))
    profile = ReviewerProfile.objects.filter(user=reviewer, user__is_reviewer=True).first()
    if profile is None:
        raise DomainError(_("This person is not a reviewer."), field="reviewer")
    reason = conflict_reason(proposal, reviewer, profile)
    if reason:
        raise DomainError(_("Conflict of interest: %(reason)s") % {"reason": reason}, field="reviewer")
    load = (
        ReviewAssignment.objects.filter(proposal__call=proposal.call, reviewer=reviewer)
        .exclude(status=ReviewAssignment.Status.DECLINED)
        .count()
    )
    if load >= profile.max_load_per_call:
        raise DomainError(
            ngettext(
                "%(name)s already has %(load)s proposal in this call, the most they take.",
                "%(name)s already has %(load)s proposals in this call, the most they take.",
                load,
            )
            % {"name": reviewer, "load": load},
            field="reviewer",
        )
    try:
        with transaction.atomic():
            score, reasons = matching.pair_match(proposal, profile)
            assignment = ReviewAssignment.objects.create(
                proposal=proposal, reviewer=reviewer, match=score, reasons=reasons
            )
    except IntegrityError:
        raise DomainError(_("This reviewer is already assigned to the proposal."), field="reviewer") from None
    record_event(actor=by, action="assignment.added", obj=proposal, data={"reviewer": reviewer.email})
    _email_assigned(reviewer, proposal.call)
    return assignment


@transaction.atomic
def remove_assignment(*, assignment, by):
    """Take an assignment back, unless its review is already submitted."""
    refuse(permissions.unassign_refusal(by, assignment))
    record_event(
        actor=by, action="assignment.removed", obj=assignment.proposal, data={"reviewer": assignment.reviewer.email}
    )
    assignment.delete()


@transaction.atomic
def respond_to_assignment(*, assignment, by, accept, reason=""):
    """The reviewer accepts or declines; a declined slot is open for reassignment."""
    assignment = ReviewAssignment.objects.select_for_update().get(pk=assignment.pk)
    refuse(permissions.answer_refusal(by, assignment))
    if not accept and not (reason or "").strip():
        raise DomainError(_("Say why you decline."), field="reason")
    assignment.status = ReviewAssignment.Status.ACCEPTED if accept else ReviewAssignment.Status.DECLINED
    assignment.decline_reason = "" if accept else reason.strip()
    assignment.responded_at = timezone.now()
    assignment.save(update_fields=["status", "decline_reason", "responded_at"])
    record_event(
        actor=by,
        action="assignment.accepted" if accept else "assignment.declined",
        obj=assignment.proposal,
        from_state=ReviewAssignment.Status.PENDING,
        to_state=assignment.status,
        reason=assignment.decline_reason,
    )
    if not accept:
        _tell_administrators_of_open_slot(assignment)
    return assignment


def _tell_administrators_of_open_slot(assignment):
    """The office learns of a declined slot at once, with the way to fill it."""
    link = reverse("proposals:call_review", args=[assignment.proposal.call_id])
    message = gettext_lazy("A reviewer declined %(ref)s; run the assignment again to fill the slot.")
    for admin in User.objects.filter(is_programme_admin=True, is_active=True):
        notify(user=admin, message=message, params={"ref": assignment.proposal.reference}, link=link)


# Reviews --------------------------------------------------------------------------------------


def _validate_scores(call, scores):
    keys = [criterion["key"] for criterion in call.criteria]
    problems = {}
    clean = {}
    for key in keys:
        value = scores.get(key)
        if value in (None, ""):
            continue
        try:
            value = int(value)
        except (TypeError, ValueError):
            value = 0
        if not 1 <= value <= 5:
            problems[f"score_{key}"] = _("Give a grade from 1 (Poor) to 5 (Excellent).")
        clean[key] = value
    unknown = set(scores) - set(keys)
    if unknown:
        problems["scores"] = _("Unknown criteria: %(keys)s") % {"keys": ", ".join(sorted(unknown))}
    return clean, problems


@transaction.atomic
def save_review(*, assignment, by, data, submit=False):
    """Save a review as a draft, or submit it; editable until the call's review deadline."""
    assignment = ReviewAssignment.objects.select_for_update().select_related("proposal__call").get(pk=assignment.pk)
    refuse(permissions.write_review_refusal(by, assignment))
    call = assignment.proposal.call
    review, _created = Review.objects.get_or_create(assignment=assignment)
    from_state = review.status
    scores, problems = _validate_scores(call, data.get("scores", review.scores) or {})
    review.scores = scores
    for field in ("strengths", "weaknesses", "confidential_comment", "technical_assessment", "technical_notes"):
        if field in data:
            setattr(review, field, data[field] or "")
    profile = getattr(by, "reviewer_profile", None)
    if review.technical_assessment and not (profile and profile.is_technical):
        problems["technical_assessment"] = _("Only technical reviewers give the accommodation assessment.")
    # A submitted review may still be changed until the deadline, but never left incomplete.
    if submit or from_state == Review.Status.SUBMITTED:
        for criterion in call.criteria:
            if criterion["key"] not in scores:
                problems.setdefault(f"score_{criterion['key']}", _("Grade every criterion before submitting."))
        if not review.strengths.strip():
            problems["strengths"] = _("Write the strengths before submitting.")
        if not review.weaknesses.strip():
            problems["weaknesses"] = _("Write the weaknesses before submitting.")
        if profile and profile.is_technical and not review.technical_assessment:
            problems["technical_assessment"] = _("Give the technical accommodation assessment.")
    if problems:
        raise ValidationError(problems)
    if submit:
        review.status = Review.Status.SUBMITTED
        review.submitted_at = timezone.now()
    review.save()
    if submit:
        record_event(
            actor=by,
            action="review.submitted",
            obj=assignment.proposal,
            from_state=from_state,
            to_state=review.status,
        )
    return review


def send_review_reminders(now=None):
    """Remind reviewers with open reviews 3 days and 1 day before the review deadline; each once."""
    now = now or timezone.now()
    sent = 0
    for call in Call.objects.filter(status=Call.Status.UNDER_REVIEW, review_deadline__gt=now):
        left = call.review_deadline - now
        due = [days for days in REVIEW_REMINDER_DAYS if left <= timezone.timedelta(days=days)]
        if not due:
            continue
        days_before = min(due)
        open_assignments = (
            ReviewAssignment.objects.filter(proposal__call=call)
            .exclude(status=ReviewAssignment.Status.DECLINED)
            .exclude(review__status=Review.Status.SUBMITTED)
            .exclude(reminders__days_before=days_before)
            .select_related("reviewer", "proposal")
        )
        # One email per reviewer, however many of their reviews are open.
        by_reviewer = defaultdict(list)
        for assignment in open_assignments:
            by_reviewer[assignment.reviewer].append(assignment)
        for reviewer, assignments in by_reviewer.items():
            try:
                with transaction.atomic():
                    ReviewReminder.objects.bulk_create(
                        [ReviewReminder(assignment=assignment, days_before=days_before) for assignment in assignments]
                    )
                    queue_email(
                        to=reviewer.email,
                        template="review_reminder",
                        recipient=reviewer,
                        context={
                            "call": call,
                            "days_before": days_before,
                            "deadline": call.review_deadline,
                            "link": absolute_url(reverse("proposals:review_list")),
                        },
                    )
                    sent += 1
            except IntegrityError:
                continue
    return sent


# Call stages ----------------------------------------------------------------------------------


# Decisions ------------------------------------------------------------------------------------


@transaction.atomic
def decide(*, proposal, by, outcome, note=""):
    """Record the outcome for a proposal; a selection that would exceed a platform budget is refused."""
    call = Call.objects.select_for_update().get(pk=proposal.call_id)
    proposal.call = call
    refuse(permissions.decide_refusal(by, proposal))
    if outcome not in Decision.Outcome.values:
        raise DomainError(_("Choose an outcome."), field="outcome")
    decisions = {d.proposal_id: d.outcome for d in Decision.objects.filter(proposal__call=call)}
    decisions[proposal.pk] = outcome
    if outcome == Decision.Outcome.SELECTED:
        for row in manifest(call, decisions):
            over = [f for f in row["figures"] if f["over"]]
            if over and row["platform"].pk == proposal.platform_id:
                figure = over[0]
                raise DomainError(
                    _(
                        "Selecting this payload would put the %(platform)s at %(used)s %(unit)s of "
                        "%(label)s against a budget of %(budget)s %(unit)s."
                    )
                    % {
                        "platform": row["platform"].name,
                        "used": figure["used"],
                        "unit": figure["unit"],
                        "label": str(figure["label"]).lower(),
                        "budget": figure["budget"],
                    },
                    field="outcome",
                )
    previous = Decision.objects.filter(proposal=proposal).first()
    Decision.objects.update_or_create(
        proposal=proposal, defaults={"outcome": outcome, "note": note or "", "decided_by": by}
    )
    record_event(
        actor=by,
        action="proposal.decided",
        obj=proposal,
        organisation=proposal.organisation,
        from_state=previous.outcome if previous else "",
        to_state=outcome,
        reason=note or "",
    )
