"""The portal in a browser with JavaScript switched off: every page reads, every chart has its table, and every
form posts: the language switcher, signing in, a proposal from draft to submission, an administrator's decision."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from proposals import services
from proposals.models import Call, Decision, Proposal
from tests.factories import PASSWORD, CallFactory, MembershipFactory, ProposalFactory, UserFactory

from .steps import DRAFT_FIELDS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Everything the submission check asks for, as the editor's fields take it (the call's lander: at most 10 kg).
COMPLETE_DRAFT = {"abstract": "Listens to moonquakes.", "mass_kg": "8", **DRAFT_FIELDS}


@pytest.fixture
def page(new_browser_page):
    return new_browser_page(java_script_enabled=False)


def sign_in(page, base, email):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", PASSWORD)
    page.click("form:has(#id_password) button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def test_public_pages_read_and_the_language_switcher_posts(page, live_server):
    base = live_server.url
    call = CallFactory(title="Chang'e-8 payloads")
    MembershipFactory(organisation__name="Cape Lunar")

    for path in ("/", "/calls/", f"/calls/{call.pk}/", "/partners/", "/participation/", "/join/", "/accounts/login/"):
        assert page.goto(base + path).status == 200, path
        expect(page.locator("main h1")).to_be_visible()
    page.goto(f"{base}/participation/")
    figures = page.locator("figure.figure")
    assert figures.count() >= 3
    expect(figures.locator("svg.chart")).to_have_count(figures.count())
    expect(figures.locator("table")).to_have_count(figures.count())

    page.goto(f"{base}/calls/")
    page.select_option("#language-select", "ru")
    page.click("form:has(#language-select) button[type=submit]")
    page.wait_for_url(f"{base}/calls/")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    page.select_option("#language-select", "en")
    page.click("form:has(#language-select) button[type=submit]")
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_a_partner_signs_in_writes_checks_and_submits_a_proposal(page, live_server):
    base = live_server.url
    call = CallFactory(title="Chang'e-8 payloads")
    lead = MembershipFactory(role="admin", user__email="pi@cape.example.org").user

    sign_in(page, base, lead.email)
    assert page.url == f"{base}/accounts/"
    page.goto(f"{base}/calls/{call.pk}/")
    page.fill("#id_title", "Seismometer")
    page.click(f"form[action='/calls/{call.pk}/propose/'] button[type=submit]")
    page.wait_for_url("**/edit/")
    proposal = Proposal.objects.get(title="Seismometer")

    page.select_option("#id_cooperation_level", "equipment")
    page.select_option("#id_cooperation_mode", "in_kind")
    page.check("input[name=areas][value=payloads]")
    page.select_option("#id_platform", str(call.platforms.get().pk))
    for field, value in COMPLETE_DRAFT.items():
        page.fill(f"#id_{field}", value)
    page.click("button[name=save]")
    page.wait_for_url(f"{base}/proposals/{proposal.pk}/edit/")
    expect(page.locator("main [role=status]")).to_be_visible()
    proposal.refresh_from_db()
    assert (proposal.abstract, proposal.status) == ("Listens to moonquakes.", Proposal.Status.DRAFT)

    page.click("button[name=continue]")
    page.wait_for_url(f"{base}/proposals/{proposal.pk}/submit/")
    expect(page.locator("main [role=alert]")).to_have_count(0)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{base}/proposals/{proposal.pk}/")
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.SUBMITTED


def test_an_administrator_records_a_decision(page, live_server):
    base = live_server.url
    admin = UserFactory(email="office@ilrs.example.org", is_programme_admin=True)
    call = CallFactory(title="Chang'e-8 payloads")
    proposal = ProposalFactory(call=call, title="Seismometer")
    services.submit_proposal(proposal=proposal, by=proposal.principal_investigator)
    now = timezone.now()
    Call.objects.filter(pk=call.pk).update(
        status=Call.Status.UNDER_REVIEW, deadline=now - timedelta(hours=1), review_deadline=now + timedelta(days=10)
    )

    sign_in(page, base, admin.email)
    page.goto(f"{base}/manage/calls/{call.pk}/ranking/")
    page.select_option(f"#outcome-{proposal.pk}", "selected")
    page.fill(f"#note-{proposal.pk}", "Welcome to Chang'e-8.")
    page.click(f"form:has(#outcome-{proposal.pk}) button[type=submit]")
    page.wait_for_load_state()

    decision = Decision.objects.get(proposal=proposal)
    assert (decision.outcome, decision.note, decision.decided_by) == ("selected", "Welcome to Chang'e-8.", admin)
    expect(page.locator(f"#outcome-{proposal.pk}")).to_have_value("selected")


def test_on_a_phone_the_menu_opens_and_closes_with_its_button(new_browser_page, live_server):
    page = new_browser_page(java_script_enabled=False, viewport={"width": 390, "height": 844})
    menu = page.get_by_role("navigation", name="Main")
    button = page.locator("label.menu-button")
    page.goto(f"{live_server.url}/")

    expect(menu).to_be_hidden()
    assert button.bounding_box()["height"] >= 44
    button.click()
    expect(menu.get_by_role("link", name="Calls")).to_be_visible()
    link = menu.get_by_role("link", name="Sign in").bounding_box()
    assert link["height"] >= 44 and link["width"] > 300  # a full-width row a thumb can hit
    button.click()
    expect(menu).to_be_hidden()

    page.set_viewport_size({"width": 1280, "height": 800})  # on a desktop the menu is simply there
    expect(menu.get_by_role("link", name="Calls")).to_be_visible()
    expect(button).to_be_hidden()
