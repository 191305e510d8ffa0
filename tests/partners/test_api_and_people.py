from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from partners import services
from partners.models import Invitation, Membership, Registration
from portal.errors import DomainError, NotAllowed
from tests.factories import InvitationFactory, MembershipFactory, OrganisationFactory, RegistrationFactory, UserFactory
from tests.helpers import last_email_to, links_in, path_of

API_REGISTRATION = {
    "name": "Andes Lunar Group",
    "kind": "university",
    "country": "BO",
    "city": "La Paz",
    "areas": ["payloads"],
    "cooperation_levels": ["equipment"],
    "contact_name": "Ana Quispe",
    "contact_email": "ana@andes.example.org",
    "accept_terms": True,
}


def test_api_registration_is_public_and_bad_input_gets_field_errors(api_client, db):
    response = api_client.post("/api/v1/registrations/", API_REGISTRATION, format="json")
    assert response.status_code == 201
    assert Registration.objects.get(pk=response.json()["id"]).status == Registration.Status.SUBMITTED
    response = api_client.post(
        "/api/v1/registrations/", {**API_REGISTRATION, "kind": "pirates", "areas": []}, format="json"
    )
    assert response.status_code == 400
    assert {"kind", "areas"} <= set(response.json())


def test_api_registration_is_throttled(api_client, db, monkeypatch):
    from partners.api import RegistrationThrottle

    monkeypatch.setattr(RegistrationThrottle, "THROTTLE_RATES", {"registration": "2/hour"})
    codes = [api_client.post("/api/v1/registrations/", {}, format="json").status_code for _ in range(3)]
    assert codes == [400, 400, 429]


def test_api_registration_decisions_are_for_administrators_with_409_on_wrong_state(
    api_as, programme_admin, partner_admin
):
    registration = RegistrationFactory()
    assert api_as(partner_admin).get("/api/v1/registrations/").status_code == 403
    client = api_as(programme_admin)
    listing = client.get("/api/v1/registrations/").json()
    assert listing["count"] == 1 and "results" in listing
    assert client.post(f"/api/v1/registrations/{registration.pk}/reject/", {}, format="json").status_code == 400
    assert client.post(f"/api/v1/registrations/{registration.pk}/approve/").status_code == 200
    again = client.post(f"/api/v1/registrations/{registration.pk}/approve/")
    assert again.status_code == 409 and again.json()["detail"]
    assert client.post("/api/v1/registrations/999999/approve/").status_code == 404


def test_api_organisations_show_private_fields_only_to_members_and_admins(
    api_client, api_as, organisation, partner_member, other_partner_admin, programme_admin
):
    organisation.email_domain = "secret-domain.example.org"
    organisation.save()
    url = f"/api/v1/organisations/{organisation.pk}/"
    assert "email_domain" not in api_client.get(url).json()
    assert "email_domain" not in api_as(other_partner_admin).get(url).json()
    assert api_as(partner_member).get(url).json()["email_domain"] == "secret-domain.example.org"
    assert api_as(programme_admin).get(url).json()["email_domain"] == "secret-domain.example.org"
    members_url = f"/api/v1/organisations/{organisation.pk}/members/"
    assert api_as(other_partner_admin).get(members_url).status_code == 404
    assert partner_member.email in api_as(partner_member).get(members_url).content.decode()


def test_api_suspend_and_reinstate(api_as, programme_admin, partner_admin, organisation):
    url = f"/api/v1/organisations/{organisation.pk}/"
    assert api_as(partner_admin).post(url + "suspend/", {"reason": "x"}, format="json").status_code == 403
    client = api_as(programme_admin)
    assert client.post(url + "suspend/", {}, format="json").status_code == 400
    assert client.post(url + "suspend/", {"reason": "Dues"}, format="json").status_code == 200
    assert client.post(url + "suspend/", {"reason": "Dues"}, format="json").status_code == 409
    assert client.post(url + "reinstate/", {"reason": "Paid"}, format="json").status_code == 200


