"""Bidding: after a call closes and before its reviewers are assigned, reviewers say which proposals they want.

Bids are optional. A reviewer sees the call's proposals they are not conflicted with, most affine first, and
bids eager, willing or not willing on each; the assignment (proposals/matching.py) reads the bids.
"""

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import FloatField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit.services import record_event
from portal.errors import DomainError
from portal.middleware import absolute_url
from portal.notifications.services import queue_email
from portal.transitions import refuse
from proposals.models import Affinity, Bid, BidReminder, Call, Conflict, ReviewerProfile
from proposals.review.conflicts import ConflictRules
from proposals.review.permissions import BIDDING_STATES, bid_refusal, bidding_deadline_refusal, bidding_open, can_bid
from proposals.review.selectors import reviewable_proposals

User = get_user_model()

BID_REMINDER_DAYS = (3, 1)


def calls_open_for_bidding(now=None):
    now = now or timezone.now()
    calls = Call.objects.filter(status__in=BIDDING_STATES).order_by("bidding_deadline", "pk")
    return [call for call in calls if bidding_open(call, now)]


def get_call_for_bidding(*, user, pk):
    """The door to a call a reviewer bids on; a call not open for bidding to them answers like a missing one (404)."""
    call = Call.objects.filter(pk=pk).first()
    if call is None or not can_bid(user, call):
        raise Http404
    return call


def _reviewer_profile(user):
    return ReviewerProfile.objects.select_related("affiliation").filter(user=user).first()


def biddable_proposals(call, user):
    """The call's proposals in review that `user` is not conflicted with, most affine first, each with
    `affinity` (0 when not computed) and `bid` (the user's bid value or '')."""
    mine = Affinity.objects.filter(proposal=OuterRef("pk"), reviewer=user)
    bid = Bid.objects.filter(proposal=OuterRef("pk"), reviewer=user)
    proposals = reviewable_proposals(call).annotate(
        affinity=Coalesce(Subquery(mine.values("score")[:1]), Value(0.0), output_field=FloatField()),
        bid=Coalesce(Subquery(bid.values("value")[:1]), Value("")),
    )
    overrides = {(c.proposal_id, c.reviewer_id): c for c in Conflict.objects.filter(proposal__call=call, reviewer=user)}
    rules = ConflictRules(overrides)
    profile = _reviewer_profile(user)
    user = User.objects.select_related("membership__organisation").get(pk=user.pk)
    rows = [p for p in proposals if not rules.reason(p, user, profile)]
    rows.sort(key=lambda p: (-p.affinity, p.pk))
    return rows


@transaction.atomic
def place_bids(*, call, by, bids):
    """Save a reviewer's bids on a call: `bids` maps proposal ids to a `Bid.Value` or '' (no bid, removes one)."""
    refuse(bid_refusal(by, call))
    allowed = {p.pk for p in biddable_proposals(call, by)}
    unknown = sorted(str(pk) for pk in bids if pk not in allowed)
    if unknown:
        raise DomainError(_("You cannot bid on proposal %(ids)s.") % {"ids": ", ".join(unknown)}, field="bids")
    wrong = sorted(str(value) for value in bids.values() if value not in Bid.Value.values and value != "")
    if wrong:
        raise DomainError(_("“%(value)s” is not a bid.") % {"value": wrong[0]}, field="bids")
    existing = {b.proposal_id: b for b in Bid.objects.filter(reviewer=by, proposal_id__in=list(bids))}
    changed = 0
    for proposal_id, value in bids.items():
        current = existing.get(proposal_id)
        if not value:
            if current is not None:
                current.delete()
                changed += 1
        elif current is None:
            Bid.objects.create(proposal_id=proposal_id, reviewer=by, value=value)
            changed += 1
        elif current.value != value:
            current.value = value
            current.save(update_fields=["value", "updated_at"])
            changed += 1
    if changed:
        record_event(actor=by, action="call.bids_placed", obj=call, data={"changed": changed})
    return changed


@transaction.atomic
def set_bidding_deadline(*, call, by, deadline):
    """Set or clear (None) the moment bids on a call close; reminders go out 3 days and 1 day before it."""
    call = Call.objects.select_for_update().get(pk=call.pk)
    refuse(bidding_deadline_refusal(by, call))
    if deadline is not None and deadline <= timezone.now():
        raise DomainError(_("The bidding deadline must be in the future."), field="bidding_deadline")
    call.bidding_deadline = deadline
    call.save(update_fields=["bidding_deadline"])
    record_event(
        actor=by,
        action="call.bidding_deadline_set",
        obj=call,
        data={"deadline": deadline.isoformat() if deadline else None},
    )
    return call


def bids_of(call):
    """{(proposal id, reviewer id): bid value} of a call, for the assignment."""
    return {
        (proposal_id, reviewer_id): value
        for proposal_id, reviewer_id, value in Bid.objects.filter(proposal__call=call).values_list(
            "proposal_id", "reviewer_id", "value"
        )
    }


def send_bid_reminders(now=None):
    """Remind active reviewers 3 days and 1 day before a call's bidding deadline; each reminder once."""
    now = now or timezone.now()
    sent = 0
    for call in Call.objects.filter(status__in=BIDDING_STATES, bidding_deadline__gt=now):
        left = call.bidding_deadline - now
        due = [days for days in BID_REMINDER_DAYS if left <= timezone.timedelta(days=days)]
        if not due:
            continue
        days_before = min(due)
        reviewers = (
            User.objects.filter(is_reviewer=True, is_active=True, reviewer_profile__isnull=False)
            .exclude(pk__in=BidReminder.objects.filter(call=call, days_before=days_before).values("reviewer"))
            .order_by("pk")
        )
        link = absolute_url(reverse("proposals:call_bids", args=[call.pk]))
        for reviewer in reviewers:
            try:
                with transaction.atomic():
                    BidReminder.objects.create(call=call, reviewer=reviewer, days_before=days_before)
                    queue_email(
                        to=reviewer.email,
                        template="bid_reminder",
                        recipient=reviewer,
                        context={
                            "call": call,
                            "days_before": days_before,
                            "deadline": call.bidding_deadline,
                            "link": link,
                        },
                    )
                    sent += 1
            except IntegrityError:
                continue
    return sent
