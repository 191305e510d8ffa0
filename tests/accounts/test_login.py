"""Signing in with an email address, the lock-out after repeated failures, and the profile."""

from datetime import UTC, datetime

import pytest
from axes.models import AccessFailureLog, AccessLog
from django.urls import reverse

from portal.notifications.models import Notification
from tests.factories import PASSWORD, UserFactory
from tests.helpers import sign_in

LOGIN = reverse("accounts:login")


def _attempt(client, email, password):
    return client.post(LOGIN, {"username": email, "password": password})


def _signed_in_as(client):
    response = client.get(reverse("accounts:home"))
    return response.context["user"].email if response.status_code == 200 else None


def test_sign_in_by_email_ignores_letter_case(client, partner_member):
    response = _attempt(client, "  " + partner_member.email.upper(), PASSWORD)

    assert response.status_code == 302 and response.url == reverse("accounts:home")
    assert _signed_in_as(client) == partner_member.email


def test_sign_in_goes_back_to_the_page_asked_for_but_never_to_another_site(client, partner_member):
    wanted = reverse("notifications:list")
    assert client.post(f"{LOGIN}?next={wanted}", {"username": partner_member.email, "password": PASSWORD}).url == wanted
    client.logout()

    response = client.post(
        f"{LOGIN}?next=https://phishing.example.net/", {"username": partner_member.email, "password": PASSWORD}
    )
    assert response.url == reverse("accounts:home")


def test_wrong_password_is_refused_with_a_message(client, partner_member):
    response = _attempt(client, partner_member.email, "not-my-password")

    assert response.status_code == 200
    assert "Please enter a correct email address and password." in response.content.decode()
    assert _signed_in_as(client) is None


def test_unknown_email_gets_the_same_message_as_a_wrong_password(client, db):
    response = _attempt(client, "nobody@example.org", PASSWORD)

    assert "Please enter a correct email address and password." in response.content.decode()


def test_repeated_failures_lock_the_account_even_against_the_right_password(client, partner_member, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _attempt(client, partner_member.email, "guess")

    response = _attempt(client, partner_member.email, PASSWORD)

    assert response.status_code == 429
    page = response.content.decode()
    assert "Too many failed sign-ins" in page and reverse("accounts:password_reset") in page
    assert _signed_in_as(client) is None


def test_failures_count_together_whatever_the_letter_case_of_the_email(client, partner_member, settings):
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        email = partner_member.email.upper() if attempt % 2 else partner_member.email
        _attempt(client, email, "guess")

    assert _attempt(client, partner_member.email, PASSWORD).status_code == 429


def test_one_locked_account_does_not_lock_out_colleagues_at_the_same_address(
    client, partner_member, partner_admin, settings
):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _attempt(client, partner_member.email, "guess")

    assert sign_in(client, partner_admin.email, PASSWORD)


def test_a_successful_sign_in_forgets_earlier_failures(client, partner_member, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _attempt(client, partner_member.email, "guess")
    assert sign_in(client, partner_member.email, PASSWORD)
    client.logout()

    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _attempt(client, partner_member.email, "guess")

    assert sign_in(client, partner_member.email, PASSWORD)


def test_inactive_account_cannot_sign_in(client, db):
    former = UserFactory(is_active=False)

    assert not sign_in(client, former.email, PASSWORD)


def test_home_lists_what_the_persons_roles_let_them_do(client, partner_admin):
    client.force_login(partner_admin)

    page = client.get(reverse("accounts:home")).content.decode()

    assert "Your roles: Partner admin" in page
    assert "South Lunar Institute" in page
    assert reverse("partners:registration_queue") not in page


def test_profile_saves_language_and_time_zone(client, partner_member):
    client.force_login(partner_member)

    response = client.post(
        reverse("accounts:profile"),
        {"full_name": "Mpho Member", "position": "Engineer", "language": "zh-hans", "time_zone": "Asia/Shanghai"},
        follow=True,
    )

    assert "Your profile has been saved." in response.content.decode()
    partner_member.refresh_from_db()
    assert (partner_member.language, partner_member.time_zone, partner_member.position) == (
        "zh-hans",
        "Asia/Shanghai",
        "Engineer",
    )


@pytest.mark.parametrize(
    ("field", "value"), [("time_zone", "Mars/Olympus_Mons"), ("language", "tlh"), ("full_name", "")]
)
def test_profile_refuses_values_it_cannot_use(client, partner_member, field, value):
    client.force_login(partner_member)
    data = {"full_name": "Mpho Member", "position": "", "language": "en", "time_zone": "UTC", field: value}

    response = client.post(reverse("accounts:profile"), data)

    assert response.status_code == 200 and response.context["form"].errors[field]
    partner_member.refresh_from_db()
    assert (partner_member.language, partner_member.time_zone, partner_member.full_name) == (
        "en",
        "UTC",
        "Mpho Member",
    )


def test_times_are_shown_in_the_time_zone_chosen_in_the_profile(client, partner_member):
    notification = Notification.objects.create(user=partner_member, message="Call opened")
    Notification.objects.filter(pk=notification.pk).update(created_at=datetime(2026, 3, 1, 12, 0, tzinfo=UTC))
    client.force_login(partner_member)
    assert "1 March 2026, 12:00 UTC" in client.get(reverse("notifications:list")).content.decode()

    client.post(
        reverse("accounts:profile"),
        {"full_name": "Mpho Member", "position": "", "language": "en", "time_zone": "Asia/Shanghai"},
    )

    assert "1 March 2026, 20:00 CST (Asia/Shanghai)" in client.get(reverse("notifications:list")).content.decode()


def test_every_failed_sign_in_is_kept_with_who_from_where_and_never_the_password(client, api_client, partner_member):
    client.post(LOGIN, {"username": partner_member.email, "password": "guess-one"}, REMOTE_ADDR="198.51.100.7")
    api_client.post(
        "/api/v1/auth/token/", {"email": partner_member.email, "password": "guess-two"}, REMOTE_ADDR="198.51.100.8"
    )
    client.post(LOGIN, {"username": partner_member.email, "password": PASSWORD}, REMOTE_ADDR="198.51.100.7")

    failures = AccessFailureLog.objects.order_by("attempt_time")
    assert [(f.username, f.ip_address, f.path_info) for f in failures] == [
        (partner_member.email, "198.51.100.7", LOGIN),
        (partner_member.email, "198.51.100.8", "/api/v1/auth/token/"),
    ]
    assert failures.count() == 2, "a later success keeps the record of the failures"
    assert AccessLog.objects.get().username == partner_member.email
    for row in (*failures, *AccessLog.objects.all()):
        assert "guess" not in str(vars(row)) and PASSWORD not in str(vars(row))
