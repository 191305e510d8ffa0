"""Submissions racing the deadline: each one wholly in with one version, or cleanly refused."""

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from portal.errors import TransitionNotAllowed
from proposals import services
from proposals.models import Call, ProposalVersion
from tests.factories import CallFactory, OrganisationFactory, ProposalFactory

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_concurrent_submissions_straddling_the_deadline():
    call = CallFactory()
    organisation = OrganisationFactory()
    proposals = ProposalFactory.create_batch(8, call=call, organisation=organisation)
    deadline = timezone.now() + timedelta(seconds=1.5)
    Call.objects.filter(pk=call.pk).update(deadline=deadline)
    outcomes, errors = [], []
    start = time.monotonic()

    def submit(proposal, delay):
        time.sleep(delay)
        try:
            services.submit_proposal(proposal=proposal, by=proposal.principal_investigator)
            outcomes.append(("in", proposal.pk))
        except TransitionNotAllowed as refusal:
            outcomes.append(("refused", proposal.pk, refusal.message))
        except Exception as error:  # anything else is a defect
            errors.append(repr(error))
        finally:
            connection.close()

    threads = []
    for index, proposal in enumerate(proposals):
        delay = 1.0 + index * 0.15  # from before the deadline to after it
        for _twice in range(2):  # each proposal is submitted twice at the same moment
            threads.append(threading.Thread(target=submit, args=(proposal, delay)))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert time.monotonic() - start < 30
    assert errors == []
    versions = list(ProposalVersion.objects.all())
    per_proposal = {}
    for version in versions:
        per_proposal[version.proposal_id] = per_proposal.get(version.proposal_id, 0) + 1
        assert version.submitted_at <= deadline
    assert all(count == 1 for count in per_proposal.values())
    accepted = {outcome[1] for outcome in outcomes if outcome[0] == "in"}
    assert accepted == set(per_proposal)
    late = [outcome for outcome in outcomes if outcome[0] == "refused" and "deadline" in outcome[2]]
    assert late, "some submissions came after the deadline and must be refused naming it"
    assert accepted, "some submissions came before the deadline and must be accepted"
