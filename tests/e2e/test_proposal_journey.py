"""A team writes a proposal in Chromium, in English and in another working language: a draft from the call page,
the editor with a co-investigator, a failed submission check fixed in the editor, the submission and its receipt."""

import pytest
from django.core import mail
from playwright.sync_api import expect

from proposals import services
from proposals.models import PlatformKind, Proposal, ProposalVersion, TeamMember
from tests.factories import CallFactory, MembershipFactory, OrganisationFactory

from .steps import DRAFT_FIELDS, email_to, expect_language, expect_message, expect_portal_home, label, sign_in, text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_team_writes_a_proposal_fixes_what_the_check_finds_and_submits_with_a_receipt(browser_page, live_server, lang):
    page, base = browser_page, live_server.url
    call = CallFactory(title="Chang'e-8 payloads")
    lander = call.platforms.get()
    lead = MembershipFactory(
        organisation=OrganisationFactory(name="Cape Lunar"),
        role="admin",
        user__email="pi@cape.example.org",
        user__language=lang,
    ).user
    colleague = MembershipFactory(
        organisation=OrganisationFactory(name="Nile Space", country="EG"),
        user__email="coi@nile.example.org",
        user__language=lang,
    ).user

    sign_in(page, base, lead.email)
    expect_portal_home(page, lang, lead)
    page.click("header nav a[href='/calls/']")
    page.click(f"main a[href='/calls/{call.pk}/']")
    expect(page.locator("h1")).to_have_text(call.title)
    expect(page.locator("main h2", has_text=text(lang, "Start a proposal"))).to_be_visible()
    page.fill("#id_title", "Seismometer")
    page.click(f"form[action='/calls/{call.pk}/propose/'] button[type=submit]")
    page.wait_for_url("**/edit/")
    expect_message(page, text(lang, "Draft created. Save it as often as you like before submitting."))
    expect(page.locator("h1")).to_have_text(text(lang, "Proposal editor"))
    proposal = Proposal.objects.get(title="Seismometer")
    assert (proposal.status, proposal.principal_investigator) == (Proposal.Status.DRAFT, lead)

    page.fill("#id_abstract", "Listens to moonquakes.")
    page.select_option("#id_cooperation_level", "equipment")
    page.select_option("#id_cooperation_mode", "in_kind")
    page.check("input[name=areas][value=payloads]")
    page.select_option("#id_platform", str(lander.pk))
    for field, value in {"mass_kg": "12.5", **DRAFT_FIELDS}.items():
        page.fill(f"#id_{field}", value)
    page.fill("#id_team-0-email", colleague.email)
    page.click("button[name=continue]")

    page.wait_for_url(f"{base}/proposals/{proposal.pk}/submit/")
    # The colleague from another organisation is invited by email; they accept from its link (here, at once).
    invitation = TeamMember.objects.get(proposal=proposal, email=colleague.email)
    assert invitation.status == TeamMember.Status.INVITED
    services.accept_team_invitation(member=invitation, by=colleague)
    expect_language(page, lang)
    expect(page.locator("h1")).to_contain_text(text(lang, "Check and submit"))
    too_heavy = text(
        lang,
        "Mass %(value)s kg exceeds the %(platform)s's %(limit)s kg per-payload limit.",
        value="12.5",
        platform=label(lang, PlatformKind.LANDER).lower(),
        limit="10",
    )
    problems = page.locator("main [role=alert]")
    expect(problems).to_contain_text(text(lang, "The proposal cannot be submitted yet:"))
    expect(problems).to_contain_text(too_heavy)
    expect(page.locator("button[data-action=submit-proposal]")).to_have_count(0)

    problems.locator(f"a[href='/proposals/{proposal.pk}/edit/']").click()
    expect(page.locator("h1")).to_have_text(text(lang, "Proposal editor"))
    expect(page.locator("#id_mass_kg")).to_have_value("12.50")
    expect(page.locator("#id_team-0-email")).to_have_value(colleague.email)
    page.fill("#id_mass_kg", "8")
    page.click("button[name=continue]")
    page.wait_for_url(f"{base}/proposals/{proposal.pk}/submit/")
    expect_message(page, text(lang, "Draft saved."))
    expect(page.locator("main")).to_contain_text(text(lang, "within the limit"))
    page.click("button[data-action=submit-proposal]")

    page.wait_for_url(f"{base}/proposals/{proposal.pk}/")
    expect_language(page, lang)
    expect_message(
        page, text(lang, "Submitted as version %(number)s. A receipt has been emailed to the team.", number=1)
    )
    expect(page.locator("h1 + p .status")).to_have_text(label(lang, Proposal.Status.SUBMITTED))
    expect(page.locator("main")).to_contain_text("Nile Space")

    proposal.refresh_from_db()
    version = ProposalVersion.objects.get(proposal=proposal)
    assert proposal.status == Proposal.Status.SUBMITTED and version.number == 1
    assert version.content["mass_kg"] == "8"
    assert version.content["team"] == [
        {"name": colleague.full_name, "organisation": "Nile Space", "country": "EG", "role": "Co-investigator"}
    ]
    receipt = text(lang, "Receipt: %(ref)s submitted (version %(number)s)", ref=proposal.reference, number=1)
    for person in (lead, colleague):
        message = email_to(person.email, subject=receipt)
        assert f"{text(lang, 'Content fingerprint (SHA-256)')}: {version.content_hash}" in message.body
    assert sum(message.subject == receipt for message in mail.outbox) == 2
