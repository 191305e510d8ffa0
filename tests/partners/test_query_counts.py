"""Lists and pages run a fixed number of queries however many rows they show."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from partners import services
from tests.factories import (
    InvitationFactory,
    MembershipFactory,
    OrganisationFactory,
    RegistrationFactory,
    UserFactory,
)


def add_partners_and_applications(count):
    """Partners with people and invitations, and applications that look like duplicates of them."""
    for _ in range(count):
        partner = OrganisationFactory()
        admin = MembershipFactory(organisation=partner, role="admin").user
        MembershipFactory(organisation=partner)
        InvitationFactory(organisation=partner, invited_by=admin)
        RegistrationFactory(name=partner.name, country=partner.country, contact_email=f"x@{partner.email_domain}")


@pytest.fixture
def queries(django_assert_max_num_queries):
    """The number of queries a request takes, failing beyond `most`."""

    def count(request, *, most):
        with django_assert_max_num_queries(most) as captured:
            response = request()
        assert response.status_code == 200
        return len(captured)

    return count


def assert_constant(queries, request, *, most, grow=30):
    add_partners_and_applications(grow)
    with_some = queries(request, most=most)
    add_partners_and_applications(grow)
    assert queries(request, most=most) == with_some, "the query count grew with the rows"


def test_registration_queue_page(client, programme_admin, queries):
    client.force_login(programme_admin)
    assert_constant(queries, lambda: client.get(reverse("partners:registration_queue")), most=9)


def test_registration_queue_page_of_every_status(client, programme_admin, queries):
    client.force_login(programme_admin)
    assert_constant(queries, lambda: client.get(reverse("partners:registration_queue"), {"status": ""}), most=9)


def test_organisation_list_page(client, programme_admin, queries):
    client.force_login(programme_admin)
    assert_constant(queries, lambda: client.get(reverse("partners:organisation_list")), most=7)


def test_organisation_detail_page_with_many_people_and_events(client, programme_admin, organisation, queries):
    client.force_login(programme_admin)
    admin = MembershipFactory(organisation=organisation, role="admin").user

    def grow_organisation():
        for _ in range(30):
            MembershipFactory(organisation=organisation)
            services.invite_member(organisation=organisation, email=UserFactory.build().email, by=admin)

    url = reverse("partners:organisation_detail", args=[organisation.pk])
    grow_organisation()
    with_some = queries(lambda: client.get(url), most=11)
    grow_organisation()
    assert queries(lambda: client.get(url), most=11) == with_some


@pytest.mark.parametrize("who", [None, "partner_member"])
def test_public_directory_page(who, request, client, db, queries):
    if who:
        client.force_login(request.getfixturevalue(who))
    assert_constant(queries, lambda: client.get(reverse("partners:directory")), most=7 if who else 3)


def test_api_registration_list(api_as, programme_admin, queries):
    client = api_as(programme_admin)
    assert_constant(queries, lambda: client.get("/api/v1/registrations/", {"page_size": 100}), most=5)


@pytest.mark.parametrize("who", [None, "partner_member", "programme_admin"])
def test_api_organisation_list(who, request, db, queries):
    client = APIClient()
    if who:
        client.force_login(request.getfixturevalue(who))
    assert_constant(queries, lambda: client.get("/api/v1/organisations/", {"page_size": 100}), most=6)


def test_api_members_and_invitations_lists(organisation, partner_admin, queries):
    client = APIClient()
    client.force_login(partner_admin)
    members = f"/api/v1/organisations/{organisation.pk}/members/"
    invitations = f"/api/v1/organisations/{organisation.pk}/invitations/"

    def grow_organisation():
        MembershipFactory.create_batch(30, organisation=organisation)
        InvitationFactory.create_batch(30, organisation=organisation, invited_by=partner_admin)

    grow_organisation()
    counts = [queries(lambda url=url: client.get(url, {"page_size": 100}), most=7) for url in (members, invitations)]
    grow_organisation()
    assert [
        queries(lambda url=url: client.get(url, {"page_size": 100}), most=7) for url in (members, invitations)
    ] == counts
