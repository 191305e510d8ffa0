"""Applying, confirming, editing and deciding through the pages, following the links in the emails."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from partners import services, tokens
from partners.models import Membership, Organisation, Registration
from portal.audit.models import AuditEvent
from tests.factories import OrganisationFactory, RegistrationFactory
from tests.helpers import sign_in

from .support import JOIN_FORM, emailed_link, emails_to, page_text

S = Registration.Status
CONTACT = JOIN_FORM["contact_email"]


def apply(client, committed, **changes):
    with committed():
        return client.post(reverse("partners:join"), {**JOIN_FORM, **changes})


def request_changes(registration, admin, committed, reason="Please add your website."):
    with committed():
        services.request_registration_changes(registration=registration, by=admin, reason=reason)
    return emailed_link(emails_to(registration.contact_email)[-1], "/join/edit/")


def edit_form_data(client, path, **changes):
    """What the edit form posts back as shown, with `changes` typed over it."""
    form = client.get(path).context["form"]
    data = {name: form[name].value() for name in form.fields if form[name].value() not in (None, "")}
    return {**data, **changes}


# Applying ------------------------------------------------------------------------------------


def test_the_join_form_sends_the_application_and_says_where_the_link_went(client, db, committed):
    response = apply(client, committed)

    assert response.status_code == 302 and response.url == reverse("partners:join_done")
    registration = Registration.objects.get()
    assert (registration.name, registration.status, registration.contact_email) == (
        "Lunar Geology Centre",
        S.SUBMITTED,
        CONTACT,
    )
    assert sorted(registration.areas) == ["payloads", "scientific_objectives"]
    assert CONTACT in page_text(client.get(response.url))
    [email] = mail.outbox
    assert email.to == [CONTACT]
    assert email.subject == "Confirm your email address to apply for Lunar Geology Centre"


def test_the_join_form_with_a_missing_field_shows_back_everything_typed(client, db, committed):
    response = apply(client, committed, contact_name="")

    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == ["contact_name"]
    assert 'id="id_contact_name_error"><li>This field is required.' in page_text(response)
    content = page_text(response)
    assert "everything you typed is kept" in content
    for typed in ("Lunar Geology Centre", "Kituo cha Jiolojia ya Mwezi", "Nairobi", "https://lgc.example.org"):
        assert f'value="{typed}"' in content
    assert "Regolith studies in the highlands." in content
    assert 'value="Director"' in content and f'value="{CONTACT}"' in content
    assert '<option value="KE" selected>' in content
    assert '<option value="research_institute" selected>' in content
    assert 'value="scientific_objectives" id="id_areas_0" checked' in content
    assert 'value="payloads" id="id_areas_2" checked' in content
    assert 'value="equipment" id="id_cooperation_levels_3" checked' in content
    assert 'value="engineering" id="id_areas_1" checked' not in content
    assert 'name="accept_terms" required id="id_accept_terms" checked' in content
    assert not Registration.objects.exists()
    assert mail.outbox == []


def test_the_join_form_requires_accepting_the_terms(client, db, committed):
    response = apply(client, committed, accept_terms="")
    assert "Please accept the terms to apply." in page_text(response)
    assert not Registration.objects.exists()


@pytest.mark.parametrize(
    ("kind", "country", "message"),
    [
        ("international_organisation", "KE", "An international organisation has no single country"),
        ("university", "", "Choose the organisation&#x27;s country."),
    ],
)
def test_the_join_form_checks_the_country_against_the_kind(kind, country, message, client, db, committed):
    response = apply(client, committed, kind=kind, country=country)
    assert response.status_code == 200
    assert message in page_text(response)
    assert not Registration.objects.exists()


def test_an_international_organisation_applies_without_a_country(client, db, committed):
    apply(client, committed, kind="international_organisation", country="")
    assert Registration.objects.get().country == ""


# Confirming the address ----------------------------------------------------------------------


def test_opening_the_verification_link_asks_for_a_click_and_does_not_verify_by_itself(client, db, committed):
    apply(client, committed)
    link = emailed_link(mail.outbox[0], "/join/verify/")

    response = client.get(link)

    assert response.status_code == 200
    assert "Confirm and send the application for review" in page_text(response)
    assert Registration.objects.get().status == S.SUBMITTED, "a mail scanner following the link must not verify"


def test_confirming_the_address_sends_the_application_to_review(client, programme_admin, committed):
    apply(client, committed)
    link = emailed_link(mail.outbox[0], "/join/verify/")

    with committed():
        response = client.post(link)

    assert "your application is in the review queue" in page_text(response)
    assert Registration.objects.get().status == S.PENDING_REVIEW
    assert emails_to(CONTACT)[-1].subject == "Application of Lunar Geology Centre received"


def test_confirming_twice_says_the_address_is_already_verified(client, db, committed):
    apply(client, committed)
    link = emailed_link(mail.outbox[0], "/join/verify/")
    client.post(link)

    again = client.post(link)

    assert again.status_code == 200
    assert "already been verified" in page_text(again)
    reopened = client.get(link)
    assert reopened.status_code == 200 and "already been verified" in page_text(reopened)
    assert 'role="alert"' not in reopened.content.decode() and "data-action" not in reopened.content.decode()
    assert AuditEvent.objects.filter(action="registration.email_verified").count() == 1


def test_a_tampered_verification_link_shows_the_link_invalid_page(client, db, committed):
    apply(client, committed)
    link = emailed_link(mail.outbox[0], "/join/verify/")
    tampered = link[:-3] + ("A" if link[-3] != "A" else "B") + link[-2:]

    response = client.post(tampered)

    assert response.status_code == 400
    assert "This link is not valid" in page_text(response)
    assert Registration.objects.get().status == S.SUBMITTED


def test_an_edit_link_cannot_be_used_to_verify(client, db):
    registration = RegistrationFactory(status=S.SUBMITTED, email_verified_at=None, queued_at=None)
    forged = reverse("partners:verify_email", args=[tokens.edit_token(registration)])
    assert client.post(forged).status_code == 400
    registration.refresh_from_db()
    assert registration.status == S.SUBMITTED


def test_a_verification_link_works_for_seven_days_only(client, db, committed, clock):
    apply(client, committed)
    apply(client, committed, name="Second Centre", contact_email="second@lgc2.example.org")
    first, second = (emailed_link(message, "/join/verify/") for message in mail.outbox)

    clock(days=6, hours=23)
    assert "review queue" in page_text(client.post(first))
    clock(hours=2)
    late = client.post(second)

    assert late.status_code == 400 and "This link is not valid" in page_text(late)
    assert Registration.objects.get(name="Second Centre").status == S.SUBMITTED


# Editing after a change request --------------------------------------------------------------


def test_the_edit_link_shows_the_request_and_the_application_as_sent(client, programme_admin, committed):
    registration = RegistrationFactory(name="Chiang Mai Observatory", city="Chiang Mai")
    link = request_changes(registration, programme_admin, committed, reason="Please add your website.")

    response = client.get(link)

    content = page_text(response)
    assert "Please add your website." in content
    assert 'value="Chiang Mai Observatory"' in content and 'value="Chiang Mai"' in content
    assert registration.contact_email in content


def test_the_applicant_edits_and_resubmits_through_the_emailed_link(client, programme_admin, committed):
    registration = RegistrationFactory(city="Chiang Mai", website="")
    link = request_changes(registration, programme_admin, committed)

    response = client.post(link, edit_form_data(client, link, website="https://observatory.example.org"))

    assert response.status_code == 200
    assert "back in the review queue" in page_text(response)
    registration.refresh_from_db()
    assert registration.status == S.PENDING_REVIEW
    assert registration.website == "https://observatory.example.org"
    assert registration.city == "Chiang Mai"


def test_an_edit_link_is_closed_once_the_application_was_resubmitted(client, programme_admin, committed):
    registration = RegistrationFactory(city="Chiang Mai")
    link = request_changes(registration, programme_admin, committed)
    data = edit_form_data(client, link, city="Lampang")
    client.post(link, data)

    again = client.post(link, {**data, "city": "Bangkok"})

    assert again.status_code == 400, "a dead link answers as every dead link does"
    assert "it is not waiting for changes" in page_text(again)
    registration.refresh_from_db()
    assert registration.city == "Lampang"
    assert AuditEvent.objects.filter(action="registration.resubmitted").count() == 1


def test_an_older_edit_link_stops_working_when_changes_are_requested_again(client, programme_admin, committed):
    registration = RegistrationFactory(city="Chiang Mai")
    first = request_changes(registration, programme_admin, committed, reason="First round")
    client.post(first, edit_form_data(client, first, city="Lampang"))
    second = request_changes(registration, programme_admin, committed, reason="Second round")

    assert first != second
    old = client.get(first)
    assert old.status_code == 400 and "This link is not valid" in page_text(old)
    assert "Second round" in page_text(client.get(second))


def test_an_edit_link_stops_working_once_the_application_is_rejected(client, programme_admin, committed):
    registration = RegistrationFactory()
    link = request_changes(registration, programme_admin, committed)
    services.reject_registration(registration=registration, by=programme_admin, reason="Too late")

    response = client.get(link)

    assert response.status_code == 400
    assert "This link is not valid" in page_text(response)


def test_a_tampered_or_expired_edit_link_shows_the_link_invalid_page(client, programme_admin, committed, clock):
    registration = RegistrationFactory()
    link = request_changes(registration, programme_admin, committed)

    assert client.get(link.replace("/join/edit/", "/join/edit/x")).status_code == 400
    clock(days=31)
    expired = client.get(link)

    assert expired.status_code == 400 and "This link is not valid" in page_text(expired)


def test_the_edit_form_with_an_error_keeps_what_was_typed(client, programme_admin, committed):
    registration = RegistrationFactory(city="Chiang Mai")
    link = request_changes(registration, programme_admin, committed)

    response = client.post(
        link, edit_form_data(client, link, name="", city="Lampang", description="Now with a telescope.")
    )

    assert response.context["form"].errors.keys() == {"name"}
    content = page_text(response)
    assert 'value="Lampang"' in content and "Now with a telescope." in content
    registration.refresh_from_db()
    assert (registration.status, registration.city) == (S.CHANGES_REQUESTED, "Chiang Mai")


# The whole way to a partner ------------------------------------------------------------------


def test_from_application_to_a_partner_admin_who_has_chosen_a_password(client, programme_admin, committed):
    apply(client, committed)
    with committed():
        client.post(emailed_link(mail.outbox[0], "/join/verify/"))
    registration = Registration.objects.get()

    client.force_login(programme_admin)
    with committed():
        response = client.post(
            reverse("partners:registration_detail", args=[registration.pk]), {"action": "approve"}, follow=True
        )
    assert "is now a partner" in page_text(response)
    client.logout()

    organisation = Organisation.objects.get(name="Lunar Geology Centre")
    assert Membership.objects.get(user__email=CONTACT).role == Membership.Role.ADMIN
    approved = emails_to(CONTACT)[-1]
    assert approved.subject == "Welcome to the ILRS programme: Lunar Geology Centre is approved"
    assert "Dear Wanjiru Kamau" in approved.body and f"Your sign-in is your email address, {CONTACT}" in approved.body
    set_password = emailed_link(approved, "/accounts/set-password/")

    form_page = client.get(set_password, follow=True)
    assert form_page.status_code == 200 and form_page.context["validlink"]
    response = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": "Regolith-2026-ok", "new_password2": "Regolith-2026-ok"}
    )
    assert response.status_code == 302

    assert sign_in(client, CONTACT, "Regolith-2026-ok")
    page = client.get(reverse("partners:my_organisation"))
    assert page.context["organisation"] == organisation
    assert "Invite a colleague" in page_text(page)

    client.logout()
    reused = client.get(set_password, follow=True)
    assert reused.status_code == 400, "the set-password link works once"
    assert "This link is not valid" in page_text(reused)


# The administrators' queue -------------------------------------------------------------------


def queue(client, **params):
    return client.get(reverse("partners:registration_queue"), params)


def names_on(response):
    return {registration.name for registration in response.context["page"].object_list}


def test_the_queue_shows_applications_pending_review_by_default(client, programme_admin):
    for status in S.values:
        RegistrationFactory(name=f"Applicant {status}", status=status)
    client.force_login(programme_admin)

    assert names_on(queue(client)) == {"Applicant pending_review"}
    assert names_on(queue(client, status="rejected")) == {"Applicant rejected"}
    assert names_on(queue(client, status="")) == {f"Applicant {status}" for status in S.values}


def test_the_queue_lists_the_longest_waiting_first_with_contact_and_status(client, programme_admin):
    now = timezone.now()
    RegistrationFactory(name="Newer Lab", queued_at=now - timedelta(hours=1))
    RegistrationFactory(name="Older Lab", queued_at=now - timedelta(days=3), contact_email="old@older.example.org")
    client.force_login(programme_admin)

    response = queue(client)

    assert [r.name for r in response.context["page"].object_list] == ["Older Lab", "Newer Lab"]
    content = page_text(response)
    assert "old@older.example.org" in content and "Pending review" in content


def test_the_queue_searches_names_contacts_and_cities(client, programme_admin):
    RegistrationFactory(name="Alpha Space Lab", city="Cairo", contact_email="a@alpha.example.org")
    RegistrationFactory(name="Beta Rocketry", city="Lahore", contact_email="b@beta.example.org")
    client.force_login(programme_admin)

    assert names_on(queue(client, q="alpha space")) == {"Alpha Space Lab"}
    assert names_on(queue(client, q="b@beta")) == {"Beta Rocketry"}
    assert names_on(queue(client, q="lahore")) == {"Beta Rocketry"}
    empty = queue(client, q="nothing like this")
    assert names_on(empty) == set() and "No application matches these filters" in page_text(empty)


def test_the_queue_filters_by_country_and_kind(client, programme_admin):
    RegistrationFactory(name="Cairo University", country="EG", kind="university")
    RegistrationFactory(name="Cairo Institute", country="EG", kind="research_institute")
    RegistrationFactory(name="Lahore University", country="PK", kind="university")
    client.force_login(programme_admin)

    assert names_on(queue(client, country="EG")) == {"Cairo University", "Cairo Institute"}
    assert names_on(queue(client, country="EG", kind="university")) == {"Cairo University"}


def test_the_queue_is_paginated(client, programme_admin):
    now = timezone.now()
    for n in range(30):
        RegistrationFactory(name=f"Lab {n:02}", queued_at=now - timedelta(minutes=60 - n))
    client.force_login(programme_admin)

    first, second = queue(client), queue(client, page=2)

    assert len(first.context["page"].object_list) == 25 and "Page 1 of 2" in page_text(first)
    assert names_on(second) == {f"Lab {n}" for n in range(25, 30)}
    assert "30 in all" in page_text(second)


def test_the_queue_shows_possible_duplicates(client, programme_admin):
    OrganisationFactory(name="Chiang Mai Observatory", country="TH", email_domain="cmo.example.org")
    OrganisationFactory(name="Andes Lunar Group", country="BO", email_domain="andes.example.org")
    RegistrationFactory(name="Chiang Mai Observatory", country="TH", contact_email="x@other.example.org")
    RegistrationFactory(name="Bolivian Lunar Society", country="BO", contact_email="y@andes.example.org")
    RegistrationFactory(name="Unrelated Lab", country="BO", contact_email="z@unrelated.example.org")
    client.force_login(programme_admin)

    content = page_text(queue(client))

    assert "Same name and country as partner Chiang Mai Observatory" in content
    assert "Same email domain as partner Andes Lunar Group" in content
    assert content.count('class="flag"') == 2


# Deciding on an application page -------------------------------------------------------------


def detail(registration):
    return reverse("partners:registration_detail", args=[registration.pk])


def test_the_application_page_shows_contact_duplicates_and_history(client, programme_admin):
    OrganisationFactory(name="Chiang Mai Observatory", country="TH")
    registration = RegistrationFactory(
        name="Chiang Mai Observatory", country="TH", contact_name="Somchai Dee", contact_email="s@cmo2.example.org"
    )
    services.request_registration_changes(registration=registration, by=programme_admin, reason="Which city?")
    services.resubmit_registration(registration=registration, data={"city": "Lampang"})
    client.force_login(programme_admin)

    content = page_text(client.get(detail(registration)))

    assert "Somchai Dee" in content and "s@cmo2.example.org" in content
    assert "Same name and country as partner Chiang Mai Observatory" in content
    assert "Changes requested" in content and "Which city?" in content
    assert "Application sent again" in content and "admin@programme.example.org" in content


def test_an_administrator_rejects_with_a_reason_from_the_application_page(client, programme_admin, committed):
    registration = RegistrationFactory(contact_email="c@lab.example.org", name="Lab of Doubt")
    client.force_login(programme_admin)

    with committed():
        response = client.post(detail(registration), {"action": "reject", "reason": "Not a space organisation."})

    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.status == S.REJECTED
    [email] = emails_to("c@lab.example.org")
    assert email.subject == "Decision on the application of Lab of Doubt"
    assert "Not a space organisation." in email.body
    page = page_text(client.get(detail(registration)))
    assert "Not a space organisation." in page
    assert 'value="approve"' not in page, "a decided application offers no more decisions"


def test_an_administrator_requests_changes_from_the_application_page(client, programme_admin, committed):
    registration = RegistrationFactory(contact_email="c@lab.example.org")
    client.force_login(programme_admin)

    with committed():
        client.post(detail(registration), {"action": "request_changes", "reason": "Add the website."})

    registration.refresh_from_db()
    assert registration.status == S.CHANGES_REQUESTED
    assert "Add the website." in emails_to("c@lab.example.org")[0].body


@pytest.mark.parametrize("action", ["reject", "request_changes"])
def test_a_decision_without_a_reason_is_refused_on_the_page(action, client, programme_admin, committed):
    registration = RegistrationFactory()
    client.force_login(programme_admin)

    with committed():
        response = client.post(detail(registration), {"action": action, "reason": "  "})

    assert response.status_code == 200
    assert "Please give a reason." in page_text(response)
    registration.refresh_from_db()
    assert registration.status == S.PENDING_REVIEW
    assert mail.outbox == []


def test_approving_a_rejected_application_is_refused_with_a_message(client, programme_admin):
    registration = RegistrationFactory(status=S.REJECTED)
    client.force_login(programme_admin)

    response = client.post(detail(registration), {"action": "approve"})

    assert response.status_code == 200
    assert "Only an application pending review can be approved" in page_text(response)
    registration.refresh_from_db()
    assert registration.status == S.REJECTED
    assert not Organisation.objects.exists()


# Closed to everyone else ---------------------------------------------------------------------


@pytest.mark.parametrize("name", ["registration_queue", "registration_detail"])
def test_anonymous_visitors_are_sent_to_sign_in_for_the_applications(name, client, db):
    registration = RegistrationFactory(contact_email="secret.contact@lab.example.org")
    url = reverse(f"partners:{name}", **({"args": [registration.pk]} if name == "registration_detail" else {}))

    response = client.get(url)

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


@pytest.mark.parametrize("who", ["partner_admin", "partner_member", "reviewer"])
def test_applications_are_refused_to_everyone_but_programme_administrators(who, request, client, db):
    registration = RegistrationFactory(contact_email="secret.contact@lab.example.org")
    client.force_login(request.getfixturevalue(who))

    for url in (reverse("partners:registration_queue"), detail(registration)):
        response = client.get(url)
        assert response.status_code in (403, 404), url
        assert b"secret.contact@lab.example.org" not in response.content

    client.post(detail(registration), {"action": "approve"})
    registration.refresh_from_db()
    assert registration.status == S.PENDING_REVIEW
