"""A real Celery worker against Redis delivers the outbox; a broker outage loses no email and sends none twice."""

import time
from collections import Counter
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import after_task_publish, task_postrun
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from partners import services as partner_services
from partners.models import Registration
from portal.notifications import tasks
from portal.notifications.models import OutboundEmail
from proposals.models import Proposal
from tests.factories import MembershipFactory, ProposalFactory, RegistrationFactory, TeamMemberFactory
from tests.helpers import wait_for

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

DELIVER = tasks.deliver_email.name


def _application(name, email):
    return {
        "name": name,
        "kind": "research_institute",
        "country": "SN",
        "city": "Dakar",
        "areas": ["payloads"],
        "cooperation_levels": ["equipment"],
        "contact_name": "Awa Diop",
        "contact_email": email,
        "accept_terms": "on",
    }


def _sent_to(address):
    return [message for message in mail.outbox if address in message.to]


def _worker(app):
    return start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10)


@pytest.fixture
def task_log():
    """Deliveries published to the broker and run by a worker (in a thread of this process), with their results."""
    log = {"published": [], "finished": []}

    def published(sender=None, **kwargs):
        if sender == DELIVER:
            log["published"].append(sender)

    def finished(sender=None, args=(), retval=None, **kwargs):
        if sender.name == DELIVER and not sender.request.is_eager:
            log["finished"].append((args[0], retval))

    after_task_publish.connect(published, weak=False)
    task_postrun.connect(finished, weak=False)
    yield log
    after_task_publish.disconnect(published)
    task_postrun.disconnect(finished)


def test_real_worker_delivers_the_verification_email_after_the_application_commits(celery_broker, settings, task_log):
    app = celery_broker(settings.TEST_REDIS_URL)

    with _worker(app):
        registration = partner_services.submit_registration(
            data=_application("Worker Test Institute", "awa@worker.example.org"), language="en"
        )
        assert wait_for(lambda: task_log["finished"]), "the worker ran no delivery"

    [message] = _sent_to("awa@worker.example.org")
    assert message.subject == "Confirm your email address to apply for Worker Test Institute"
    assert "http://testserver/join/verify/" in message.body
    row = OutboundEmail.objects.get(to="awa@worker.example.org")
    assert (row.status, row.attempts) == (OutboundEmail.Status.SENT, 1)
    assert (row.pk, True) in task_log["finished"], "sent by the worker, not in-process"
    assert Registration.objects.get(pk=registration.pk).status == Registration.Status.SUBMITTED


def test_broker_outage_delays_emails_without_failing_requests_and_the_sweeper_sends_each_once(
    client, celery_broker, private_redis, task_log
):
    app = celery_broker(private_redis.url)
    private_redis.start()
    partner_services.submit_registration(
        data=_application("Queued Before Outage", "before@outage.example.org"), language="en"
    )
    assert task_log["published"] == [DELIVER], "published while the broker was up, but no worker ran"

    private_redis.stop()  # without persistence: the queued message is lost with the broker
    started = time.monotonic()
    response = client.post(reverse("partners:join"), _application("Applied During Outage", "during@outage.example.org"))
    elapsed = time.monotonic() - started

    assert response.status_code == 302 and response.url == reverse("partners:join_done")
    assert elapsed < 3, f"the application took {elapsed:.1f} s with the broker down"
    assert Registration.objects.filter(contact_email="during@outage.example.org").exists()
    rows = OutboundEmail.objects.filter(to__endswith="@outage.example.org")
    assert [row.status for row in rows] == [OutboundEmail.Status.PENDING] * 2
    assert mail.outbox == []

    private_redis.start()  # same address; the portal's cached broker connections must recover by themselves
    rows.update(created_at=timezone.now() - timedelta(minutes=5))
    # Beat fired twice before a worker took the sweeps: both re-queue both rows.
    tasks.requeue_undelivered.delay()
    tasks.requeue_undelivered.delay()
    with _worker(app):
        assert wait_for(
            lambda: (
                len(task_log["finished"]) == len(task_log["published"]) - 1
                and all(row.status == OutboundEmail.Status.SENT for row in rows.all())
            )
        ), f"deliveries: published {len(task_log['published'])}, finished {task_log['finished']}"

    assert len(_sent_to("before@outage.example.org")) == 1
    assert len(_sent_to("during@outage.example.org")) == 1
    assert sorted(task_log["finished"]) == sorted((row.pk, sent) for row in rows for sent in (True, False))


def test_proposal_submission_and_registration_approval_succeed_with_the_broker_down_and_each_email_goes_once(
    client, celery_broker, private_redis, task_log, programme_admin
):
    app = celery_broker(private_redis.url)  # the broker's address, with nothing answering there yet
    lead = MembershipFactory(user__email="pi@outage.example.org")
    proposal = ProposalFactory(organisation=lead.organisation, principal_investigator=lead.user)
    TeamMemberFactory(proposal=proposal, user=None, email="coi@outage.example.org", organisation_name="Outside Lab")
    registration = RegistrationFactory(contact_email="contact@outage.example.org")
    client.force_login(lead.user)
    admin = Client()
    admin.force_login(programme_admin)

    started = time.monotonic()
    submitted = client.post(reverse("proposals:proposal_submit", args=[proposal.pk]))
    approved = admin.post(reverse("partners:registration_detail", args=[registration.pk]), {"action": "approve"})
    elapsed = time.monotonic() - started

    assert submitted.status_code == 302 and submitted.url == reverse("proposals:proposal_detail", args=[proposal.pk])
    assert approved.status_code == 302 and approved.url == reverse(
        "partners:registration_detail", args=[registration.pk]
    )
    assert elapsed < 6, f"a submission and an approval took {elapsed:.1f} s with the broker down"
    assert Proposal.objects.get(pk=proposal.pk).status == Proposal.Status.SUBMITTED
    assert Registration.objects.get(pk=registration.pk).status == Registration.Status.APPROVED
    rows = OutboundEmail.objects.filter(to__endswith="@outage.example.org")
    expected = Counter(
        {
            ("pi@outage.example.org", "proposal_submitted"): 1,
            ("coi@outage.example.org", "proposal_submitted"): 1,
            ("contact@outage.example.org", "registration_approved"): 1,
        }
    )
    assert Counter(rows.values_list("to", "template")) == expected
    assert set(rows.values_list("status", "attempts")) == {(OutboundEmail.Status.PENDING, 0)}
    assert task_log["published"] == [] and mail.outbox == []

    private_redis.start()
    rows.update(created_at=timezone.now() - timedelta(minutes=5))
    # Beat fired twice before a worker took the sweeps: each sweep re-queues every row.
    tasks.requeue_undelivered.delay()
    tasks.requeue_undelivered.delay()
    deliveries = 2 * len(expected)
    with _worker(app):
        assert wait_for(lambda: len(task_log["published"]) == len(task_log["finished"]) == deliveries), (
            f"deliveries: published {len(task_log['published'])}, finished {task_log['finished']}"
        )

    assert set(rows.values_list("status", "attempts")) == {(OutboundEmail.Status.SENT, 1)}
    assert Counter(message.to[0] for message in mail.outbox) == Counter(to for to, _template in expected), (
        "every email delivered once: none lost, none doubled"
    )
    assert sorted(task_log["finished"]) == sorted((row.pk, sent) for row in rows for sent in (True, False))
