"""The public directory of participating organisations: public facts only, filters and pages."""

import pytest
from django.conf import settings
from django.urls import reverse

from partners import services
from tests.factories import InvitationFactory, MembershipFactory, OrganisationFactory

from .support import page_text

DIRECTORY = reverse("partners:directory")


def names_on(response):
    return [organisation.name for organisation in response.context["page"].object_list]


@pytest.fixture
def partner_with_private_data(organisation, partner_admin, programme_admin):
    organisation.native_name = "Suid-Maan Instituut"
    organisation.website = "https://south-lunar.example.org"
    organisation.description = "Confidential description of plans"
    organisation.email_domain = "south-lunar-private.example.org"
    organisation.save()
    InvitationFactory(organisation=organisation, email="invitee@south-lunar.example.org", invited_by=partner_admin)
    services.suspend_organisation(organisation=organisation, by=programme_admin, reason="Private reason 13")
    services.reinstate_organisation(organisation=organisation, by=programme_admin, reason="Private settlement")
    return organisation


PRIVATE = [
    "Confidential description of plans",
    "south-lunar-private.example.org",
    "lead@south-lunar.example.org",
    "invitee@south-lunar.example.org",
    "Private reason 13",
    "Private settlement",
]


@pytest.mark.parametrize("who", [None, "partner_member", "other_partner_admin"])
def test_the_directory_shows_public_facts_and_nothing_private(who, request, client, partner_with_private_data):
    if who:
        client.force_login(request.getfixturevalue(who))

    response = client.get(DIRECTORY)

    content = page_text(response)
    assert response.status_code == 200
    assert '<a href="https://south-lunar.example.org" rel="nofollow noopener">South Lunar Institute</a>' in content
    assert "Suid-Maan Instituut" in content and "South Africa" in content and "Research institute" in content
    assert str(partner_with_private_data.joined_on.year) in content
    for secret in PRIVATE:
        assert secret not in content


def test_suspended_organisations_leave_the_directory_until_reinstated(client, organisation, programme_admin):
    OrganisationFactory(name="Always Active Lab")
    services.suspend_organisation(organisation=organisation, by=programme_admin, reason="Dues")
    assert names_on(client.get(DIRECTORY)) == ["Always Active Lab"]
    services.reinstate_organisation(organisation=organisation, by=programme_admin, reason="Paid")
    assert names_on(client.get(DIRECTORY)) == ["Always Active Lab", "South Lunar Institute"]


def test_an_international_organisation_is_shown_without_a_country(client, db):
    OrganisationFactory(name="Lunar Consortium", kind="international_organisation", country="")
    content = page_text(client.get(DIRECTORY))
    assert "Lunar Consortium" in content and "International" in content


def test_the_directory_filters_by_kind_country_and_public_names(client, db):
    OrganisationFactory(name="Cairo University", kind="university", country="EG", city="Giza")
    OrganisationFactory(name="Egyptian Space Agency", kind="space_agency", country="EG", native_name="Wakala")
    OrganisationFactory(name="Lahore University", kind="university", country="PK", email_domain="lu.example.org")

    assert names_on(client.get(DIRECTORY, {"country": "EG"})) == ["Cairo University", "Egyptian Space Agency"]
    assert names_on(client.get(DIRECTORY, {"kind": "university"})) == ["Cairo University", "Lahore University"]
    assert names_on(client.get(DIRECTORY, {"kind": "university", "country": "PK"})) == ["Lahore University"]
    assert names_on(client.get(DIRECTORY, {"q": "giza"})) == ["Cairo University"]
    assert names_on(client.get(DIRECTORY, {"q": "wakala"})) == ["Egyptian Space Agency"]
    hidden = client.get(DIRECTORY, {"q": "lu.example.org"})
    assert names_on(hidden) == [], "the private email domain is not searchable"
    assert "No organisation matches these filters." in page_text(hidden)


def test_the_directory_is_paginated(client, db):
    OrganisationFactory.create_batch(30)
    first, second = client.get(DIRECTORY), client.get(DIRECTORY, {"page": 2})
    assert len(names_on(first)) == 25 and "Page 1 of 2" in page_text(first) and "30 in all" in page_text(first)
    assert len(names_on(second)) == 5
    assert set(names_on(first)).isdisjoint(names_on(second))


def test_the_directory_lists_organisations_not_people(client, organisation):
    MembershipFactory.create_batch(3, organisation=organisation)
    person = MembershipFactory(organisation=organisation, user__full_name="Thandiwe Hidden").user
    content = page_text(client.get(DIRECTORY))
    assert "South Lunar Institute" in content
    assert person.email not in content and "Thandiwe Hidden" not in content


@pytest.mark.parametrize(("language", "egypt"), [("en", "Egypt"), ("ru", "Египет"), ("zh-hans", "埃及")])
def test_the_country_filter_names_countries_in_the_readers_language(client, db, language, egypt):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language

    page = client.get(reverse("partners:directory")).content.decode()

    assert f'<option value="EG">{egypt}</option>' in page
