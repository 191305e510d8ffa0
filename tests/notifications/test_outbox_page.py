"""Undelivered email, for programme administrators: what the portal could not send yet or gave up on, and why."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.notifications import services
from portal.notifications.models import OutboundEmail

OUTBOX = reverse("notifications:outbox")
REFUSED = "ConnectionRefusedError: [Errno 111] Connection refused"


def _email(to, status=OutboundEmail.Status.PENDING, **fields):
    return OutboundEmail(
        to=to, template="password_reset", language="en", subject=f"Subject for {to}", status=status, **fields
    )


def _table(page):
    """The listed emails as (to, status, attempts, next attempt, last error), in the page's order."""
    body = page[page.index("<tbody>") : page.index("</tbody>")]
    rows = [re.findall(r"<td>(.*?)</td>", row, re.DOTALL) for row in body.split("<tr>")[1:]]
    return [(to, status, attempts, after, error) for _written, to, _subject, status, attempts, after, error in rows]


@pytest.fixture
def outbox(db):
    """One email waiting for its fourth attempt, one given up on, one just written, one delivered."""
    soon = timezone.now() + timedelta(minutes=4)
    return OutboundEmail.objects.bulk_create(
        [
            _email("waiting@example.org", attempts=3, last_error=REFUSED, next_attempt_at=soon),
            _email(
                "failed@example.org",
                OutboundEmail.Status.FAILED,
                attempts=services.MAX_ATTEMPTS,
                last_error="SMTPRecipientsRefused: {'failed@example.org': (550, b'No such user')}",
                next_attempt_at=soon,
            ),
            _email("queued@example.org", next_attempt_at=timezone.now()),
            _email("delivered@example.org", OutboundEmail.Status.SENT, attempts=2, sent_at=timezone.now()),
        ]
    )


def test_administrators_see_each_undelivered_email_with_its_attempts_and_last_error(client, programme_admin, outbox):
    client.force_login(programme_admin)

    page = client.get(OUTBOX).content.decode()

    queued, failed, waiting = _table(page)
    assert queued == ("queued@example.org", "Pending", "0", queued[3], "—")
    assert failed[:3] == ("failed@example.org", "Failed", str(services.MAX_ATTEMPTS))
    assert failed[3] == "—", "a failed email is not tried again"
    assert (
        failed[4]
        == "<code>SMTPRecipientsRefused: {&#x27;failed@example.org&#x27;: (550, b&#x27;No such user&#x27;)}</code>"
    )
    assert waiting[:3] == ("waiting@example.org", "Pending", "3") and waiting[4] == f"<code>{REFUSED}</code>"
    assert waiting[3].startswith("<time datetime="), "when it is tried next"
    assert "delivered@example.org" not in page


def test_administrators_are_told_when_everything_was_delivered(client, programme_admin):
    client.force_login(programme_admin)

    assert "Every email has been delivered." in client.get(OUTBOX).content.decode()


def test_undelivered_email_is_missing_for_everyone_but_programme_administrators(
    client, outbox, partner_member, partner_admin, reviewer
):
    anonymous = client.get(OUTBOX)
    assert anonymous.status_code == 302 and reverse("accounts:login") in anonymous["Location"]

    for user in (partner_member, partner_admin, reviewer):
        client.force_login(user)
        response = client.get(OUTBOX)
        assert response.status_code == 404, user.email
        assert b"waiting@example.org" not in response.content and b"Connection refused" not in response.content
        assert OUTBOX not in client.get(reverse("home")).content.decode(), "no link to it in the navigation"


def test_navigation_links_administrators_to_undelivered_email_next_to_the_audit_log(client, programme_admin):
    client.force_login(programme_admin)

    page = client.get(reverse("home")).content.decode()

    assert page.index(reverse("dashboard:audit_log")) < page.index(OUTBOX)


def test_long_list_is_paged_with_a_fixed_number_of_queries(client, programme_admin, django_assert_max_num_queries):
    OutboundEmail.objects.bulk_create(
        _email(f"person{number:03}@example.org", attempts=1, last_error=REFUSED) for number in range(120)
    )
    client.force_login(programme_admin)

    with django_assert_max_num_queries(6):
        first = client.get(OUTBOX).content.decode()
    last = client.get(OUTBOX, {"page": 3}).content.decode()

    assert "person119@example.org" in first and "person070@example.org" in first
    assert "person069@example.org" not in first and "Page 1 of 3" in first and "120 in all" in first
    assert "person019@example.org" in last and "person020@example.org" not in last
