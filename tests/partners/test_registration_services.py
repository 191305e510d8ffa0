"""The application to join, service by service: every transition, every refusal, its audit row and its email."""

import pytest
from django.core import mail

from partners import services
from partners.models import Membership, Organisation, Registration
from partners.selectors import attach_duplicate_flags
from portal.audit.models import AuditEvent
from portal.errors import DomainError, NotAllowed, TransitionNotAllowed
from portal.notifications.models import Notification
from tests.factories import MembershipFactory, OrganisationFactory, RegistrationFactory, UserFactory

from .support import audit_trail, emailed_link, emails_to, last_event

S = Registration.Status

APPLICATION = {
    "name": "Atacama Lunar Lab",
    "native_name": "Laboratorio Lunar de Atacama",
    "kind": "research_institute",
    "country": "CL",
    "city": "Antofagasta",
    "website": "https://atacama.example.org",
    "description": "Dust and regolith.",
    "areas": ["payloads"],
    "cooperation_levels": ["equipment", "subsystem"],
    "contact_name": "Camila Rojas",
    "contact_position": "Head of instruments",
    "contact_email": "Camila@Atacama.example.org",
}


def registration_in(status, **fields):
    """An application in `status`, as the services would have left it."""
    extra = {}
    if status == S.SUBMITTED:
        extra = {"email_verified_at": None, "queued_at": None}
    return RegistrationFactory(status=status, **extra, **fields)


def test_submitting_records_the_application_and_emails_the_contact_a_verification_link(db, committed):
    with committed():
        registration = services.submit_registration(data=APPLICATION, language="en")

    registration.refresh_from_db()
    assert registration.status == S.SUBMITTED
    assert registration.contact_email == "camila@atacama.example.org"
    assert registration.email_domain == "atacama.example.org"
    assert registration.cooperation_levels == ["equipment", "subsystem"]
    assert registration.terms_accepted_at is not None
    assert registration.email_verified_at is None
    [email] = mail.outbox
    assert email.to == ["camila@atacama.example.org"]
    assert email.subject == "Confirm your email address to apply for Atacama Lunar Lab"
    assert "Dear Camila Rojas" in email.body
    assert emailed_link(email, "/join/verify/").startswith("/join/verify/")
    assert audit_trail(registration) == [("registration.submitted", "", "submitted")]
    assert last_event("registration.submitted").actor is None


