"""Every saved or deleted review and conflict, and every change to a call's criteria, brings the kept ranking
figures up to date in the same transaction (proposals/scoring.py)."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_delete
from django.dispatch import receiver

from proposals.models import Call, Conflict, ProposalScore, Review, ReviewAssignment, ReviewScore
from proposals.review import scoring


def _refresh(call_id, reviewer_id, proposal_id=None):
    with transaction.atomic():
        scoring.refresh_scores(
            call_id=call_id, reviewer_ids=[reviewer_id], proposal_ids=[proposal_id] if proposal_id else ()
        )


def _pair(review):
    """(call id, reviewer id, proposal id) of the review."""
    return (
        ReviewAssignment.objects.filter(pk=review.assignment_id)
        .values_list("proposal__call_id", "reviewer_id", "proposal_id")
        .first()
    )


@receiver(post_save, sender=Review, dispatch_uid="kept_scores_review_saved")
def review_saved(sender, instance, **kwargs):
    # A draft that never counted changes nothing (most saves are drafts).
    if instance.status != Review.Status.SUBMITTED and not ReviewScore.objects.filter(review_id=instance.pk).exists():
        return
    found = _pair(instance)
    if found is not None:
        _refresh(*found)


@receiver(pre_delete, sender=Review, dispatch_uid="kept_scores_review_deleting")
def review_deleting(sender, instance, **kwargs):
    # Read before the cascade takes the assignment and the kept row (which named the proposal) away.
    instance._kept_pair = _pair(instance) if instance.status == Review.Status.SUBMITTED else None


@receiver(post_delete, sender=Review, dispatch_uid="kept_scores_review_deleted")
def review_deleted(sender, instance, **kwargs):
    found = getattr(instance, "_kept_pair", None)
    if found is not None and Call.objects.filter(pk=found[0]).exists():
        _refresh(*found)


@receiver(post_save, sender=Conflict, dispatch_uid="kept_scores_conflict_saved")
@receiver(post_delete, sender=Conflict, dispatch_uid="kept_scores_conflict_deleted")
def conflict_changed(sender, instance, **kwargs):
    reviewed = Review.objects.filter(
        assignment__proposal_id=instance.proposal_id,
        assignment__reviewer_id=instance.reviewer_id,
        status=Review.Status.SUBMITTED,
    )
    if reviewed.exists():
        call_id = reviewed.values_list("assignment__proposal__call_id", flat=True).first()
        _refresh(call_id, instance.reviewer_id)


@receiver(post_save, sender=Call, dispatch_uid="kept_scores_call_saved")
def call_changed(sender, instance, created, update_fields=None, **kwargs):
    if created or (update_fields is not None and "criteria" not in update_fields):
        return
    submitted = Review.objects.filter(assignment__proposal__call_id=instance.pk, status=Review.Status.SUBMITTED)
    if submitted.exists() or ProposalScore.objects.filter(call_id=instance.pk).exists():
        _refresh_call(instance.pk)


def _refresh_call(call_id):
    with transaction.atomic():
        scoring.refresh_scores(call_id=call_id)
