"""Whole journeys in headless Chromium against the live portal (joining is in test_join_journey.py)."""

import pytest
from django.core import mail

from proposals.models import ProposalVersion
from tests.factories import PASSWORD, CallFactory, MembershipFactory, OrganisationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page, base, email, password):
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", password)
    page.click("main button[type=submit]")


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
