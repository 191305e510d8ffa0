import pytest
from django.urls import reverse

from partners import services
from partners.models import Membership, Organisation, Registration
from portal.audit.models import AuditEvent
from portal.errors import DomainError, TransitionNotAllowed
from tests.factories import OrganisationFactory, RegistrationFactory
from tests.helpers import last_email_to, links_in, path_of, sign_in

JOIN_FORM = {
    "name": "Lunar Geology Centre",
    "native_name": "",
    "kind": "research_institute",
    "country": "KE",
    "city": "Nairobi",
    "website": "https://lgc.example.org",
    "description": "Regolith studies.",
    "areas": ["payloads", "scientific_objectives"],
    "cooperation_levels": ["equipment"],
    "contact_name": "Wanjiru Kamau",
    "contact_position": "Director",
    "contact_email": "wanjiru@lgc.example.org",
    "accept_terms": "on",
}


def test_applicant_verifies_email_then_admin_approves_and_contact_sets_password(
    client, programme_admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("partners:join"), JOIN_FORM)
    assert response.status_code == 302
    registration = Registration.objects.get(contact_email="wanjiru@lgc.example.org")
    assert registration.status == Registration.Status.SUBMITTED

    verify = last_email_to("wanjiru@lgc.example.org")
    [link] = [url for url in links_in(verify) if "/join/verify/" in url]
    assert client.get(path_of(link)).status_code == 200
    registration.refresh_from_db()
    assert registration.status == Registration.Status.SUBMITTED, "a GET (mail scanner) must not verify"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(path_of(link))
    registration.refresh_from_db()
    assert registration.status == Registration.Status.PENDING_REVIEW

    client.force_login(programme_admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("partners:registration_detail", args=[registration.pk]), {"action": "approve"})
    registration.refresh_from_db()
    assert registration.status == Registration.Status.APPROVED
    organisation = Organisation.objects.get(name="Lunar Geology Centre")
    assert organisation.status == Organisation.Status.ACTIVE
    membership = Membership.objects.get(user__email="wanjiru@lgc.example.org")
    assert membership.organisation == organisation and membership.role == Membership.Role.ADMIN

    approved = last_email_to("wanjiru@lgc.example.org")
    assert "Lunar Geology Centre" in approved.body
    [set_password] = [url for url in links_in(approved) if "/set-password/" in url]
    client.logout()
    response = client.get(path_of(set_password), follow=True)
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else path_of(set_password)
    response = client.post(form_url, {"new_password1": "Regolith-2026-ok", "new_password2": "Regolith-2026-ok"})
    assert response.status_code == 302
    assert sign_in(client, "wanjiru@lgc.example.org", "Regolith-2026-ok")
    assert client.get(reverse("partners:my_organisation")).context["organisation"] == organisation


def test_join_form_with_an_error_keeps_everything_typed(client, db):
    response = client.post(reverse("partners:join"), {**JOIN_FORM, "accept_terms": ""})
    assert response.status_code == 200
    content = response.content.decode()
    assert "Please accept the terms to apply." in content
    assert "Lunar Geology Centre" in content and "wanjiru@lgc.example.org" in content and "Regolith studies." in content
    assert not Registration.objects.exists()


def test_verification_link_is_single_use_and_tampering_is_refused(client, db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("partners:join"), JOIN_FORM)
    [link] = [url for url in links_in(last_email_to("wanjiru@lgc.example.org")) if "/join/verify/" in url]
    client.post(path_of(link))
    again = client.post(path_of(link))
    assert "already" in again.content.decode().lower()
    assert client.get(path_of(link)[:-3] + "xx/").status_code == 400


def test_reject_emails_the_reason_and_cannot_then_be_approved(programme_admin, django_capture_on_commit_callbacks):
    registration = RegistrationFactory(contact_email="c@lab.example.org")
    with django_capture_on_commit_callbacks(execute=True):
        services.reject_registration(
            registration=registration, by=programme_admin, reason="Outside the programme scope"
        )
    assert "Outside the programme scope" in last_email_to("c@lab.example.org").body
    with pytest.raises(TransitionNotAllowed):
        services.approve_registration(registration=registration, by=programme_admin)
    event = AuditEvent.objects.get(action__contains="reject")
    assert (event.from_state, event.to_state, event.actor) == ("pending_review", "rejected", programme_admin)
    assert event.reason == "Outside the programme scope"


