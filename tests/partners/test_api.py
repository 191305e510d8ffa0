"""The partners REST API under /api/v1/: applications, organisations, members and invitations."""

import pytest
from django.conf import settings
from django.core import mail
from rest_framework.test import APIClient

from partners import services
from partners.models import Invitation, Membership, Organisation, Registration
from portal.audit.models import AuditEvent
from tests.factories import InvitationFactory, MembershipFactory, OrganisationFactory, RegistrationFactory

from .support import API_REGISTRATION, emailed_link, emails_to, last_event, page_text

S = Registration.Status
REGISTRATIONS = "/api/v1/registrations/"
ORGANISATIONS = "/api/v1/organisations/"
PUBLIC_FIELDS = {
    "id",
    "name",
    "native_name",
    "kind",
    "country",
    "country_name",
    "city",
    "website",
    "joined_on",
    "joined_year",
}
PRIVATE_FIELDS = {"status", "status_reason", "description", "areas", "cooperation_levels", "email_domain"}
REFUSED_TO_ANONYMOUS = (401, 403)


def assert_page_envelope(body, *, count):
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == count


def registration_url(registration, action=""):
    return f"{REGISTRATIONS}{registration.pk}/" + (f"{action}/" if action else "")


def organisation_url(organisation, action=""):
    return f"{ORGANISATIONS}{organisation.pk}/" + (f"{action}/" if action else "")


@pytest.fixture
def anonymous():
    return APIClient()


# Applying ------------------------------------------------------------------------------------


def test_anyone_may_apply_and_is_emailed_a_working_verification_link(anonymous, client, db, committed):
    with committed():
        response = anonymous.post(REGISTRATIONS, API_REGISTRATION, format="json")

    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "submitted"
    assert "ana@andes.example.org" in body["detail"]
    registration = Registration.objects.get(pk=body["id"])
    assert (registration.name, registration.country.code, registration.areas) == (
        "Andes Lunar Group",
        "BO",
        ["payloads"],
    )
    [email] = emails_to("ana@andes.example.org")
    link = emailed_link(email, "/join/verify/")
    client.post(link)
    registration.refresh_from_db()
    assert registration.status == S.PENDING_REVIEW


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({"kind": "pirates"}, {"kind"}),
        ({"areas": []}, {"areas"}),
        ({"areas": "payloads"}, {"areas"}),
        ({"areas": ["moon_cheese"]}, {"areas"}),
        ({"cooperation_levels": []}, {"cooperation_levels"}),
        ({"accept_terms": False}, {"accept_terms"}),
        ({"contact_email": "not-an-address"}, {"contact_email"}),
        ({"website": "not a url"}, {"website"}),
        ({"country": "XX"}, {"country"}),
        ({"kind": "international_organisation"}, {"country"}),
        ({"country": ""}, {"country"}),
        ({"name": "N" * 201}, {"name"}),
        ({"name": "", "contact_name": ""}, {"name", "contact_name"}),
    ],
)
def test_bad_applications_get_400_naming_each_field_in_error(changes, fields, anonymous, db):
    response = anonymous.post(REGISTRATIONS, {**API_REGISTRATION, **changes}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == fields
    assert not Registration.objects.exists()


@pytest.mark.parametrize(
    ("body", "content_type"),
    [("[1, 2]", "application/json"), ('"hello"', "application/json"), ("{not json", "application/json"), ("", "")],
)
def test_an_application_body_that_is_not_an_object_is_a_400(body, content_type, anonymous, db):
    response = anonymous.generic("POST", REGISTRATIONS, body, content_type=content_type)
    assert response.status_code == 400
    assert not Registration.objects.exists()


def test_applying_is_throttled_per_client_at_the_configured_rate(anonymous, db):
    allowed, _period = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["registration"].split("/")
    allowed = int(allowed)
    for n in range(allowed):
        response = anonymous.post(
            REGISTRATIONS, {**API_REGISTRATION, "contact_email": f"a{n}@andes.example.org"}, format="json"
        )
        assert response.status_code == 201, n

    refused = anonymous.post(REGISTRATIONS, API_REGISTRATION, format="json")

    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert Registration.objects.count() == allowed
    elsewhere = anonymous.post(REGISTRATIONS, API_REGISTRATION, format="json", REMOTE_ADDR="203.0.113.9")
    assert elsewhere.status_code == 201, "another client has its own allowance"


# Reading applications ------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["partner_admin", "partner_member", "reviewer"])
def test_applications_are_listed_for_programme_administrators_only(who, request, api_as, anonymous, db):
    registration = RegistrationFactory(contact_email="secret.contact@lab.example.org")
    client = api_as(request.getfixturevalue(who))

    for response in (
        client.get(REGISTRATIONS),
        client.get(registration_url(registration)),
        client.post(registration_url(registration, "approve")),
    ):
        assert response.status_code == 403
        assert b"secret.contact" not in response.content
    assert anonymous.get(REGISTRATIONS).status_code in REFUSED_TO_ANONYMOUS
    assert anonymous.get(registration_url(registration)).status_code in REFUSED_TO_ANONYMOUS
    registration.refresh_from_db()
    assert registration.status == S.PENDING_REVIEW


def test_the_application_list_is_paginated_filtered_and_flags_duplicates(api_as, programme_admin):
    OrganisationFactory(name="Chiang Mai Observatory", country="TH", email_domain="cmo.example.org")
    flagged = RegistrationFactory(name="Chiang Mai Observatory", country="TH", contact_email="x@other.example.org")
    RegistrationFactory.create_batch(29)
    RegistrationFactory(status=S.REJECTED, name="Rejected Lab")
    client = api_as(programme_admin)

    first = client.get(REGISTRATIONS).json()
    assert_page_envelope(first, count=31)
    assert len(first["results"]) == 25 and first["previous"] is None and "page=2" in first["next"]
    assert len(client.get(REGISTRATIONS, {"page": 2}).json()["results"]) == 6
    assert len(client.get(REGISTRATIONS, {"page_size": 5}).json()["results"]) == 5

    rejected = client.get(REGISTRATIONS, {"status": "rejected"}).json()
    assert [r["name"] for r in rejected["results"]] == ["Rejected Lab"]
    [found] = client.get(REGISTRATIONS, {"q": "chiang mai obs"}).json()["results"]
    assert found["id"] == flagged.pk and found["contact_email"] == "x@other.example.org"
    assert found["possible_duplicates"] == [
        {"reason": "name", "name": "Chiang Mai Observatory", "id": Organisation.objects.get().pk}
    ]


def test_bad_filters_on_the_application_list_are_a_400(api_as, programme_admin):
    assert api_as(programme_admin).get(REGISTRATIONS, {"status": "lost"}).status_code == 400


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "999999/"),
        ("get", "abc/"),
        ("post", "999999/approve/"),
        ("post", "abc/approve/"),
        ("post", "abc/reject/"),
    ],
)
def test_an_unknown_application_is_a_404(method, path, api_as, programme_admin):
    response = getattr(api_as(programme_admin), method)(REGISTRATIONS + path, {"reason": "x"}, format="json")
    assert response.status_code == 404


