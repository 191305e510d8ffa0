"""Joining in Chromium, in English and in another working language: an organisation applies and is approved, and
a partner admin brings in a colleague."""

import pytest
from playwright.sync_api import expect

from partners.models import Invitation, Membership, Registration
from portal.accounts.models import User
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

from .steps import (
    choose_language,
    email_to,
    emailed_link,
    expect_language,
    expect_message,
    expect_portal_home,
    label,
    sign_in,
    text,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ORGANISATION = "Atacama Lunar Lab"
CONTACT = "camila@atacama.example.org"


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_organisation_applies_confirms_is_approved_and_its_contact_signs_in(
    browser_page, new_browser_page, live_server, lang
):
    page, base = browser_page, live_server.url
    admin = UserFactory(email="admin@programme.example.org", is_programme_admin=True, language=lang)

    page.goto(f"{base}/")
    choose_language(page, lang)
    join = page.locator("header nav a[href='/join/']")
    expect(join).to_have_text(text(lang, "Join the ILRS"))
    join.click()
    expect(page.locator("h1")).to_have_text(text(lang, "Apply to join the ILRS programme"))
    page.fill("#id_name", ORGANISATION)
    page.select_option("#id_kind", "research_institute")
    page.select_option("#id_country", "CL")
    page.fill("#id_city", "Antofagasta")
    page.fill("#id_website", "atacama-lunar.example.org")
    page.fill("#id_description", "Lunar dust simulants and regolith handling.")
    page.check("input[name=areas][value=payloads]")
    page.check("input[name=areas][value=data_sharing]")
    page.check("input[name=cooperation_levels][value=equipment]")
    page.fill("#id_contact_name", "Camila Rojas")
    page.fill("#id_contact_position", "Director")
    page.fill("#id_contact_email", CONTACT)
    page.check("#id_accept_terms")
    page.click("form:has(#id_contact_email) button[type=submit]")

    page.wait_for_url(f"{base}/join/sent/")
    expect_language(page, lang)
    expect(page.locator("h1")).to_have_text(text(lang, "Check your email"))
    registration = Registration.objects.get(contact_email=CONTACT)
    assert (registration.status, registration.language) == (Registration.Status.SUBMITTED, lang)
    verification = email_to(
        CONTACT, subject=text(lang, "Confirm your email address to apply for %(name)s", name=ORGANISATION)
    )
    assert text(lang, "If you did not apply, ignore this message: nothing will happen.") in verification.body

    page.goto(emailed_link(verification, "/join/verify/", base=base))
    expect_language(page, lang)
    expect(page.locator("h1")).to_have_text(text(lang, "Confirm your email address"))
    page.click("button[data-action=confirm-email]")
    expect(page.locator("h1")).to_have_text(text(lang, "Thank you — your application is in the review queue"))
    registration.refresh_from_db()
    assert registration.status == Registration.Status.PENDING_REVIEW
    email_to(CONTACT, subject=text(lang, "Application of %(name)s received", name=ORGANISATION))

    admin_page = new_browser_page()
    sign_in(admin_page, base, admin.email)
    expect_portal_home(admin_page, lang, admin)
    expect(admin_page.locator("header .badge")).to_have_text("1")
    admin_page.click("header nav a[href='/manage/registrations/']")
    expect(admin_page.locator("h1")).to_have_text(text(lang, "Applications to join"))
    admin_page.click(f"tr:has-text('{ORGANISATION}') a[href='/manage/registrations/{registration.pk}/']")
    expect(admin_page.locator("main")).to_contain_text(f"{CONTACT} ✓ {text(lang, 'confirmed')}")
    admin_page.click("form:has(input[name=action][value=approve]) button[type=submit]")
    expect_message(
        admin_page,
        text(lang, "Approved: %(name)s is now a partner, and its contact has been emailed.", name=ORGANISATION),
    )
    expect(admin_page.locator("h1 .status")).to_have_text(label(lang, Registration.Status.APPROVED))
    registration.refresh_from_db()
    assert registration.status == Registration.Status.APPROVED and registration.decided_by == admin

    # Back in the applicant's browser, which keeps the language chosen at the start.
    welcome = email_to(
        CONTACT, subject=text(lang, "Welcome to the ILRS programme: %(name)s is approved", name=ORGANISATION)
    )
    assert text(lang, "Choose your password with this link (valid for seven days, usable once):") in welcome.body
    page.goto(emailed_link(welcome, "/set-password/", base=base))
    expect_language(page, lang)
    expect(page.locator("h1")).to_have_text(text(lang, "Choose a password"))
    page.fill("#id_new_password1", "Atacama-Moon-2026")
    page.fill("#id_new_password2", "Atacama-Moon-2026")
    page.click("form:has(#id_new_password1) button[type=submit]")
    # Choosing the password signs the person in and brings them to their home page.
    page.wait_for_url(f"{base}/accounts/")
    expect_portal_home(page, lang, User.objects.get(email=CONTACT))
    page.click("header nav a[href='/organisation/']")

    expect(page.locator("h1")).to_have_text(ORGANISATION)
    members = page.locator("main table").first
    expect(members.locator("tr", has_text="Camila Rojas")).to_contain_text(label(lang, Membership.Role.ADMIN))
    membership = Membership.objects.select_related("user", "organisation").get(user__email=CONTACT)
    assert membership.role == Membership.Role.ADMIN and membership.organisation.name == ORGANISATION
    assert membership.user.language == lang and membership.user.has_usable_password()


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_partner_admin_invites_a_colleague_who_sets_a_password_and_becomes_a_member(
    browser_page, new_browser_page, live_server, lang
):
    page, base = browser_page, live_server.url
    organisation = OrganisationFactory(name="Baikonur Regolith Works", country="KZ")
    partner_admin = MembershipFactory(
        organisation=organisation,
        role=Membership.Role.ADMIN,
        user__email="aigerim@baikonur.example.org",
        user__full_name="Aigerim Nurlanovna",
        user__language=lang,
    ).user
    colleague = "timur@baikonur.example.org"

    sign_in(page, base, partner_admin.email)
    expect_portal_home(page, lang, partner_admin)
    page.click("header nav a[href='/organisation/']")
    expect(page.locator("h1")).to_have_text(organisation.name)
    expect(page.locator("main h2", has_text=text(lang, "Invite a colleague"))).to_be_visible()
    invite = page.locator(f"form[action='/organisations/{organisation.pk}/invite/']")
    invite.locator("input[name=email]").fill(colleague)
    invite.locator("button[type=submit]").click()
    expect_message(page, text(lang, "Invitation sent to %(email)s.", email=colleague))
    expect(page.locator("main tr", has_text=colleague)).to_be_visible()
    invitation = Invitation.objects.get(email=colleague)
    assert invitation.status == Invitation.Status.PENDING and invitation.invited_by == partner_admin

    message = email_to(
        colleague, subject=text(lang, "Join %(name)s in the ILRS Partner Portal", name=organisation.name)
    )
    assert text(lang, "Accept with this link (valid for seven days, usable once):") in message.body

    # The colleague, in a browser of their own, opens the link and picks the language on that first page.
    colleague_page = new_browser_page()
    colleague_page.goto(emailed_link(message, "/invitations/accept/", base=base))
    choose_language(colleague_page, lang)
    expect(colleague_page.locator("h1")).to_have_text(
        text(lang, "Join %(name)s in the ILRS Partner Portal", name=organisation.name)
    )
    colleague_page.fill("#id_full_name", "Timur Seitkali")
    colleague_page.fill("#id_password1", "Steppe-Lander-2027")
    colleague_page.fill("#id_password2", "Steppe-Lander-2027")
    colleague_page.click("form:has(#id_full_name) button[type=submit]")

    colleague_page.wait_for_url(f"{base}/organisation/")
    expect_language(colleague_page, lang)
    expect_message(colleague_page, text(lang, "Welcome to %(organisation)s.", organisation=organisation.name))
    expect_language(colleague_page, lang)
    expect(colleague_page.locator("h1")).to_have_text(organisation.name)
    expect(colleague_page.locator("main tr", has_text="Timur Seitkali")).to_contain_text(
        label(lang, Membership.Role.MEMBER)
    )

    invitation.refresh_from_db()
    membership = Membership.objects.select_related("user").get(user__email=colleague)
    assert invitation.status == Invitation.Status.ACCEPTED and invitation.accepted_by == membership.user
    assert membership.organisation == organisation and membership.role == Membership.Role.MEMBER
    assert membership.user.full_name == "Timur Seitkali" and membership.user.language == lang
