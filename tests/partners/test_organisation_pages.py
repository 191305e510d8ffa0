"""An organisation's own page, the administrators' organisation screens, and suspension with a reason."""

import pytest
from django.core import mail
from django.urls import reverse

from partners import services
from partners.models import Organisation
from portal.errors import DomainError, NotAllowed, TransitionNotAllowed
from portal.notifications.models import Notification
from tests.factories import PASSWORD, InvitationFactory, OrganisationFactory, RegistrationFactory
from tests.helpers import sign_in

from .support import emails_to, last_event, page_text

MY_ORGANISATION = reverse("partners:my_organisation")


def detail(organisation):
    return reverse("partners:organisation_detail", args=[organisation.pk])


# My organisation -----------------------------------------------------------------------------


def test_a_partner_admin_sees_the_organisation_its_people_and_pending_invitations(
    client, organisation, partner_admin, partner_member
):
    InvitationFactory(organisation=organisation, email="invitee@south-lunar.example.org", invited_by=partner_admin)
    client.force_login(partner_admin)

    content = page_text(client.get(MY_ORGANISATION))

    assert "South Lunar Institute" in content and "South Africa, Pretoria" in content
    assert "lead@south-lunar.example.org" in content and "member@south-lunar.example.org" in content
    assert "Partner admin" in content and "Partner member" in content
    assert content.index("lead@south-lunar") < content.index("member@south-lunar"), "the partner admin comes first"
    assert "Invite a colleague" in content and "invitee@south-lunar.example.org" in content
    assert reverse("partners:remove_member", args=[partner_member.membership.pk]) in content
    assert reverse("partners:transfer_admin", args=[partner_member.membership.pk]) in content
    assert reverse("partners:remove_member", args=[partner_admin.membership.pk]) not in content


def test_a_partner_member_sees_the_people_but_not_the_invitations_or_the_controls(
    client, organisation, partner_admin, partner_member
):
    InvitationFactory(organisation=organisation, email="invitee@south-lunar.example.org", invited_by=partner_admin)
    client.force_login(partner_member)

    content = page_text(client.get(MY_ORGANISATION))

    assert "lead@south-lunar.example.org" in content and "member@south-lunar.example.org" in content
    assert "invitee@south-lunar.example.org" not in content
    assert "Invite a colleague" not in content
    assert "/remove/" not in content and "/make-admin/" not in content


def test_someone_without_an_organisation_is_told_how_to_get_one(client, reviewer):
    client.force_login(reviewer)
    response = client.get(MY_ORGANISATION)
    assert "You do not belong to a partner organisation" in page_text(response)
    assert reverse("partners:join") in page_text(response)


def test_my_organisation_asks_anonymous_visitors_to_sign_in(client, db):
    response = client.get(MY_ORGANISATION)
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


def test_my_organisation_never_shows_another_organisations_private_data(
    client, partner_admin, secrets_of_another_organisation
):
    client.force_login(partner_admin)
    content = page_text(client.get(MY_ORGANISATION))
    assert "South Lunar Institute" in content
    for secret in secrets_of_another_organisation:
        assert secret not in content


# Suspension ----------------------------------------------------------------------------------


def test_suspending_records_the_reason_emails_the_partner_admin_and_tells_every_member(
    organisation, partner_admin, partner_member, programme_admin, committed
):
    with committed():
        services.suspend_organisation(organisation=organisation, by=programme_admin, reason="Unpaid dues")

    organisation.refresh_from_db()
    assert (organisation.status, organisation.status_reason) == (Organisation.Status.SUSPENDED, "Unpaid dues")
    [email] = mail.outbox
    assert email.to == [partner_admin.email]
    assert email.subject == "South Lunar Institute has been suspended"
    assert "Unpaid dues" in email.body and "can still sign in and read" in email.body
    for person in (partner_admin, partner_member):
        assert Notification.objects.get(user=person).message == "South Lunar Institute has been suspended."
    event = last_event("organisation.suspended")
    assert (event.actor, event.organisation, event.from_state, event.to_state, event.reason) == (
        programme_admin,
        organisation,
        "active",
        "suspended",
        "Unpaid dues",
    )


