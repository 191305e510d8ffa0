"""An organisation applies, confirms its address, is approved, and its contact signs in: all in Chromium."""

import pytest
from django.core import mail
from playwright.sync_api import expect

from partners.models import Membership, Registration
from tests.factories import PASSWORD, UserFactory
from tests.helpers import LINK

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CONTACT = "camila@atacama.example.org"


def _emailed_link(address, fragment, *, base):
    """The link containing `fragment` in the newest email to `address`, checked to point at this portal."""
    messages = [message for message in mail.outbox if address in message.to]
    assert messages, f"no email to {address}"
    [link] = [url for url in LINK.findall(messages[-1].body) if fragment in url]
    assert link.startswith(base + "/"), f"{link} does not point at the portal being used ({base})"
    return link


def _sign_in(page, base, email, password):
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.locator("main").get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/accounts/")


def test_apply_confirm_approve_choose_password_and_see_the_organisation(browser_page, live_server):
    page, base = browser_page, live_server.url
    admin = UserFactory(email="admin@programme.example.org", full_name="Ada Admin", is_programme_admin=True)

    page.goto(f"{base}/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Join the ILRS").click()
    page.get_by_label("Organisation name (English)").fill("Atacama Lunar Lab")
    page.get_by_label("Kind of organisation").select_option(label="Research institute")
    page.get_by_label("Country").select_option(label="Chile")
    page.get_by_label("City").fill("Antofagasta")
    page.get_by_label("Website").fill("atacama-lunar.example.org")
    page.get_by_label("Description").fill("Lunar dust simulants and regolith handling.")
    page.get_by_label("Payloads").check()
    page.get_by_label("Data sharing and science").check()
    page.get_by_label("Equipment (single instrument or payload)").check()
    page.get_by_label("Contact person").fill("Camila Rojas")
    page.get_by_label("Contact's position").fill("Director")
    page.get_by_label("Contact's email").fill(CONTACT)
    page.get_by_label("I confirm that I may apply").check()
    page.get_by_role("button", name="Send the application").click()

    page.wait_for_url(f"{base}/join/sent/")
    expect(page.locator("main")).to_contain_text(f"We have sent a link to {CONTACT}.")
    page.goto(_emailed_link(CONTACT, "/join/verify/", base=base))
    page.get_by_role("button", name="Confirm and send the application for review").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you — your application is in the review queue")

    _sign_in(page, base, admin.email, PASSWORD)
    expect(page.locator("header .badge")).to_have_text("1")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Applications").click()
    page.get_by_role("link", name="Atacama Lunar Lab").click()
    expect(page.locator("main")).to_contain_text(f"{CONTACT} ✓ confirmed")
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_role("status")).to_contain_text("Approved: Atacama Lunar Lab is now a partner")
    page.get_by_role("button", name="Sign out").click()

    page.goto(_emailed_link(CONTACT, "/set-password/", base=base))
    page.get_by_label("New password:", exact=True).fill("atacama")
    page.get_by_label("New password confirmation:").fill("atacama")
    page.get_by_role("button", name="Save the password").click()
    expect(page.locator("main")).to_contain_text("This password is too short.")
    page.get_by_label("New password:", exact=True).fill("Atacama-Moon-2026")
    page.get_by_label("New password confirmation:").fill("Atacama-Moon-2026")
    page.get_by_role("button", name="Save the password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your password is saved")

    page.locator("main").get_by_role("link", name="Sign in").click()
    page.get_by_label("Email").fill(CONTACT)
    page.get_by_label("Password").fill("Atacama-Moon-2026")
    page.locator("main").get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="My organisation").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Atacama Lunar Lab")
    expect(page.locator("main")).to_contain_text("Camila Rojas")
    registration = Registration.objects.get(contact_email=CONTACT)
    assert registration.status == Registration.Status.APPROVED
    assert Membership.objects.get(user__email=CONTACT).role == Membership.Role.ADMIN