def test_one_application_shows_its_details_and_duplicates(api_as, programme_admin):
    OrganisationFactory(name="Andes Partner", email_domain="andes.example.org")
    registration = RegistrationFactory(contact_email="ana@andes.example.org", contact_name="Ana Quispe")
    body = api_as(programme_admin).get(registration_url(registration)).json()
    assert (body["contact_name"], body["contact_email"], body["status"]) == (
        "Ana Quispe",
        "ana@andes.example.org",
        "pending_review",
    )
    assert body["possible_duplicates"][0]["reason"] == "domain"


# Deciding ------------------------------------------------------------------------------------


def test_approving_through_the_api_creates_the_partner_and_emails_the_contact(api_as, programme_admin, committed):
    registration = RegistrationFactory(contact_email="ana@andes.example.org", name="Andes Lunar Group")

    with committed():
        response = api_as(programme_admin).post(registration_url(registration, "approve"))

    assert response.status_code == 200
    body = response.json()
    organisation = Organisation.objects.get(name="Andes Lunar Group")
    assert (body["status"], body["organisation"]) == ("approved", organisation.pk)
    assert Membership.objects.get(organisation=organisation).user.email == "ana@andes.example.org"
    assert emailed_link(emails_to("ana@andes.example.org")[0], "/accounts/set-password/")
    event = last_event("registration.approved")
    assert (event.actor, event.ip_address) == (programme_admin, "127.0.0.1")


@pytest.mark.parametrize(
    ("action", "status"), [("reject", S.REJECTED), ("request-changes", S.CHANGES_REQUESTED)], ids=["reject", "changes"]
)
def test_rejecting_or_requesting_changes_through_the_api_emails_the_reason(
    action, status, api_as, programme_admin, committed
):
    registration = RegistrationFactory(contact_email="ana@andes.example.org")

    with committed():
        response = api_as(programme_admin).post(
            registration_url(registration, action), {"reason": "Tell us more."}, format="json"
        )

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["decision_reason"]) == (status, "Tell us more.")
    assert "Tell us more." in emails_to("ana@andes.example.org")[0].body
    assert last_event(f"registration.{status}").reason == "Tell us more."