def test_reinstating_lifts_the_suspension_with_a_reason(organisation, partner_admin, programme_admin, committed):
    services.suspend_organisation(organisation=organisation, by=programme_admin, reason="Unpaid dues")

    with committed():
        services.reinstate_organisation(organisation=organisation, by=programme_admin, reason="Dues paid")

    organisation.refresh_from_db()
    assert (organisation.status, organisation.status_reason) == (Organisation.Status.ACTIVE, "Dues paid")
    [email] = emails_to(partner_admin.email)
    assert email.subject == "South Lunar Institute has been reinstated"
    assert "Dues paid" in email.body
    event = last_event("organisation.reinstated")
    assert (event.actor, event.from_state, event.to_state, event.reason) == (
        programme_admin,
        "suspended",
        "active",
        "Dues paid",
    )


def test_a_suspended_organisation_cannot_be_suspended_again_nor_an_active_one_reinstated(organisation, programme_admin):
    with pytest.raises(TransitionNotAllowed):
        services.reinstate_organisation(organisation=organisation, by=programme_admin, reason="Why")
    services.suspend_organisation(organisation=organisation, by=programme_admin, reason="Dues")
    with pytest.raises(TransitionNotAllowed):
        services.suspend_organisation(organisation=organisation, by=programme_admin, reason="Again")
    organisation.refresh_from_db()
    assert organisation.status_reason == "Dues"


@pytest.mark.parametrize("service", [services.suspend_organisation, services.reinstate_organisation])
def test_a_status_change_needs_a_reason(service, organisation, programme_admin):
    if service is services.reinstate_organisation:
        services.suspend_organisation(organisation=organisation, by=programme_admin, reason="Dues")
    status_before = Organisation.objects.get(pk=organisation.pk).status
    with pytest.raises(DomainError, match="Please give a reason"):
        service(organisation=organisation, by=programme_admin, reason=" ")
    assert Organisation.objects.get(pk=organisation.pk).status == status_before


def test_only_programme_administrators_suspend(organisation, partner_admin, reviewer):
    for person in (partner_admin, reviewer):
        with pytest.raises(NotAllowed):
            services.suspend_organisation(organisation=organisation, by=person, reason="Dues")
    organisation.refresh_from_db()
    assert organisation.status == Organisation.Status.ACTIVE


def test_members_of_a_suspended_organisation_still_sign_in_and_read(
    client, organisation, partner_member, programme_admin
):
    services.suspend_organisation(organisation=organisation, by=programme_admin, reason="Under review")

    assert sign_in(client, partner_member.email, PASSWORD)
    response = client.get(MY_ORGANISATION)

    assert response.status_code == 200
    content = page_text(response)
    assert "Your organisation is suspended" in content and "Under review" in content
    assert "member@south-lunar.example.org" in content


def test_an_administrator_suspends_and_reinstates_from_the_organisation_page(
    client, organisation, partner_admin, programme_admin, committed
):
    client.force_login(programme_admin)

    confirm = page_text(client.post(detail(organisation), {"action": "suspend", "reason": "Unpaid dues"}))
    assert "can still sign in and read" in confirm and "Suspend now" in confirm
    organisation.refresh_from_db()
    assert organisation.status == Organisation.Status.ACTIVE
    with committed():
        response = client.post(
            detail(organisation), {"action": "suspend", "reason": "Unpaid dues", "confirmed": "1"}, follow=True
        )

    assert "Suspended." in page_text(response) and "Reason for reinstatement" in page_text(response)
    organisation.refresh_from_db()
    assert organisation.status == Organisation.Status.SUSPENDED
    assert "Unpaid dues" in emails_to(partner_admin.email)[0].body

    client.post(detail(organisation), {"action": "reinstate", "reason": "Paid"})
    organisation.refresh_from_db()
    assert organisation.status == Organisation.Status.ACTIVE


def test_suspending_from_the_page_without_a_reason_is_refused(client, organisation, programme_admin):
    client.force_login(programme_admin)
    response = client.post(detail(organisation), {"action": "suspend", "reason": ""})
    assert response.status_code == 200 and "Please give a reason." in page_text(response)
    organisation.refresh_from_db()
    assert organisation.status == Organisation.Status.ACTIVE


# The administrators' organisation screens ----------------------------------------------------


def names_on(response):
    return [organisation.name for organisation in response.context["page"].object_list]


