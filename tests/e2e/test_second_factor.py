"""The second factor in a real browser: a passkey made and used through Chromium's virtual authenticator (the
DevTools WebAuthn domain), and an authenticator app set up and used with codes computed as the app would."""

import base64

import pytest
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp_webauthn.models import WebAuthnCredential
from playwright.sync_api import expect

from tests.factories import UserFactory

from .steps import submit_sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def watch_for_policy_violations(page):
    violations = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    return violations


def sign_in_to_the_second_step(page, base, email):
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/?next=/accounts/")
    submit_sign_in(page, email, "correct-horse-battery-9")
    page.wait_for_url(f"{base}/accounts/security/verify/**")


def test_a_passkey_is_added_then_asked_for_after_the_password(browser_page, live_server):
    page, base = browser_page, live_server.url
    person = UserFactory(email="pilar@lunar.example.org", full_name="Pilar Passkey")
    devtools = page.context.new_cdp_session(page)
    devtools.send("WebAuthn.enable")
    devtools.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    violations = watch_for_policy_violations(page)
    page.goto(f"{base}/accounts/login/?next=/accounts/security/")
    submit_sign_in(page, person.email, "correct-horse-battery-9")
    page.wait_for_url(f"{base}/accounts/security/")

    page.click("#passkey-register-button")

    expect(page.locator("#no-passkeys")).to_have_count(0)
    assert WebAuthnCredential.objects.filter(user=person, confirmed=True).count() == 1
    sign_in_to_the_second_step(page, base, person.email)
    page.goto(f"{base}/accounts/")  # still held at the second step
    page.wait_for_url(f"{base}/accounts/security/verify/**")
    page.click("#passkey-verification-button")
    page.wait_for_url(f"{base}/accounts/")
    expect(page.locator("h1")).to_have_text("Welcome, Pilar")
    assert WebAuthnCredential.objects.get(user=person).last_used_at is not None
    assert violations == []


def test_an_authenticator_app_is_set_up_and_its_code_signs_in(browser_page, live_server):
    page, base = browser_page, live_server.url
    person = UserFactory(email="tomas@lunar.example.org", full_name="Tomas Totp", is_reviewer=True)
    page.goto(f"{base}/accounts/login/?next=/accounts/")
    submit_sign_in(page, person.email, "correct-horse-battery-9")
    page.wait_for_url(f"{base}/accounts/")
    expect(page.locator("#second-factor-banner")).to_be_visible()
    page.click("#second-factor-banner a")
    page.click("#set-up-authenticator")
    secret = page.locator("#totp-secret").inner_text()
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))

    def code(steps_ahead=0):
        totp = TOTP(key)
        totp.time = timezone.now().timestamp() + 30 * steps_ahead
        return f"{totp.token():06d}"

    page.fill("#id_code", code())
    page.click("main form button[type=submit]")
    expect(page.locator("#recovery-codes li")).to_have_count(10)

    sign_in_to_the_second_step(page, base, person.email)
    page.fill("#id_code", code(1))  # the next step's code: the one just used cannot be used again
    page.click("main form:has(#id_code) button[type=submit]")
    page.wait_for_url(f"{base}/accounts/")
    expect(page.locator("h1")).to_have_text("Welcome, Tomas")
    expect(page.locator("#second-factor-banner")).to_have_count(0)


def test_the_security_pages_fit_a_phone(new_browser_page, live_server):
    page, base = new_browser_page(viewport={"width": 390, "height": 844}), live_server.url
    person = UserFactory(email="phoebe@lunar.example.org", is_programme_admin=True)
    page.goto(f"{base}/accounts/login/?next=/accounts/security/")
    submit_sign_in(page, person.email, "correct-horse-battery-9")
    page.wait_for_url(f"{base}/accounts/security/")
    for path in (
        "/accounts/security/",
        "/accounts/security/authenticator/",
        "/accounts/security/close-account/",
        "/accounts/security/closure-requests/",
    ):
        page.goto(f"{base}{path}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