@pytest.mark.parametrize("action", ["reject", "request-changes"])
@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "   "}, {"reason": "x" * 4001}])
def test_a_decision_needing_a_reason_without_one_is_a_400_on_the_reason(action, body, api_as, programme_admin):
    registration = RegistrationFactory()
    response = api_as(programme_admin).post(registration_url(registration, action), body, format="json")
    assert response.status_code == 400
    assert "reason" in response.json()
    registration.refresh_from_db()
    assert registration.status == S.PENDING_REVIEW


@pytest.mark.parametrize(
    ("status", "action"),
    [
        (S.REJECTED, "approve"),
        (S.APPROVED, "approve"),
        (S.SUBMITTED, "approve"),
        (S.CHANGES_REQUESTED, "approve"),
        (S.APPROVED, "reject"),
        (S.REJECTED, "reject"),
        (S.SUBMITTED, "request-changes"),
        (S.CHANGES_REQUESTED, "request-changes"),
        (S.REJECTED, "request-changes"),
    ],
)
def test_a_decision_not_allowed_from_the_current_state_is_a_409(status, action, api_as, programme_admin):
    registration = RegistrationFactory(status=status)

    response = api_as(programme_admin).post(registration_url(registration, action), {"reason": "x"}, format="json")

    assert response.status_code == 409
    assert response.json()["detail"]
    registration.refresh_from_db()
    assert registration.status == status


def test_approving_a_contact_who_belongs_to_another_organisation_is_a_400(api_as, programme_admin, other_partner_admin):
    registration = RegistrationFactory(contact_email=other_partner_admin.email)
    response = api_as(programme_admin).post(registration_url(registration, "approve"))
    assert response.status_code == 400
    assert "one organisation only" in response.json()["detail"]


# Organisations -------------------------------------------------------------------------------


def test_anonymous_visitors_see_active_partners_with_public_fields_only(anonymous, organisation, programme_admin):
    suspended = OrganisationFactory(name="Suspended Partner")
    services.suspend_organisation(organisation=suspended, by=programme_admin, reason="Dues")
    organisation.description = "Private description"
    organisation.save()

    body = anonymous.get(ORGANISATIONS).json()

    assert_page_envelope(body, count=1)
    [listed] = body["results"]
    assert set(listed) == PUBLIC_FIELDS
    assert (listed["name"], listed["country"], listed["country_name"]) == (
        "South Lunar Institute",
        "ZA",
        "South Africa",
    )
    assert "Private description" not in page_text(anonymous.get(organisation_url(organisation)))
    assert anonymous.get(organisation_url(suspended)).status_code == 404


def test_members_read_their_own_full_record_and_only_public_fields_of_others(
    api_as, organisation, partner_member, secrets_of_another_organisation, other_organisation
):
    client = api_as(partner_member)

    listed = {o["name"]: o for o in client.get(ORGANISATIONS).json()["results"]}

    assert set(listed["South Lunar Institute"]) == PUBLIC_FIELDS | PRIVATE_FIELDS
    assert set(listed["Far Side University"]) == PUBLIC_FIELDS
    own = client.get(organisation_url(organisation)).json()
    assert (own["status"], own["areas"]) == ("active", ["payloads"])
    for response in (client.get(ORGANISATIONS), client.get(organisation_url(other_organisation))):
        for secret in secrets_of_another_organisation:
            assert secret not in page_text(response)


def test_programme_administrators_see_every_organisation_in_full(api_as, programme_admin, organisation):
    suspended = OrganisationFactory(name="Suspended Partner")
    services.suspend_organisation(organisation=suspended, by=programme_admin, reason="Dues")

    body = api_as(programme_admin).get(ORGANISATIONS).json()

    assert_page_envelope(body, count=2)
    by_name = {o["name"]: o for o in body["results"]}
    assert set(by_name["Suspended Partner"]) == PUBLIC_FIELDS | PRIVATE_FIELDS
    assert (by_name["Suspended Partner"]["status"], by_name["Suspended Partner"]["status_reason"]) == (
        "suspended",
        "Dues",
    )


def test_members_of_a_suspended_organisation_still_read_its_record(
    api_as, organisation, partner_member, programme_admin
):
    services.suspend_organisation(organisation=organisation, by=programme_admin, reason="Dues")
    client = api_as(partner_member)
    assert client.get(organisation_url(organisation)).json()["status"] == "suspended"
    assert [o["name"] for o in client.get(ORGANISATIONS).json()["results"]] == ["South Lunar Institute"]
    assert client.get(organisation_url(organisation, "members")).status_code == 200


