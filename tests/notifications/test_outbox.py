import smtplib

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from portal.notifications import services, tasks
from portal.notifications.models import Notification, OutboundEmail


class RefusingBackend:
    """A mail server that refuses every connection."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise smtplib.SMTPConnectError(421, "service not available")


def _queue(user):
    return services.queue_email(
        to=user.email, template="password_reset", recipient=user, context={"user": user, "link": "http://x/"}
    )


def test_email_is_written_in_the_transaction_and_sent_after_commit(partner_member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        email = _queue(partner_member)
        assert mail.outbox == []
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT
    [message] = mail.outbox
    assert message.to == [partner_member.email]
    assert message.alternatives and message.alternatives[0][1] == "text/html"


def test_a_rolled_back_change_sends_nothing(partner_member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        _queue(partner_member)
        raise RuntimeError("the change failed")
    assert not OutboundEmail.objects.exists() and mail.outbox == []


def test_delivery_is_idempotent(partner_member):
    email = _queue(partner_member)
    assert services.deliver(email_id=email.pk) is True
    assert services.deliver(email_id=email.pk) is False
    assert len(mail.outbox) == 1


def test_refused_mail_is_retried_with_backoff_and_delivered_when_the_server_recovers(partner_member, settings):
    email = _queue(partner_member)
    settings.EMAIL_BACKEND = "tests.notifications.test_outbox.RefusingBackend"
    with pytest.raises(services.DeliveryFailed):
        services.deliver(email_id=email.pk)
    with pytest.raises(services.DeliveryFailed):
        services.deliver(email_id=email.pk)
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.PENDING and email.attempts == 2
    assert "SMTPConnectError" in email.last_error
    assert email.next_attempt_at > timezone.now() + timezone.timedelta(seconds=50)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    OutboundEmail.objects.filter(pk=email.pk).update(
        next_attempt_at=timezone.now(), created_at=timezone.now() - timezone.timedelta(minutes=5)
    )
    assert tasks.requeue_undelivered() == 1
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT and len(mail.outbox) == 1
    assert tasks.requeue_undelivered() == 0 and len(mail.outbox) == 1


def test_email_is_rendered_in_the_recipients_language(partner_member):
    partner_member.language = "ru"
    partner_member.save()
    email = _queue(partner_member)
    assert email.language == "ru"


def test_notifications_list_and_unread_badge(client, partner_member):
    services.notify(user=partner_member, message="Your proposal was submitted", link="/proposals/")
    client.force_login(partner_member)
    home = client.get(reverse("home")).content.decode()
    assert 'class="badge"' in home
    page = client.get(reverse("notifications:list")).content.decode()
    assert "Your proposal was submitted" in page
    client.post(reverse("notifications:mark_all_read"))
    assert not Notification.objects.filter(user=partner_member, read_at__isnull=True).exists()
    assert 'class="badge"' not in client.get(reverse("home")).content.decode()
