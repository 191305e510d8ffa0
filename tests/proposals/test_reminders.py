"""Deadline reminders: 7 days and 1 day before, to teams whose proposal is not submitted, each exactly once."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from portal.formatting import when
from proposals import services, tasks
from proposals.models import Call, DeadlineReminder, Proposal
from tests.factories import CallFactory, ProposalFactory


@pytest.fixture
def submitted(call, organisation):
    proposal = ProposalFactory(call=call, organisation=organisation, title="Already in")
    services.submit_proposal(proposal=proposal, by=proposal.principal_investigator)
    return proposal


def _reminded_addresses():
    return sorted(address for message in mail.outbox for address in message.to)


def test_seven_day_reminder_goes_once_to_teams_with_unsubmitted_drafts(
    call, proposal, pi, lead_coinvestigator, submitted, django_capture_on_commit_callbacks
):
    six_days_before = call.deadline - timedelta(days=6)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_deadline_reminders(now=six_days_before) == 1
    assert _reminded_addresses() == sorted([pi.email, lead_coinvestigator.email])
    reminder = mail.outbox[0]
    assert reminder.subject == f"{proposal.reference} is not submitted: the deadline is in 7 days"
    assert '"Regolith dust analyser" is still a Draft: it has not been submitted.' in reminder.body
    assert when(call.deadline) in reminder.body, "in the recipient's own zone"
    assert f"http://testserver/proposals/{proposal.pk}/" in reminder.body

    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_deadline_reminders(now=six_days_before) == 0
        assert services.send_deadline_reminders(now=six_days_before + timedelta(hours=3)) == 0
    assert len(mail.outbox) == 2
    assert submitted.principal_investigator.email not in _reminded_addresses()


def test_one_day_reminder_follows_later_and_also_goes_once(call, proposal, pi, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_deadline_reminders(now=call.deadline - timedelta(days=6)) == 1
        assert services.send_deadline_reminders(now=call.deadline - timedelta(hours=20)) == 1
        assert services.send_deadline_reminders(now=call.deadline - timedelta(hours=2)) == 0
    assert [message.subject for message in mail.outbox] == [
        f"{proposal.reference} is not submitted: the deadline is in 7 days",
        f"{proposal.reference} is not submitted: the deadline is in 1 day",
    ]
    assert sorted(DeadlineReminder.objects.values_list("stage", "days_before")) == [("full", 1), ("full", 7)]


def test_a_withdrawn_proposal_is_reminded_too(call, proposal, pi):
    services.submit_proposal(proposal=proposal, by=pi)
    services.withdraw_proposal(proposal=proposal, by=pi)
    assert services.send_deadline_reminders(now=call.deadline - timedelta(days=3)) == 1


@pytest.mark.parametrize(
    "before_deadline", [timedelta(days=10), timedelta(days=7, minutes=1), -timedelta(minutes=1)], ids=str
)
def test_no_reminder_outside_the_last_week_or_after_the_deadline(call, proposal, before_deadline):
    assert services.send_deadline_reminders(now=call.deadline - before_deadline) == 0
    assert not DeadlineReminder.objects.exists()


@pytest.mark.parametrize("status", ["draft", "closed"])
def test_calls_that_are_not_open_send_no_reminders(proposal, call, status):
    Call.objects.filter(pk=call.pk).update(status=status)
    assert services.send_deadline_reminders(now=call.deadline - timedelta(days=1)) == 0


def test_a_reminder_that_was_skipped_is_not_sent_late(call, proposal):
    """Running for the first time the day before sends only the 1-day reminder, not a stale 7-day one."""
    assert services.send_deadline_reminders(now=call.deadline - timedelta(hours=12)) == 1
    assert list(DeadlineReminder.objects.values_list("days_before", flat=True)) == [1]
    assert services.send_deadline_reminders(now=call.deadline - timedelta(hours=11)) == 0


def test_letters_and_then_full_proposals_each_get_their_own_reminders(organisation, pi):
    now = timezone.now()
    call = CallFactory(
        has_letter_stage=True, letter_deadline=now + timedelta(days=10), deadline=now + timedelta(days=40)
    )
    proposal = ProposalFactory(call=call, organisation=organisation, principal_investigator=pi, stage="letter")
    assert services.send_deadline_reminders(now=call.letter_deadline - timedelta(days=6)) == 1
    assert services.send_deadline_reminders(now=call.letter_deadline - timedelta(hours=12)) == 1

    # Shortlisted: the same proposal now works towards the full deadline.
    Proposal.objects.filter(pk=proposal.pk).update(stage="full", shortlist="shortlisted")
    assert services.send_deadline_reminders(now=call.deadline - timedelta(days=6)) == 1
    assert services.send_deadline_reminders(now=call.deadline - timedelta(hours=12)) == 1
    assert services.send_deadline_reminders(now=call.deadline - timedelta(hours=6)) == 0
    assert sorted(DeadlineReminder.objects.values_list("stage", "days_before")) == [
        ("full", 1),
        ("full", 7),
        ("letter", 1),
        ("letter", 7),
    ]


def test_the_beat_task_sends_reminders_and_is_safe_to_run_twice(call, proposal):
    Call.objects.filter(pk=call.pk).update(deadline=timezone.now() + timedelta(days=3))
    assert tasks.send_deadline_reminders.delay().get() == 1
    assert tasks.send_deadline_reminders.delay().get() == 0
    assert DeadlineReminder.objects.count() == 1