def test_the_public_cannot_find_an_organisation_by_its_private_email_domain(
    anonymous, api_as, other_partner_admin, secrets_of_another_organisation, programme_admin
):
    by_name = anonymous.get(ORGANISATIONS, {"q": "far side"}).json()
    assert [o["name"] for o in by_name["results"]] == ["Far Side University"]

    for client in (anonymous, api_as(MembershipFactory().user)):
        assert client.get(ORGANISATIONS, {"q": "farside-private"}).json()["count"] == 0
    admin = APIClient()
    admin.force_authenticate(programme_admin)
    assert admin.get(ORGANISATIONS, {"q": "farside-private"}).json()["count"] == 1


def test_the_organisation_list_filters_and_paginates(anonymous, db):
    OrganisationFactory.create_batch(26, country="ZA")
    OrganisationFactory(name="Cairo University", country="EG", kind="university")

    assert [o["name"] for o in anonymous.get(ORGANISATIONS, {"country": "EG"}).json()["results"]] == [
        "Cairo University"
    ]
    assert anonymous.get(ORGANISATIONS, {"kind": "university"}).json()["count"] == 1
    first = anonymous.get(ORGANISATIONS).json()
    assert_page_envelope(first, count=27)
    assert len(first["results"]) == 25
    assert len(anonymous.get(ORGANISATIONS, {"page": 2}).json()["results"]) == 2
    assert anonymous.get(ORGANISATIONS, {"page": 9}).status_code == 404
    assert anonymous.get(ORGANISATIONS, {"kind": "pirates"}).status_code == 400


@pytest.mark.parametrize("path", ["999999/", "abc/", "abc/members/", "abc/invitations/"])
def test_an_unknown_organisation_is_a_404(path, api_as, programme_admin):
    assert api_as(programme_admin).get(ORGANISATIONS + path).status_code == 404


# Suspending ----------------------------------------------------------------------------------


def test_an_administrator_suspends_and_reinstates_through_the_api(
    api_as, programme_admin, organisation, partner_admin, committed
):
    client = api_as(programme_admin)

    with committed():
        suspended = client.post(organisation_url(organisation, "suspend"), {"reason": "Dues"}, format="json")

    assert suspended.status_code == 200
    assert (suspended.json()["status"], suspended.json()["status_reason"]) == ("suspended", "Dues")
    assert "Dues" in emails_to(partner_admin.email)[0].body
    assert client.post(organisation_url(organisation, "suspend"), {"reason": "Again"}, format="json").status_code == 409
    reinstated = client.post(organisation_url(organisation, "reinstate"), {"reason": "Paid"}, format="json")
    assert reinstated.status_code == 200 and reinstated.json()["status"] == "active"
    assert (
        client.post(organisation_url(organisation, "reinstate"), {"reason": "Paid"}, format="json").status_code == 409
    )
    assert [e.to_state for e in AuditEvent.objects.filter(organisation=organisation).order_by("pk")] == [
        "suspended",
        "active",
    ]


def test_suspending_without_a_reason_is_a_400(api_as, programme_admin, organisation):
    response = api_as(programme_admin).post(organisation_url(organisation, "suspend"), {}, format="json")
    assert response.status_code == 400 and "reason" in response.json()
    organisation.refresh_from_db()
    assert organisation.status == Organisation.Status.ACTIVE


@pytest.mark.parametrize("who", ["partner_admin", "partner_member", "other_partner_admin", "reviewer"])
def test_only_programme_administrators_suspend_through_the_api(who, request, api_as, anonymous, organisation):
    response = api_as(request.getfixturevalue(who)).post(
        organisation_url(organisation, "suspend"), {"reason": "Dues"}, format="json"
    )
    assert response.status_code == 403
    assert anonymous.post(organisation_url(organisation, "suspend"), {"reason": "x"}).status_code in (401, 403)
    organisation.refresh_from_db()
    assert organisation.status == Organisation.Status.ACTIVE


# Members and invitations ---------------------------------------------------------------------


def test_members_are_listed_for_the_organisation_and_administrators_only(
    api_as, anonymous, organisation, partner_admin, partner_member, other_partner_admin, programme_admin
):
    url = organisation_url(organisation, "members")

    body = api_as(partner_member).get(url).json()

    assert_page_envelope(body, count=2)
    assert [(m["email"], m["role"]) for m in body["results"]] == [
        ("lead@south-lunar.example.org", "admin"),
        ("member@south-lunar.example.org", "member"),
    ]
    assert api_as(programme_admin).get(url).json()["count"] == 2
    refused = api_as(other_partner_admin).get(url)
    assert refused.status_code == 404 and b"south-lunar" not in refused.content
    assert anonymous.get(url).status_code in REFUSED_TO_ANONYMOUS