def test_the_verification_email_leaves_only_once_the_application_is_committed(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.submit_registration(data=APPLICATION, language="en")
    assert len(callbacks) == 1
    assert mail.outbox == []


def test_verifying_the_address_puts_the_application_in_the_queue_and_tells_the_administrators(
    programme_admin, reviewer, committed
):
    registration = registration_in(S.SUBMITTED, name="Atacama Lunar Lab", contact_email="camila@atacama.example.org")

    with committed():
        services.verify_registration_email(registration=registration)

    registration.refresh_from_db()
    assert registration.status == S.PENDING_REVIEW
    assert registration.email_verified_at is not None
    assert registration.queued_at == registration.email_verified_at
    [email] = emails_to("camila@atacama.example.org")
    assert email.subject == "Application of Atacama Lunar Lab received"
    assert "now with the programme administrators" in email.body
    [notice] = Notification.objects.filter(user=programme_admin)
    assert "Atacama Lunar Lab" in notice.message
    assert notice.link == f"/manage/registrations/{registration.pk}/"
    assert not Notification.objects.filter(user=reviewer).exists()
    event = last_event("registration.email_verified")
    assert (event.actor, event.from_state, event.to_state) == (None, "submitted", "pending_review")


@pytest.mark.parametrize("status", [S.PENDING_REVIEW, S.CHANGES_REQUESTED, S.APPROVED, S.REJECTED])
def test_an_address_cannot_be_verified_twice(status, db):
    registration = registration_in(status)
    with pytest.raises(TransitionNotAllowed, match="already been verified"):
        services.verify_registration_email(registration=registration)
    registration.refresh_from_db()
    assert registration.status == status
    assert not AuditEvent.objects.filter(action="registration.email_verified").exists()


def test_approval_creates_an_active_partner_with_the_contact_as_its_partner_admin(programme_admin, committed):
    registration = RegistrationFactory(
        name="Atacama Lunar Lab",
        native_name="Laboratorio Lunar de Atacama",
        country="CL",
        city="Antofagasta",
        areas=["payloads", "ground_stations"],
        contact_name="Camila Rojas",
        contact_position="Head of instruments",
        contact_email="camila@atacama.example.org",
        language="es",
    )

    with committed():
        organisation = services.approve_registration(registration=registration, by=programme_admin)

    assert organisation.status == Organisation.Status.ACTIVE
    assert (organisation.name, organisation.native_name, organisation.country.code, organisation.city) == (
        "Atacama Lunar Lab",
        "Laboratorio Lunar de Atacama",
        "CL",
        "Antofagasta",
    )
    assert organisation.areas == ["payloads", "ground_stations"]
    assert organisation.email_domain == "atacama.example.org"
    membership = Membership.objects.select_related("user").get(organisation=organisation)
    contact = membership.user
    assert membership.role == Membership.Role.ADMIN
    assert (contact.email, contact.full_name, contact.position, contact.language) == (
        "camila@atacama.example.org",
        "Camila Rojas",
        "Head of instruments",
        "es",
    )
    assert not contact.has_usable_password()
    registration.refresh_from_db()
    assert registration.status == S.APPROVED
    assert registration.organisation == organisation
    assert registration.decided_by == programme_admin and registration.decided_at is not None

    approved = last_event("registration.approved")
    assert (approved.actor, approved.from_state, approved.to_state) == (programme_admin, "pending_review", "approved")
    assert approved.organisation == organisation
    created = last_event("organisation.created")
    assert created.actor == programme_admin and created.to_state == "active"
    assert created.data["partner_admin"] == "camila@atacama.example.org"

    [email] = emails_to("camila@atacama.example.org")
    assert "Atacama Lunar Lab" in email.subject
    assert "Atacama Lunar Lab is now a partner" in email.body and "you are its partner admin" in email.body
    assert emailed_link(email, "/accounts/set-password/")


def test_approval_of_a_contact_who_already_has_an_account_asks_them_to_sign_in(programme_admin, committed):
    existing = UserFactory(email="camila@atacama.example.org", full_name="Camila R.", is_reviewer=True)
    registration = RegistrationFactory(contact_email="camila@atacama.example.org")

    with committed():
        organisation = services.approve_registration(registration=registration, by=programme_admin)

    existing.refresh_from_db()
    assert existing.membership.organisation == organisation and existing.membership.is_admin
    assert existing.is_reviewer, "the existing account keeps its other roles"
    [email] = emails_to("camila@atacama.example.org")
    assert "Sign in with your existing password" in email.body
    assert emailed_link(email, "/accounts/login/")
    assert "/set-password/" not in email.body


def test_approval_is_refused_when_the_contact_already_belongs_to_another_organisation(
    programme_admin, other_partner_admin, committed
):
    registration = RegistrationFactory(contact_email=other_partner_admin.email)
    organisations_before = Organisation.objects.count()

    with committed(), pytest.raises(DomainError, match="belongs to one organisation only"):
        services.approve_registration(registration=registration, by=programme_admin)

    registration.refresh_from_db()
    assert registration.status == S.PENDING_REVIEW
    assert Organisation.objects.count() == organisations_before
    assert mail.outbox == []


@pytest.mark.parametrize("status", [S.SUBMITTED, S.CHANGES_REQUESTED, S.APPROVED, S.REJECTED])
def test_only_an_application_pending_review_can_be_approved(status, programme_admin, committed):
    registration = registration_in(status)

    with committed(), pytest.raises(TransitionNotAllowed, match="Only an application pending review"):
        services.approve_registration(registration=registration, by=programme_admin)

    registration.refresh_from_db()
    assert registration.status == status
    assert not Organisation.objects.exists()
    assert mail.outbox == []


@pytest.mark.parametrize("status", [S.PENDING_REVIEW, S.CHANGES_REQUESTED])
def test_rejection_emails_the_contact_the_reason(status, programme_admin, committed):
    registration = registration_in(status, name="Atacama Lunar Lab", contact_email="camila@atacama.example.org")

    with committed():
        services.reject_registration(registration=registration, by=programme_admin, reason="  Outside the scope.  ")

    registration.refresh_from_db()
    assert registration.status == S.REJECTED
    assert registration.decision_reason == "Outside the scope."
    assert registration.decided_by == programme_admin
    [email] = mail.outbox
    assert email.to == ["camila@atacama.example.org"]
    assert email.subject == "Decision on the application of Atacama Lunar Lab"
    assert "has not been approved" in email.body and "Outside the scope." in email.body
    event = last_event("registration.rejected")
    assert (event.actor, event.from_state, event.to_state, event.reason) == (
        programme_admin,
        status,
        "rejected",
        "Outside the scope.",
    )
    assert not Organisation.objects.exists()


@pytest.mark.parametrize("status", [S.SUBMITTED, S.APPROVED, S.REJECTED])
def test_an_application_that_is_not_under_review_cannot_be_rejected(status, programme_admin):
    registration = registration_in(status)
    with pytest.raises(TransitionNotAllowed, match="Only an application under review"):
        services.reject_registration(registration=registration, by=programme_admin, reason="No")
    registration.refresh_from_db()
    assert registration.status == status


@pytest.mark.parametrize(
    "decide", [services.reject_registration, services.request_registration_changes], ids=["reject", "changes"]
)
@pytest.mark.parametrize("reason", ["", "   \n "])
def test_a_refusal_or_change_request_needs_a_reason(decide, reason, programme_admin, committed):
    registration = RegistrationFactory()
    with committed(), pytest.raises(DomainError, match="Please give a reason") as refused:
        decide(registration=registration, by=programme_admin, reason=reason)
    assert refused.value.field == "reason"
    registration.refresh_from_db()
    assert registration.status == S.PENDING_REVIEW
    assert mail.outbox == []


def test_requesting_changes_emails_the_reason_and_a_link_to_edit(programme_admin, committed):
    registration = RegistrationFactory(name="Atacama Lunar Lab", contact_email="camila@atacama.example.org")

    with committed():
        services.request_registration_changes(
            registration=registration, by=programme_admin, reason="Please add your website."
        )

    registration.refresh_from_db()
    assert registration.status == S.CHANGES_REQUESTED
    assert registration.decision_reason == "Please add your website."
    [email] = mail.outbox
    assert email.to == ["camila@atacama.example.org"]
    assert email.subject == "Changes requested to the application of Atacama Lunar Lab"
    assert "Please add your website." in email.body
    assert emailed_link(email, "/join/edit/")
    event = last_event("registration.changes_requested")
    assert (event.actor, event.from_state, event.to_state, event.reason) == (
        programme_admin,
        "pending_review",
        "changes_requested",
        "Please add your website.",
    )


@pytest.mark.parametrize("status", [S.SUBMITTED, S.CHANGES_REQUESTED, S.APPROVED, S.REJECTED])
def test_changes_can_be_requested_only_for_an_application_pending_review(status, programme_admin):
    registration = registration_in(status)
    with pytest.raises(TransitionNotAllowed, match="Changes can be requested only"):
        services.request_registration_changes(registration=registration, by=programme_admin, reason="More")
    registration.refresh_from_db()
    assert registration.status == status


def test_resubmission_applies_the_changes_and_returns_the_application_to_the_queue(programme_admin, committed):
    registration = RegistrationFactory(city="Chiang Mai", website="")
    services.request_registration_changes(registration=registration, by=programme_admin, reason="Website?")
    registration.refresh_from_db()
    queued_before = registration.queued_at

    with committed():
        services.resubmit_registration(
            registration=registration,
            data={"website": "https://observatory.example.org", "city": "Chiang Mai", "contact_position": "Director"},
        )

    registration.refresh_from_db()
    assert registration.status == S.PENDING_REVIEW
    assert registration.website == "https://observatory.example.org"
    assert registration.contact_position == "Director"
    assert registration.queued_at > queued_before
    event = last_event("registration.resubmitted")
    assert (event.actor, event.from_state, event.to_state) == (None, "changes_requested", "pending_review")
    assert sorted(event.data["changed"]) == ["contact_position", "website"]
    assert Notification.objects.filter(user=programme_admin, message__contains="resubmitted").exists()


@pytest.mark.parametrize("status", [S.SUBMITTED, S.PENDING_REVIEW, S.APPROVED, S.REJECTED])
def test_only_an_application_waiting_for_changes_can_be_resubmitted(status, db):
    registration = registration_in(status, city="Chiang Mai")
    with pytest.raises(TransitionNotAllowed, match="not waiting for changes"):
        services.resubmit_registration(registration=registration, data={"city": "Bangkok"})
    registration.refresh_from_db()
    assert (registration.status, registration.city) == (status, "Chiang Mai")


def test_the_whole_lifecycle_leaves_one_audit_row_per_transition(programme_admin):
    registration = services.submit_registration(data=APPLICATION, language="en")
    services.verify_registration_email(registration=registration)
    services.request_registration_changes(registration=registration, by=programme_admin, reason="Website")
    services.resubmit_registration(registration=registration, data={"website": "https://new.example.org"})
    services.approve_registration(registration=registration, by=programme_admin)

    assert audit_trail(registration) == [
        ("registration.submitted", "", "submitted"),
        ("registration.email_verified", "submitted", "pending_review"),
        ("registration.changes_requested", "pending_review", "changes_requested"),
        ("registration.resubmitted", "changes_requested", "pending_review"),
        ("registration.approved", "pending_review", "approved"),
    ]


@pytest.mark.parametrize("who", ["partner_admin", "reviewer", "partner_member"])
def test_only_programme_administrators_decide_on_applications(who, request, committed):
    person = request.getfixturevalue(who)
    registration = RegistrationFactory()
    decisions = [
        lambda: services.approve_registration(registration=registration, by=person),
        lambda: services.reject_registration(registration=registration, by=person, reason="No"),
        lambda: services.request_registration_changes(registration=registration, by=person, reason="More"),
    ]
    organisations_before = Organisation.objects.count()
    for decide in decisions:
        with committed(), pytest.raises(NotAllowed):
            decide()
    registration.refresh_from_db()
    assert registration.status == S.PENDING_REVIEW
    assert Organisation.objects.count() == organisations_before
    assert not AuditEvent.objects.filter(action__startswith="registration.").exists()
    assert mail.outbox == []


# Duplicates ----------------------------------------------------------------------------------


def flags_of(registration):
    [flagged] = attach_duplicate_flags([registration])
    return [(reason, name) for reason, name, _pk in flagged.duplicate_flags]


def test_an_application_with_a_partners_name_and_country_is_flagged(db):
    partner = OrganisationFactory(name="Chiang Mai Observatory", country="TH")
    registration = RegistrationFactory(name="chiang mai observatory", country="TH")
    [flag] = attach_duplicate_flags([registration])[0].duplicate_flags
    assert flag == ("name", "Chiang Mai Observatory", partner.pk)


def test_the_same_name_in_another_country_is_not_a_duplicate(db):
    OrganisationFactory(name="Chiang Mai Observatory", country="TH")
    assert flags_of(RegistrationFactory(name="Chiang Mai Observatory", country="LA")) == []


def test_an_application_from_a_partners_email_domain_is_flagged(db):
    OrganisationFactory(name="Chiang Mai Observatory", email_domain="cmo.example.org")
    registration = RegistrationFactory(name="Something Else", contact_email="someone@CMO.example.org")
    assert flags_of(registration) == [("domain", "Chiang Mai Observatory")]


def test_webmail_addresses_are_never_taken_for_an_organisations_domain(db):
    OrganisationFactory(name="Gmail Users Club", email_domain="")
    registration = RegistrationFactory(name="Independent Lab", contact_email="founder@gmail.com")
    assert registration.email_domain == ""
    assert flags_of(registration) == []


def test_two_open_applications_with_the_same_name_and_country_flag_each_other(db):
    first = RegistrationFactory(name="Mekong Space Lab", country="VN")
    second = RegistrationFactory(name="Mekong Space Lab", country="VN", status=S.SUBMITTED)
    rejected = RegistrationFactory(name="Mekong Space Lab", country="VN", status=S.REJECTED)
    flagged = {r.pk: r.duplicate_flags for r in attach_duplicate_flags([first, second])}
    assert [pk for _reason, _name, pk in flagged[first.pk]] == [second.pk]
    assert [pk for _reason, _name, pk in flagged[second.pk]] == [first.pk]
    assert rejected.pk not in {pk for flags in flagged.values() for _r, _n, pk in flags}


def test_an_approved_application_is_not_flagged_as_a_duplicate_of_its_own_organisation(programme_admin):
    registration = RegistrationFactory(name="Atacama Lunar Lab", country="CL", contact_email="c@atacama.example.org")
    services.approve_registration(registration=registration, by=programme_admin)
    registration.refresh_from_db()
    assert flags_of(registration) == []


def test_an_unrelated_application_is_not_flagged(db):
    MembershipFactory(organisation__name="Chiang Mai Observatory", organisation__email_domain="cmo.example.org")
    assert flags_of(RegistrationFactory(name="Andes Lunar Group", contact_email="ana@andes.example.org")) == []
