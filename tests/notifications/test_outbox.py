"""The outbox: emails written with the change they announce, sent after commit, retried until delivered."""

import smtplib
from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from portal.notifications import services, tasks
from portal.notifications.models import Notification, OutboundEmail
from tests.factories import UserFactory

LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


class RefusingBackend:
    """A mail server that is down: every connection is refused."""

    error = ConnectionRefusedError(111, "Connection refused")

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise self.error


class DisconnectingBackend(RefusingBackend):
    """A mail server that hangs up in the middle of the conversation."""

    error = smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


def _queue(user, link="http://testserver/accounts/set-password/abc/def/"):
    return services.queue_email(
        to=user.email, recipient=user, template="password_reset", context={"user": user, "link": link}
    )


def _sent_to(address):
    return [message for message in mail.outbox if address in message.to]


def _as_if_sweep_is_due(email):
    """Move the row's clock back: written a while ago and due for its next attempt now."""
    OutboundEmail.objects.filter(pk=email.pk).update(
        created_at=timezone.now() - timedelta(minutes=5), next_attempt_at=timezone.now()
    )


def test_email_is_written_inside_the_transaction_and_sent_only_after_commit(
    partner_member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            email = _queue(partner_member)
            assert OutboundEmail.objects.get(pk=email.pk).status == OutboundEmail.Status.PENDING
            assert mail.outbox == []
        assert mail.outbox == []

    [message] = mail.outbox
    assert message.to == [partner_member.email]
    assert message.subject == "Choose a new password for the ILRS Partner Portal"
    assert "http://testserver/accounts/set-password/abc/def/" in message.body
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html" and 'href="http://testserver/accounts/set-password/abc/def/"' in html
    email.refresh_from_db()
    assert (email.status, email.attempts, email.last_error) == (OutboundEmail.Status.SENT, 1, "")
    assert email.sent_at is not None


def test_rolled_back_change_leaves_no_row_and_sends_nothing(partner_member, django_capture_on_commit_callbacks):
    failing_change = pytest.raises(RuntimeError)
    with django_capture_on_commit_callbacks(execute=True) as callbacks, failing_change, transaction.atomic():
        _queue(partner_member)
        raise RuntimeError("the change failed after the email was written")

    assert callbacks == []
    assert not OutboundEmail.objects.exists()
    assert mail.outbox == []


def test_delivering_twice_sends_once(partner_member):
    email = _queue(partner_member)

    assert services.deliver(email_id=email.pk) is True
    assert services.deliver(email_id=email.pk) is False
    tasks.deliver_email.delay(email.pk)

    assert len(_sent_to(partner_member.email)) == 1
    email.refresh_from_db()
    assert email.attempts == 1


@pytest.mark.parametrize(
    ("backend", "error"),
    [
        (RefusingBackend, "ConnectionRefusedError: [Errno 111] Connection refused"),
        (DisconnectingBackend, "SMTPServerDisconnected: Connection unexpectedly closed"),
    ],
)
def test_mail_server_failure_is_recorded_and_retried_later_with_growing_delay(partner_member, settings, backend, error):
    email = _queue(partner_member)
    settings.EMAIL_BACKEND = f"{__name__}.{backend.__name__}"

    delays = []
    for attempt in (1, 2, 3):
        before = timezone.now()
        with pytest.raises(services.DeliveryFailed):
            services.deliver(email_id=email.pk)
        email.refresh_from_db()
        assert (email.status, email.attempts, email.last_error) == (OutboundEmail.Status.PENDING, attempt, error)
        delays.append(email.next_attempt_at - before)

    assert [round(delay.total_seconds()) for delay in delays] == [30, 60, 120]
    assert mail.outbox == []


def test_mail_server_down_does_not_fail_the_persons_request(
    client, partner_member, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:password_reset"), {"email": partner_member.email})

    assert response.url == reverse("accounts:password_reset_done")
    email = OutboundEmail.objects.get(to=partner_member.email)
    assert (email.status, email.attempts) == (OutboundEmail.Status.PENDING, 1)
    assert email.last_error.startswith("ConnectionRefusedError")


def test_sweeper_resends_due_rows_once_the_mail_server_is_back(partner_member, settings):
    email = _queue(partner_member)
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    with pytest.raises(services.DeliveryFailed):
        services.deliver(email_id=email.pk)
    settings.EMAIL_BACKEND = LOCMEM

    assert tasks.requeue_undelivered() == 0, "the row waits for its next attempt time"
    assert mail.outbox == []

    _as_if_sweep_is_due(email)
    assert tasks.requeue_undelivered() == 1

    assert len(_sent_to(partner_member.email)) == 1
    email.refresh_from_db()
    assert (email.status, email.attempts, email.last_error) == (OutboundEmail.Status.SENT, 2, "")
    assert tasks.requeue_undelivered() == 0
    assert len(_sent_to(partner_member.email)) == 1


def test_sweeper_leaves_a_row_that_was_just_written_to_its_own_task(partner_member):
    _queue(partner_member)

    assert tasks.requeue_undelivered() == 0
    assert mail.outbox == []


def test_after_the_last_attempt_the_row_is_marked_failed_and_no_longer_swept(partner_member, settings):
    email = _queue(partner_member)
    OutboundEmail.objects.filter(pk=email.pk).update(attempts=services.MAX_ATTEMPTS - 1)
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"

    with pytest.raises(services.DeliveryFailed):
        services.deliver(email_id=email.pk)

    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.FAILED
    assert email.next_attempt_at - timezone.now() <= timedelta(hours=1), "the wait between attempts is capped"
    settings.EMAIL_BACKEND = LOCMEM
    _as_if_sweep_is_due(email)
    assert tasks.requeue_undelivered() == 0
    assert services.deliver(email_id=email.pk) is False and mail.outbox == []


@pytest.mark.parametrize("language", ["ru", "zh-hans"])
def test_email_is_rendered_for_the_recipients_language_with_text_and_html(
    language, db, django_capture_on_commit_callbacks
):
    person = UserFactory(language=language, full_name="Ivan Petrov")

    with django_capture_on_commit_callbacks(execute=True):
        email = _queue(person)

    assert email.language == language
    [message] = _sent_to(person.email)
    assert "Ivan Petrov" in message.body and "<" not in message.body
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html" and "<p>" in html and "Ivan Petrov" in html


def test_email_without_a_known_recipient_uses_the_language_given(db):
    email = services.queue_email(
        to="applicant@example.org",
        template="password_reset",
        context={"user": None, "link": "http://testserver/"},
        language="zh-hans",
    )

    assert (email.language, email.recipient) == ("zh-hans", None)


# The notification list -----------------------------------------------------------------------------


def _badge(page):
    start = page.find('class="badge"')
    return None if start == -1 else page[page.find(">", start) + 1 : page.find("</span>", start)]


def test_unread_count_shows_in_the_navigation_until_all_are_marked_read(client, partner_member, partner_admin):
    services.notify(user=partner_member, message="Your proposal was submitted", link="/proposals/")
    services.notify(user=partner_member, message="You were invited to review")
    services.notify(user=partner_admin, message="Colleague-only news for the admin")
    client.force_login(partner_member)

    assert _badge(client.get(reverse("home")).content.decode()) == "2"
    page = client.get(reverse("notifications:list")).content.decode()
    assert page.count("<strong>New:</strong>") == 2
    assert '<a href="/proposals/">Your proposal was submitted</a>' in page
    assert "Colleague-only news" not in page

    response = client.post(reverse("notifications:mark_all_read"), follow=True)

    page = response.content.decode()
    assert "New:" not in page and "Your proposal was submitted" in page
    assert _badge(page) is None
    assert Notification.objects.filter(user=partner_admin, read_at__isnull=True).count() == 1


def test_unread_count_is_a_number_for_plural_forms_in_russian(client, partner_member, settings):
    """Russian plural rules take the count modulo 10 and 100; the lazily read count has to allow that."""
    for message in ("Decision published", "You were invited to review"):
        services.notify(user=partner_member, message=message)
    partner_member.language = "ru"
    partner_member.save(update_fields=["language"])
    client.force_login(partner_member)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"

    response = client.get(reverse("accounts:home"))

    assert response.status_code == 200
    assert response.headers["Content-Language"] == "ru"
    assert _badge(response.content.decode()) == "2"


def test_marking_read_needs_a_post(client, partner_member):
    services.notify(user=partner_member, message="Decision published")
    client.force_login(partner_member)

    assert client.get(reverse("notifications:mark_all_read")).status_code == 405
    assert _badge(client.get(reverse("home")).content.decode()) == "1"


def test_notification_list_needs_sign_in(client, db):
    response = client.get(reverse("notifications:list"))

    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


def test_long_notification_list_is_paged_with_a_fixed_number_of_queries(
    client, partner_member, django_assert_max_num_queries
):
    Notification.objects.bulk_create(Notification(user=partner_member, message=f"Notice number {n}") for n in range(60))
    client.force_login(partner_member)

    with django_assert_max_num_queries(8):
        page = client.get(reverse("notifications:list")).content.decode()

    assert "Notice number 59" in page and "Notice number 34" not in page
    assert _badge(page) == "60"