def test_a_partner_admin_lists_every_invitation_the_organisation_sent(api_as, organisation, partner_admin):
    InvitationFactory(organisation=organisation, invited_by=partner_admin, email="pending@example.org")
    withdrawn = InvitationFactory(organisation=organisation, invited_by=partner_admin, email="revoked@example.org")
    services.revoke_invitation(invitation=withdrawn, by=partner_admin)
    InvitationFactory(invited_by=partner_admin, email="elsewhere@example.org")

    body = api_as(partner_admin).get(organisation_url(organisation, "invitations")).json()

    assert_page_envelope(body, count=2)
    assert {(i["email"], i["status"], i["invited_by"]) for i in body["results"]} == {
        ("pending@example.org", "pending", partner_admin.email),
        ("revoked@example.org", "revoked", partner_admin.email),
    }


@pytest.mark.parametrize("who", ["partner_member", "other_partner_admin", "reviewer"])
def test_invitations_are_the_partner_admins_business(who, request, api_as, anonymous, organisation, partner_admin):
    InvitationFactory(organisation=organisation, invited_by=partner_admin, email="private.invitee@example.org")
    url = organisation_url(organisation, "invitations")
    client = api_as(request.getfixturevalue(who))

    listed = client.get(url)
    created = client.post(url, {"email": "sneaky@example.org"}, format="json")

    assert listed.status_code == 404 and b"private.invitee" not in listed.content
    assert created.status_code == 404
    assert anonymous.get(url).status_code in REFUSED_TO_ANONYMOUS
    assert not Invitation.objects.filter(email="sneaky@example.org").exists()


def test_a_partner_admin_invites_through_the_api(api_as, organisation, partner_admin, committed):
    with committed():
        response = api_as(partner_admin).post(
            organisation_url(organisation, "invitations"), {"email": "New@Example.org"}, format="json"
        )

    assert response.status_code == 201
    assert (response.json()["email"], response.json()["status"]) == ("new@example.org", "pending")
    assert emailed_link(emails_to("new@example.org")[0], "/invitations/accept/")


@pytest.mark.parametrize(
    ("body", "expected"),
    [({}, "This field is required."), ({"email": "nope"}, "Enter a valid email address.")],
)
def test_a_bad_invitation_is_a_400_on_the_email(body, expected, api_as, organisation, partner_admin):
    response = api_as(partner_admin).post(organisation_url(organisation, "invitations"), body, format="json")
    assert response.status_code == 400
    assert response.json()["email"] == [expected]


def test_inviting_someone_who_belongs_to_an_organisation_is_a_400_on_the_email(
    api_as, organisation, partner_admin, partner_member, other_partner_admin
):
    url = organisation_url(organisation, "invitations")
    for email, message in ((partner_member.email, "already a member"), (other_partner_admin.email, "another")):
        response = api_as(partner_admin).post(url, {"email": email}, format="json")
        assert response.status_code == 400
        assert message in response.json()["email"][0]
    assert mail.outbox == [] and not Invitation.objects.exists()


def test_a_partner_admin_withdraws_an_invitation_through_the_api(api_as, organisation, partner_admin):
    invitation = InvitationFactory(organisation=organisation, invited_by=partner_admin)
    url = f"{organisation_url(organisation, 'invitations')}{invitation.pk}/revoke/"
    client = api_as(partner_admin)

    response = client.post(url)

    assert response.status_code == 200 and response.json()["status"] == "revoked"
    again = client.post(url)
    assert again.status_code == 409 and "already revoked" in again.json()["detail"]


def test_invitations_of_another_organisation_cannot_be_withdrawn(
    api_as, organisation, partner_admin, partner_member, other_organisation, other_partner_admin
):
    theirs = InvitationFactory(organisation=other_organisation, invited_by=other_partner_admin)
    mine = InvitationFactory(organisation=organisation, invited_by=partner_admin)

    through_my_organisation = f"{organisation_url(organisation, 'invitations')}{theirs.pk}/revoke/"
    assert api_as(partner_admin).post(through_my_organisation).status_code == 404
    my_url = f"{organisation_url(organisation, 'invitations')}{mine.pk}/revoke/"
    assert api_as(other_partner_admin).post(my_url).status_code == 404
    assert api_as(partner_member).post(my_url).status_code == 404
    assert Invitation.objects.filter(revoked_at__isnull=False).count() == 0
