"""A Celery worker killed with SIGKILL while it is handing an email to the mail server: the email still goes, once."""

import os
import signal
from pathlib import Path

import pytest
import redis

from partners import services as partner_services
from portal.notifications.models import OutboundEmail
from tests.helpers import wait_for

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

# Seconds before the broker hands an unacknowledged message to another worker: short for the test.
VISIBILITY_TIMEOUT = 3


def _application(email):
    return {
        "name": "Killed Worker Observatory",
        "kind": "research_institute",
        "country": "SN",
        "city": "Dakar",
        "areas": ["payloads"],
        "cooperation_levels": ["equipment"],
        "contact_name": "Awa Diop",
        "contact_email": email,
    }


def _messages_in_broker(url):
    """(queued, taken by a worker but not acknowledged); (0, 0) means no delivery can still come."""
    client = redis.Redis.from_url(url)
    try:
        return client.llen("celery"), client.hlen("unacked")
    finally:
        client.close()


def _dead(pid):
    """Gone, or a zombie not reaped yet: either way it runs no more code."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] in ("Z", "X")


@pytest.mark.parametrize("killed", ["worker", "pool process"])
def test_email_being_sent_by_a_killed_worker_is_delivered_exactly_once(
    killed, private_redis, celery_broker, start_worker, mailbox
):
    private_redis.start()
    celery_broker(private_redis.url)
    worker = start_worker(broker_url=private_redis.url, name="first", visibility_timeout=VISIBILITY_TIMEOUT)

    partner_services.submit_registration(data=_application("awa@killed.example.org"), language="en")

    row = OutboundEmail.objects.get(to="awa@killed.example.org")
    assert wait_for(mailbox.attempts, timeout=60), f"the worker never reached send:\n{worker.output()}"
    [sender] = mailbox.attempts()
    if killed == "worker":
        # Main and pool process die together; the message stays unacknowledged until the visibility timeout.
        worker.kill()
        row.refresh_from_db()
        assert (row.status, row.attempts, row.sent_at) == (OutboundEmail.Status.PENDING, 0, None)
        assert _messages_in_broker(private_redis.url) == (0, 1), "the killed worker's message waits in the broker"
        worker = start_worker(broker_url=private_redis.url, name="second", visibility_timeout=VISIBILITY_TIMEOUT)
    else:
        # The main process sees its pool process die and, with reject_on_worker_lost, re-queues the message.
        os.kill(sender, signal.SIGKILL)
    assert wait_for(lambda: _dead(sender), timeout=20)
    assert mailbox.accepted() == [], "the mail server had not accepted the message when its sender died"
    mailbox.open()

    def delivered_and_settled():
        row.refresh_from_db()
        return row.status == OutboundEmail.Status.SENT and _messages_in_broker(private_redis.url) == (0, 0)

    assert wait_for(delivered_and_settled, timeout=60), (
        f"row {row.status}, mailbox {mailbox.attempts()}\n{worker.output()}"
    )
    [message] = mailbox.accepted()
    assert message["To"] == "awa@killed.example.org"
    assert message["Subject"] == "Confirm your email address to apply for Killed Worker Observatory"
    assert len(mailbox.attempts()) == 2 and sender in mailbox.attempts(), "one attempt killed, one delivered"
    # The killed attempt's transaction died with its connection: only the delivered attempt counts.
    assert (row.attempts, row.last_error) == (1, "")
    assert row.sent_at is not None
