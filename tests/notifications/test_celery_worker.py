"""A real Celery worker against Redis delivers the outbox; a broker outage loses no email and sends none twice."""

import shutil
import socket
import subprocess
import time
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import after_task_publish, task_postrun
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from partners import services as partner_services
from partners.models import Registration
from portal.notifications import tasks
from portal.notifications.models import OutboundEmail

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


def _wait_for(condition, timeout=15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


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


@pytest.fixture
def private_redis():
    """A throw-away redis-server on a free port, to be stopped and started again on the same port."""
    executable = shutil.which("redis-server")
    assert executable, "redis-server is needed for the broker outage test"
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]

    class Server:
        url = f"redis://127.0.0.1:{port}/0"
        process = None

        def start(self):
            self.process = subprocess.Popen(
                [executable, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                stdout=subprocess.DEVNULL,
            )
            assert _wait_for(self._answers, timeout=5), "private redis-server did not start"

        def stop(self):
            self.process.kill()
            self.process.wait(5)
            assert not self._answers()

        def _answers(self):
            with socket.socket() as sock:
                return sock.connect_ex(("127.0.0.1", port)) == 0

    server = Server()
    yield server
    if server.process is not None and server.process.poll() is None:
        server.stop()


def test_real_worker_delivers_the_verification_email_after_the_application_commits(celery_broker, settings, task_log):
    app = celery_broker(settings.TEST_REDIS_URL)

    with _worker(app):
        registration = partner_services.submit_registration(
            data=_application("Worker Test Institute", "awa@worker.example.org"), language="en"
        )
        assert _wait_for(lambda: task_log["finished"]), "the worker ran no delivery"

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
        assert _wait_for(
            lambda: (
                len(task_log["finished"]) == len(task_log["published"]) - 1
                and all(row.status == OutboundEmail.Status.SENT for row in rows.all())
            )
        ), f"deliveries: published {len(task_log['published'])}, finished {task_log['finished']}"

    assert len(_sent_to("before@outage.example.org")) == 1
    assert len(_sent_to("during@outage.example.org")) == 1
    assert sorted(task_log["finished"]) == sorted((row.pk, sent) for row in rows for sent in (True, False))
