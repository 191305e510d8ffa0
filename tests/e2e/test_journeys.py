"""Whole journeys in headless Chromium against the live portal."""

import pytest
from django.core import mail

from partners.models import Registration
from proposals.models import ProposalVersion
from tests.factories import PASSWORD, CallFactory, MembershipFactory, OrganisationFactory, UserFactory
from tests.helpers import LINK

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _link(address, fragment):
    for message in reversed(mail.outbox):
        if address in message.to:
            for url in LINK.findall(message.body):
                if fragment in url:
                    return url
    raise AssertionError(f"no {fragment} link emailed to {address}")


def _sign_in(page, base, email, password):
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", password)
    page.click("main button[type=submit]")


def test_apply_verify_approve_set_password_and_sign_in(browser_page, live_server):
    page, base = browser_page, live_server.url
    admin = UserFactory(email="admin@programme.example.org", is_programme_admin=True)

    page.goto(f"{base}/join/")
    page.fill("#id_name", "Atacama Lunar Lab")
    page.select_option("#id_kind", "research_institute")
    page.select_option("#id_country", "CL")
    page.fill("#id_city", "Antofagasta")
    page.fill("#id_description", "Lunar dust simulants.")
    page.check("input[name=areas][value=payloads]")
    page.check("input[name=cooperation_levels][value=equipment]")
    page.fill("#id_contact_name", "Camila Rojas")
    page.fill("#id_contact_position", "Director")
    page.fill("#id_contact_email", "camila@atacama.example.org")
    page.check("#id_accept_terms")
    page.click("main button[type=submit]")
    page.wait_for_url("**/join/sent/")

    verify = _link("camila@atacama.example.org", "/join/verify/")
    assert verify.startswith(base), "email links must use the address the portal is served from"
    page.goto(verify)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert Registration.objects.get(contact_email="camila@atacama.example.org").status == "pending_review"

    _sign_in(page, base, admin.email, PASSWORD)
    page.goto(f"{base}/manage/registrations/")
    page.click("text=Atacama Lunar Lab")
    page.click("button:has-text('Approve')")
    page.wait_for_load_state()
    page.click("header button:has-text('Sign out')")

    page.goto(_link("camila@atacama.example.org", "/set-password/"))
    page.fill("#id_new_password1", "Atacama-Moon-2026")
    page.fill("#id_new_password2", "Atacama-Moon-2026")
    page.click("main button[type=submit]")
    _sign_in(page, base, "camila@atacama.example.org", "Atacama-Moon-2026")
    page.goto(f"{base}/organisation/")
    assert "Atacama Lunar Lab" in page.content()


def test_partner_writes_proposal_with_coinvestigator_fixes_budget_and_submits(browser_page, live_server):
    page, base = browser_page, live_server.url
    call = CallFactory(title="Chang'e-8 payloads")
    lead = MembershipFactory(
        organisation=OrganisationFactory(name="Cape Lunar"), user__email="pi@cape.example.org", role="admin"
    ).user
    colleague = MembershipFactory(
        organisation=OrganisationFactory(name="Nile Space", country="EG"), user__email="coi@nile.example.org"
    ).user

    _sign_in(page, base, lead.email, PASSWORD)
    page.goto(f"{base}/calls/{call.pk}/")
    page.fill("#id_title", "Seismometer")
    page.click("button:has-text('Create a draft')")
    page.wait_for_url("**/edit/")
    page.fill("#id_abstract", "Listens to moonquakes.")
    page.select_option("#id_cooperation_level", "equipment")
    page.select_option("#id_cooperation_mode", "in_kind")
    page.check("input[name=areas][value=payloads]")
    page.select_option("#id_platform", label="Lander")
    for field, value in {
        "mass_kg": "12.5",
        "average_power_w": "20",
        "peak_power_w": "30",
        "length_mm": "200",
        "width_mm": "100",
        "height_mm": "100",
        "data_mb_per_day": "50",
        "min_operating_temp_c": "-150",
        "max_operating_temp_c": "60",
        "trl_now": "6",
        "trl_delivery": "8",
        "science_objectives": "Interior structure.",
        "schedule": "2027",
    }.items():
        page.fill(f"#id_{field}", value)
    page.fill("#id_team-0-email", colleague.email)
    page.click("button[name=continue]")
    page.wait_for_url("**/submit/")
    assert "Mass 12.5 kg exceeds the lander's 10 kg per-payload limit." in page.inner_text("main")

    page.click("text=Fix them in the editor")
    page.fill("#id_mass_kg", "8")
    page.click("button[name=continue]")
    page.wait_for_url("**/submit/")
    page.click("button:has-text('Submit the proposal')")
    page.wait_for_load_state()
    assert "Submitted as version 1" in page.inner_text("main")
    version = ProposalVersion.objects.get()
    assert version.content["team"][0]["organisation"] == "Nile Space"
    receipts = [m for m in mail.outbox if "Receipt" in m.subject]
    assert {address for m in receipts for address in m.to} == {lead.email, colleague.email}
    assert version.content_hash in receipts[0].body
