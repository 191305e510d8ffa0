"""Dates, times and numbers as each language writes them, times in the reader's zone with the zone named."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.authtoken.models import Token

from partners.models import Membership
from portal.formatting import beside, number, when
from portal.notifications.models import Notification
from tests.factories import CallFactory, MembershipFactory, ProposalFactory, UserFactory

MOMENT = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("language", "zone", "expected"),
    [
        ("en", "UTC", "25 November 2026, 14:00 UTC"),
        ("ru", "UTC", "25 ноября 2026 г. 14:00 UTC"),
        ("zh-hans", "UTC", "2026年11月25日 14:00 UTC"),
        ("en", "Asia/Shanghai", "25 November 2026, 22:00 CST (Asia/Shanghai)"),
        ("ru", "Europe/Moscow", "25 ноября 2026 г. 17:00 MSK (Europe/Moscow)"),
        ("zh-hans", "Asia/Shanghai", "2026年11月25日 22:00 CST (Asia/Shanghai)"),
        ("en", "Asia/Singapore", "25 November 2026, 22:00 +08 (Asia/Singapore)"),
        ("en", "America/New_York", "25 November 2026, 09:00 EST (America/New_York)"),
    ],
)
def test_a_moment_reads_in_the_language_and_the_active_zone_named(language, zone, expected):
    with translation.override(language), timezone.override(zone):
        assert when(MOMENT) == expected
        assert Template("{% load portal %}{{ moment|when }}").render(Context({"moment": MOMENT})) == expected


def test_a_moment_can_be_read_in_a_zone_of_its_own():
    with translation.override("en"), timezone.override("Europe/Moscow"):
        rendered = Template("{% load portal %}{{ moment|when:'Asia/Shanghai' }}").render(Context({"moment": MOMENT}))
    assert rendered == "25 November 2026, 22:00 CST (Asia/Shanghai)"


def test_no_moment_reads_as_nothing():
    assert when(None) == "" and Template("{% load portal %}{{ x|when }}").render(Context({"x": None})) == ""


@pytest.mark.parametrize(
    ("language", "value", "places", "expected"),
    [
        ("en", 1234567, None, "1,234,567"),
        ("ru", 1234567, None, "1\xa0234\xa0567"),
        ("zh-hans", 1234567, None, "1,234,567"),
        ("en", Decimal("2500.5"), None, "2,500.5"),
        ("ru", Decimal("2500.5"), None, "2\xa0500,5"),
        ("zh-hans", 3.14159, 2, "3.14"),
        ("ru", 3.14159, 2, "3,14"),
    ],
)
def test_numbers_are_grouped_and_pointed_as_the_language_writes_them(language, value, places, expected):
    with translation.override(language):
        assert number(value, places) == expected


def test_what_is_not_a_number_passes_through():
    assert number(None) is None and number("12a") == "12a" and number(True) is True


def test_a_name_shows_its_own_script_form_beside_it_and_is_escaped():
    assert beside("Seismometer", "月震仪") == "Seismometer · 月震仪"
    assert beside("Seismometer", "") == beside("Seismometer", None) == "Seismometer"
    assert beside("Seismometer", "Seismometer") == "Seismometer"
    html = Template("{% load portal %}{{ a|beside:b }}").render(Context({"a": "<b>", "b": "<i>"}))
    assert html == "&lt;b&gt; · &lt;i&gt;"


# On the pages ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "zone", "expected"),
    [
        ("en", "UTC", "1 March 2026, 12:00 UTC"),
        ("ru", "Asia/Shanghai", "1 марта 2026 г. 20:00 CST (Asia/Shanghai)"),
        ("zh-hans", "Asia/Shanghai", "2026年3月1日 20:00 CST (Asia/Shanghai)"),
    ],
)
def test_a_page_shows_times_in_the_readers_language_and_zone(client, db, language, zone, expected):
    reader = UserFactory(language=language, time_zone=zone)
    notification = Notification.objects.create(user=reader, message="Call opened")
    Notification.objects.filter(pk=notification.pk).update(created_at=datetime(2026, 3, 1, 12, 0, tzinfo=UTC))
    client.force_login(reader)

    assert expected in client.get(reverse("notifications:list")).content.decode()


@pytest.mark.parametrize(
    ("language", "budget", "deadline"),
    [
        ("en", "30 kg / 120 W / 2,000 MB/day", "31 March 2030, 23:59 CST (Asia/Shanghai)"),
        ("ru", "30 kg / 120 W / 2\xa0000 MB/", "31 марта 2030 г. 23:59 CST (Asia/Shanghai)"),
        ("zh-hans", "30 kg / 120 W / 2,000 MB/", "2030年3月31日 23:59 CST (Asia/Shanghai)"),
    ],
)
def test_a_call_page_writes_budgets_and_deadlines_in_the_readers_notation(client, db, language, budget, deadline):
    call = CallFactory(deadline=datetime(2030, 3, 31, 15, 59, tzinfo=UTC), time_zone="Asia/Shanghai")

    html = client.get(reverse("proposals:call_detail", args=[call.pk]), HTTP_ACCEPT_LANGUAGE=language).content
    html = html.decode()

    assert budget in html
    assert deadline in html


# What machines read stays the same in every language ---------------------------------------------


def test_the_api_and_the_exports_keep_plain_numbers_and_iso_times_in_russian(client, api_client, db):
    lead = MembershipFactory(role=Membership.Role.ADMIN, user__language="ru", user__time_zone="Europe/Moscow").user
    proposal = ProposalFactory(organisation=lead.organisation, principal_investigator=lead, data_mb_per_day=2500)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=lead).key}")

    response = api_client.get(f"/api/v1/proposals/{proposal.pk}/")

    assert response["Content-Language"] == "ru"
    body = response.json()
    assert (body["mass_kg"], body["data_mb_per_day"]) == ("4.00", "2500.00")
    assert body["deadline"] == proposal.deadline.astimezone(UTC).isoformat().replace("+00:00", "Z")

    admin = UserFactory(is_programme_admin=True, language="ru")
    client.force_login(admin)
    export = client.get(reverse("proposals:call_submissions", args=[proposal.call_id]), {"format": "csv"})
    row = b"".join(export.streaming_content).decode().splitlines()[1]
    assert ",4.00,20.00,40.00,2500.00," in row