def test_the_organisation_list_shows_every_partner_with_its_member_count_and_status(
    client, organisation, partner_admin, partner_member, other_organisation, programme_admin
):
    services.suspend_organisation(organisation=other_organisation, by=programme_admin, reason="Dues")
    client.force_login(programme_admin)

    response = client.get(reverse("partners:organisation_list"))

    assert names_on(response) == ["Far Side University", "South Lunar Institute"]
    counts = {o.name: o.member_count for o in response.context["page"].object_list}
    assert counts == {"Far Side University": 0, "South Lunar Institute": 2}
    assert "Suspended" in page_text(response)


def test_the_organisation_list_filters_by_status_kind_country_and_search(client, programme_admin):
    OrganisationFactory(name="Cairo Space Agency", kind="space_agency", country="EG", city="Cairo")
    OrganisationFactory(name="Cairo University", kind="university", country="EG", email_domain="cu.example.org")
    suspended = OrganisationFactory(name="Lahore Institute", kind="research_institute", country="PK")
    services.suspend_organisation(organisation=suspended, by=programme_admin, reason="Dues")
    client.force_login(programme_admin)
    url = reverse("partners:organisation_list")

    assert names_on(client.get(url, {"status": "suspended"})) == ["Lahore Institute"]
    assert names_on(client.get(url, {"status": "active"})) == ["Cairo Space Agency", "Cairo University"]
    assert names_on(client.get(url, {"kind": "university"})) == ["Cairo University"]
    assert names_on(client.get(url, {"country": "PK"})) == ["Lahore Institute"]
    assert names_on(client.get(url, {"q": "cu.example"})) == ["Cairo University"]
    assert names_on(client.get(url, {"q": "cairo", "kind": "space_agency"})) == ["Cairo Space Agency"]


def test_the_organisation_list_is_paginated(client, programme_admin):
    OrganisationFactory.create_batch(27)
    client.force_login(programme_admin)
    url = reverse("partners:organisation_list")
    assert len(names_on(client.get(url))) == 25
    second = client.get(url, {"page": 2})
    assert len(names_on(second)) == 2 and "Page 2 of 2" in page_text(second)


def test_the_organisation_page_shows_its_people_invitations_and_history(
    client, programme_admin, secrets_of_another_organisation
):
    registration = RegistrationFactory(name="Atacama Lunar Lab", contact_email="camila@atacama.example.org")
    services.request_registration_changes(registration=registration, by=programme_admin, reason="Which city?")
    services.resubmit_registration(registration=registration, data={"city": "Antofagasta"})
    organisation = services.approve_registration(registration=registration, by=programme_admin)
    contact = organisation.memberships.get().user
    services.invite_member(organisation=organisation, email="invitee@atacama.example.org", by=contact)
    services.suspend_organisation(organisation=organisation, by=programme_admin, reason="Visible reason 7")
    client.force_login(programme_admin)

    content = page_text(client.get(detail(organisation)))

    assert "camila@atacama.example.org" in content and "Partner admin" in content
    assert "invitee@atacama.example.org" in content
    for action in (
        "Changes requested",
        "Application sent again",
        "Application approved",
        "Organisation created",
        "Invitation sent",
        "Organisation suspended",
    ):
        assert action in content
    assert "Which city?" in content and "Visible reason 7" in content
    assert "admin@programme.example.org" in content
    for secret in secrets_of_another_organisation:
        assert secret not in content


def test_a_programme_administrator_removes_a_member_from_the_organisation_page(
    client, organisation, partner_member, programme_admin
):
    client.force_login(programme_admin)
    response = client.post(reverse("partners:remove_member", args=[partner_member.membership.pk]))
    assert response.status_code == 302 and response.url == detail(organisation)
    assert not organisation.memberships.filter(user=partner_member).exists()


@pytest.mark.parametrize("who", ["partner_admin", "partner_member", "reviewer"])
def test_organisation_screens_are_refused_to_everyone_but_programme_administrators(
    who, request, client, organisation, secrets_of_another_organisation, other_organisation
):
    client.force_login(request.getfixturevalue(who))

    for url in (reverse("partners:organisation_list"), detail(organisation), detail(other_organisation)):
        response = client.get(url)
        assert response.status_code in (403, 404), url
        for secret in secrets_of_another_organisation:
            assert secret.encode() not in response.content

    client.post(detail(organisation), {"action": "suspend", "reason": "I should not"})
    organisation.refresh_from_db()
    assert organisation.status == Organisation.Status.ACTIVE


def test_organisation_screens_send_anonymous_visitors_to_sign_in(client, organisation):
    for url in (reverse("partners:organisation_list"), detail(organisation)):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))