def test_api_invitations_by_partner_admin_only(
    api_as, partner_admin, partner_member, organisation, other_partner_admin
):
    url = f"/api/v1/organisations/{organisation.pk}/invitations/"
    assert api_as(partner_member).post(url, {"email": "x@example.org"}, format="json").status_code in (403, 404)
    assert api_as(other_partner_admin).get(url).status_code == 404
    created = api_as(partner_admin).post(url, {"email": "new@example.org"}, format="json")
    assert created.status_code == 201
    revoke = api_as(partner_admin).post(f"{url}{created.json()['id']}/revoke/")
    assert revoke.status_code == 200 and revoke.json()["status"] == "revoked"


def test_invitation_link_is_single_use_and_creates_a_member(
    client, partner_admin, organisation, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.invite_member(organisation=organisation, email="colleague@example.org", by=partner_admin)
    [link] = [url for url in links_in(last_email_to("colleague@example.org")) if "/invitations/accept/" in url]
    response = client.post(
        path_of(link), {"full_name": "Cole League", "password1": "Moonwalk-2026-x", "password2": "Moonwalk-2026-x"}
    )
    assert response.status_code in (200, 302)
    membership = Membership.objects.get(user__email="colleague@example.org")
    assert membership.organisation == organisation and membership.role == Membership.Role.MEMBER
    client.logout()
    closed = client.get(path_of(link))
    assert "partners/invitation_closed.html" in [t.name for t in closed.templates]
    with pytest.raises(DomainError):
        services.accept_invitation(
            invitation=Invitation.objects.get(email="colleague@example.org"), full_name="x", password="Moonwalk-2026-x"
        )


def test_invitation_expires_after_seven_days(partner_admin, organisation):
    invitation = InvitationFactory(
        organisation=organisation, invited_by=partner_admin, expires_at=timezone.now() - timedelta(minutes=1)
    )
    assert invitation.status == Invitation.Status.EXPIRED
    with pytest.raises(DomainError):
        services.accept_invitation(invitation=invitation, full_name="Late", password="Moonwalk-2026-x")


def test_a_person_belongs_to_one_organisation(partner_admin, organisation, other_partner_admin):
    with pytest.raises(DomainError):
        services.invite_member(organisation=organisation, email=other_partner_admin.email, by=partner_admin)


def test_partner_admin_hands_over_the_role_and_removes_members(partner_admin, partner_member, organisation):
    services.transfer_partner_admin(
        organisation=organisation, to_membership=partner_member.membership, by=partner_admin
    )
    partner_admin.membership.refresh_from_db()
    partner_member.membership.refresh_from_db()
    assert partner_member.membership.role == Membership.Role.ADMIN
    assert partner_admin.membership.role == Membership.Role.MEMBER
    with pytest.raises((NotAllowed, DomainError)):
        services.remove_member(membership=partner_member.membership, by=partner_admin)
    services.remove_member(membership=partner_admin.membership, by=partner_member)
    assert not Membership.objects.filter(user=partner_admin).exists()


def test_another_organisations_people_never_show_on_my_pages(client, partner_admin, organisation):
    other = OrganisationFactory(name="Hidden Org")
    stranger = MembershipFactory(organisation=other, user=UserFactory(email="hidden.person@hidden.example.org")).user
    InvitationFactory(organisation=other, email="hidden.invitee@hidden.example.org", invited_by=stranger)
    client.force_login(partner_admin)
    content = client.get(reverse("partners:my_organisation")).content.decode()
    assert "hidden.person@hidden.example.org" not in content and "hidden.invitee" not in content
    assert client.get(reverse("partners:organisation_detail", args=[other.pk])).status_code == 404
    public = client.get(reverse("partners:directory")).content.decode()
    assert "Hidden Org" in public and "hidden.person" not in public


def test_api_lists_run_constant_queries(api_as, programme_admin, django_assert_max_num_queries):
    client = api_as(programme_admin)
    for count in (10, 40):
        RegistrationFactory.create_batch(count)
        OrganisationFactory.create_batch(count)
        with django_assert_max_num_queries(8):
            assert client.get("/api/v1/registrations/").status_code == 200
        with django_assert_max_num_queries(8):
            assert client.get("/api/v1/organisations/").status_code == 200
