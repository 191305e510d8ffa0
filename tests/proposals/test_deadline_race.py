"""Submissions racing the deadline on PostgreSQL: each is wholly in with one version, or cleanly refused.

Twelve threads submit eight proposals while the deadline passes: four proposals are submitted twice at the
same instant (a double click, two team members), four once. Thread start times are spread from about
0.9 s before the deadline to 0.9 s after it.
"""

import threading
import time
from collections import Counter, defaultdict
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from portal.errors import TransitionNotAllowed
from portal.formatting import when
from portal.notifications.models import OutboundEmail
from proposals import services
from proposals.models import Call, Proposal, ProposalVersion
from tests.factories import CallFactory, OrganisationFactory, ProposalFactory

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

DOUBLED = 4
SINGLE = 4


def test_submissions_straddling_the_deadline_are_each_wholly_in_or_cleanly_refused():
    assert connection.vendor == "postgresql"
    call = CallFactory()
    organisation = OrganisationFactory()
    proposals = ProposalFactory.create_batch(DOUBLED + SINGLE, call=call, organisation=organisation)
    deadline = timezone.now() + timedelta(seconds=1.5)
    start = time.monotonic()
    Call.objects.filter(pk=call.pk).update(deadline=deadline)
    named_deadline = when(deadline, call.time_zone)

    outcomes = defaultdict(list)  # proposal id → [("in", version) | ("refused", message)]
    errors = []
    lock = threading.Lock()

    def submit(proposal, delay, barrier):
        try:
            time.sleep(max(0.0, start + delay - time.monotonic()))
            if barrier is not None:
                barrier.wait(timeout=10)
            try:
                version = services.submit_proposal(proposal=proposal, by=proposal.principal_investigator)
                outcome = ("in", version)
            except TransitionNotAllowed as refusal:
                outcome = ("refused", refusal.message)
            with lock:
                outcomes[proposal.pk].append(outcome)
        except Exception as error:  # anything else is a defect: collected and reported below
            with lock:
                errors.append(repr(error))
        finally:
            connection.close()

    threads = []
    for index, proposal in enumerate(proposals):
        delay = 0.6 + index * 0.26  # 0.6 s … 2.42 s after the start; the deadline is at about 1.5 s
        twice = index % 2 == 0 and index // 2 < DOUBLED
        barrier = threading.Barrier(2) if twice else None
        for _copy in range(2 if twice else 1):
            threads.append(threading.Thread(target=submit, args=(proposal, delay, barrier)))
    assert len(threads) == 12
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)

    assert errors == []
    assert sum(len(results) for results in outcomes.values()) == 12

    versions = list(ProposalVersion.objects.all())
    per_proposal = Counter(version.proposal_id for version in versions)
    assert all(count == 1 for count in per_proposal.values()), "never two versions from a double submission"
    assert all(version.number == 1 for version in versions)
    assert all(version.submitted_at <= deadline for version in versions), "nothing is frozen after the deadline"

    for proposal in proposals:
        results = outcomes[proposal.pk]
        accepted = [version for kind, version in results if kind == "in"]
        refusals = [message for kind, message in results if kind == "refused"]
        assert len(accepted) == per_proposal.get(proposal.pk, 0)
        assert len(accepted) <= 1
        for message in refusals:
            if accepted:
                assert message == "This proposal is already submitted.", message
            else:
                assert named_deadline in message, message
        if accepted:
            assert ProposalVersion.objects.get(proposal=proposal).pk == accepted[0].pk
        proposal.refresh_from_db()
        assert proposal.status == (Proposal.Status.SUBMITTED if accepted else Proposal.Status.DRAFT)

    accepted_ids = set(per_proposal)
    assert accepted_ids, "the submissions well before the deadline must get in"
    assert accepted_ids != {proposal.pk for proposal in proposals}, "those well after it must be refused"
    receipts = OutboundEmail.objects.filter(template="proposal_submitted").values_list("subject", flat=True)
    receipted = {subject.split()[1] for subject in receipts}  # "Receipt: CALL-1-0007 submitted (version 1)"
    assert receipted == {Proposal.objects.get(pk=pk).reference for pk in accepted_ids}, "receipts only for those in"