def test_changes_requested_then_applicant_edits_and_resubmits(
    client, programme_admin, django_capture_on_commit_callbacks
):
    registration = RegistrationFactory(contact_email="c@lab.example.org", city="Chiang Mai")
    with django_capture_on_commit_callbacks(execute=True):
        services.request_registration_changes(registration=registration, by=programme_admin, reason="Add a website")
    email = last_email_to("c@lab.example.org")
    assert "Add a website" in email.body
    [edit] = [url for url in links_in(email) if "/join/edit/" in url]
    form = client.get(path_of(edit)).context["form"]
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.update(
        website="https://lab.example.org", areas=registration.areas, cooperation_levels=registration.cooperation_levels
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(path_of(edit), data)
    assert response.status_code == 200, response.context["form"].errors if response.context else ""
    registration.refresh_from_db()
    assert registration.status == Registration.Status.PENDING_REVIEW
    assert registration.website == "https://lab.example.org"
    closed = client.get(path_of(edit))
    assert "registration_edit_closed" in [t.name.split("/")[-1].split(".")[0] for t in closed.templates]


def test_duplicates_are_flagged_for_the_administrator(client, programme_admin):
    OrganisationFactory(name="Chiang Mai Observatory", country="TH", email_domain="cmo.example.org")
    RegistrationFactory(name="Chiang Mai Observatory", country="TH", contact_email="x@other.example.org")
    RegistrationFactory(name="Something else", country="TH", contact_email="y@cmo.example.org")
    client.force_login(programme_admin)
    content = client.get(reverse("partners:registration_queue")).content.decode()
    assert content.count('class="flag') >= 2


def test_suspended_organisation_is_emailed_and_reinstated_with_reasons(
    programme_admin, partner_admin, organisation, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.suspend_organisation(organisation=organisation, by=programme_admin, reason="Unpaid dues")
    organisation.refresh_from_db()
    assert organisation.status == Organisation.Status.SUSPENDED
    assert "Unpaid dues" in last_email_to(partner_admin.email).body
    with pytest.raises(TransitionNotAllowed):
        services.suspend_organisation(organisation=organisation, by=programme_admin, reason="again")
    with pytest.raises(DomainError):
        services.reinstate_organisation(organisation=organisation, by=programme_admin, reason="")
    services.reinstate_organisation(organisation=organisation, by=programme_admin, reason="Settled")
    organisation.refresh_from_db()
    assert organisation.status == Organisation.Status.ACTIVE
    assert list(
        AuditEvent.objects.filter(object_id=str(organisation.pk)).order_by("pk").values_list("to_state", flat=True)
    )[-2:] == ["suspended", "active"]


def test_members_of_a_suspended_organisation_can_still_sign_in_and_read(
    client, partner_member, organisation, programme_admin
):
    services.suspend_organisation(organisation=organisation, by=programme_admin, reason="Review")
    assert sign_in(client, partner_member.email, "correct-horse-battery-9")
    assert client.get(reverse("partners:my_organisation")).status_code == 200


@pytest.mark.parametrize("who", ["anonymous", "partner_admin"])
def test_admin_screens_are_closed_to_everyone_else(client, who, request, organisation):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    registration = RegistrationFactory()
    for url in [
        reverse("partners:registration_queue"),
        reverse("partners:registration_detail", args=[registration.pk]),
        reverse("partners:organisation_list"),
        reverse("partners:organisation_detail", args=[organisation.pk]),
    ]:
        response = client.get(url)
        assert response.status_code in (302, 404), url
        assert registration.contact_email.encode() not in response.content


def test_registration_queue_and_organisation_list_run_constant_queries(
    client, programme_admin, django_assert_max_num_queries
):
    client.force_login(programme_admin)
    for count in (10, 40):
        RegistrationFactory.create_batch(count)
        OrganisationFactory.create_batch(count)
        with django_assert_max_num_queries(12):
            assert client.get(reverse("partners:registration_queue")).status_code == 200
        with django_assert_max_num_queries(12):
            assert client.get(reverse("partners:organisation_list")).status_code == 200
        with django_assert_max_num_queries(8):
            assert client.get(reverse("partners:directory")).status_code == 200


def test_queue_filters_and_searches(client, programme_admin):
    RegistrationFactory(name="Alpha Space Lab", country="EG")
    RegistrationFactory(name="Beta Rocketry", country="PK")
    client.force_login(programme_admin)
    content = client.get(reverse("partners:registration_queue"), {"q": "alpha"}).content.decode()
    assert "Alpha Space Lab" in content and "Beta Rocketry" not in content
    content = client.get(reverse("partners:registration_queue"), {"country": "PK"}).content.decode()
    assert "Beta Rocketry" in content and "Alpha Space Lab" not in content
