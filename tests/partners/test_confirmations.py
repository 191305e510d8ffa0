"""Suspending an organisation and withdrawing an invitation are confirmed on a page that says what follows."""

import html

from django.urls import reverse

from partners.models import Invitation, Membership, Organisation
from tests.factories import InvitationFactory, MembershipFactory


def page_of(response):
    return html.unescape(response.content.decode())


def test_withdrawing_an_invitation_is_confirmed_first(client, organisation):
    admin = MembershipFactory(organisation=organisation, role=Membership.Role.ADMIN).user
    invitation = InvitationFactory(organisation=organisation, email="later@south-lunar.example.org")
    client.force_login(admin)
    url = reverse("partners:revoke_invitation", args=[invitation.pk])
    assert url in page_of(client.get(reverse("partners:my_organisation")))
    confirm = page_of(client.get(url))
    assert "Withdraw the invitation to later@south-lunar.example.org?" in confirm
    assert "stops working at once" in confirm
    assert Invitation.objects.get(pk=invitation.pk).revoked_at is None
    client.post(url)
    assert Invitation.objects.get(pk=invitation.pk).revoked_at is not None


def test_another_organisations_invitation_has_no_confirmation_page(client, organisation, other_organisation):
    admin = MembershipFactory(organisation=organisation, role=Membership.Role.ADMIN).user
    invitation = InvitationFactory(organisation=other_organisation)
    client.force_login(admin)
    assert client.get(reverse("partners:revoke_invitation", args=[invitation.pk])).status_code == 404


def test_suspending_says_what_it_does_and_waits_for_confirmation(client, organisation, programme_admin):
    MembershipFactory(organisation=organisation)
    client.force_login(programme_admin)
    url = reverse("partners:organisation_detail", args=[organisation.pk])
    confirm = page_of(client.post(url, {"action": "suspend", "reason": "Dues unpaid"}))
    assert "Its 1 person in the portal can still sign in and read" in confirm
    assert "Dues unpaid" in confirm
    assert Organisation.objects.get(pk=organisation.pk).status == Organisation.Status.ACTIVE
    client.post(url, {"action": "suspend", "reason": "Dues unpaid", "confirmed": "1"})
    assert Organisation.objects.get(pk=organisation.pk).status == Organisation.Status.SUSPENDED
