"""The mail server refuses connections: the outbox retries with growing waits, administrators see why, and the
email goes out once, as soon as a real SMTP server answers on that address again."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.notifications import tasks
from portal.notifications.models import OutboundEmail
from tests.helpers import free_port

from .mail import SMTPServer

pytestmark = pytest.mark.services

REFUSED = "ConnectionRefusedError: [Errno 111] Connection refused"


@pytest.fixture
def smtp_server(settings):
    """The portal's real SMTP backend pointed at a port where nothing listens until the test starts the server."""
    server = SMTPServer(free_port())
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", server.port, 2
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    yield server
    server.stop()


def _sweep_when_due(email):
    """Let the clock run to the row's next attempt (written a while ago, due now) and run the beat sweeper.

    Returns how many rows the sweeper re-queued and the moments just before and after it ran.
    """
    OutboundEmail.objects.filter(pk=email.pk).update(
        created_at=timezone.now() - timedelta(minutes=5), next_attempt_at=timezone.now()
    )
    before = timezone.now()
    swept = tasks.requeue_undelivered()
    after = timezone.now()
    email.refresh_from_db()
    return swept, (before, after)


def _waits_between(email, attempt):
    """The wait the failed attempt set before the next one lies between these bounds, in seconds."""
    before, after = attempt
    return (email.next_attempt_at - after).total_seconds(), (email.next_attempt_at - before).total_seconds()


def test_refused_email_is_retried_with_growing_waits_shown_to_administrators_and_sent_once_the_server_is_back(
    client, smtp_server, partner_member, programme_admin, django_capture_on_commit_callbacks
):
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:password_reset"), {"email": partner_member.email})
    attempt = (before, timezone.now())

    assert response.status_code == 302, "the person's request succeeds although the mail server is down"
    email = OutboundEmail.objects.get(to=partner_member.email)
    for number, wait in ((1, 30), (2, 60), (3, 120)):
        if number > 1:
            swept, attempt = _sweep_when_due(email)
            assert swept == 1
        assert (email.status, email.attempts, email.last_error) == (OutboundEmail.Status.PENDING, number, REFUSED)
        shortest, longest = _waits_between(email, attempt)
        assert shortest <= wait <= longest, f"attempt {number} set a wait of {shortest:.1f}-{longest:.1f} s"
    assert tasks.requeue_undelivered() == 0, "the sweeper waits for the next attempt time"

    client.force_login(programme_admin)
    page = client.get(reverse("notifications:outbox")).content.decode()
    assert partner_member.email in page and "Choose a new password for the ILRS Partner Portal" in page
    assert f"<code>{REFUSED}</code>" in page and "<td>3</td>" in page

    smtp_server.start()
    swept, _attempt = _sweep_when_due(email)

    assert swept == 1
    [message] = smtp_server.accepted
    assert message["To"] == partner_member.email
    assert message["Subject"] == "Choose a new password for the ILRS Partner Portal"
    assert (email.status, email.attempts, email.last_error) == (OutboundEmail.Status.SENT, 4, "")
    assert _sweep_when_due(email)[0] == 0 and len(smtp_server.accepted) == 1, "sent once, never again"
    page = client.get(reverse("notifications:outbox")).content.decode()
    assert partner_member.email not in page and "Every email has been delivered." in page
