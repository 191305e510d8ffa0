"""Each role starts at its home page and reaches every task from it, in English and in Chinese or Russian.

Strings new in this release are looked up in the catalogues and fall back to English until they are translated.
Screenshots of the home pages and confirmations at 390 px wide are written to SCREENSHOTS for a look."""

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone, translation
from playwright.sync_api import expect

from partners.models import Membership
from proposals import services
from proposals.models import Call, Decision, Proposal, ReviewAssignment
from proposals.review import services as review_services
from tests.factories import (
    CallFactory,
    MembershipFactory,
    ProposalFactory,
    RegistrationFactory,
    ReviewAssignmentFactory,
    ReviewerProfileFactory,
    ReviewFactory,
    UserFactory,
)

from .steps import expect_message, expect_portal_home, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(os.environ.get("UX_SCREENSHOTS", "/tmp/ux-screens"))


def fresh(lang, msgid, **values):
    """`msgid` in `lang` where the catalogue has it yet, else the English."""
    with translation.override(lang):
        translated = translation.gettext(msgid)
    return translated % values if values else translated


def shoot(page, name):
    """The page as a phone shows it, 390 px wide, full length."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_partner_reaches_each_task_from_the_home_page(browser_page, live_server, lang):
    page, base = browser_page, live_server.url
    call = CallFactory(title="Chang'e-8 payloads")
    pi = MembershipFactory(role=Membership.Role.ADMIN, user__language=lang, user__full_name="Palesa Principal").user
    organisation = pi.organisation
    draft = ProposalFactory(call=call, organisation=organisation, principal_investigator=pi, title="Dust counter")
    Proposal.objects.filter(pk=draft.pk).update(abstract="")
    submitted = ProposalFactory(call=call, organisation=organisation, principal_investigator=pi, title="Seismometer")
    services.submit_proposal(proposal=submitted, by=pi)

    sign_in(page, base, pi.email)
    expect_portal_home(page, lang, pi)
    section = page.locator("#organisation")
    expect(section).to_contain_text(fresh(lang, "%(count)s field still missing", count=1))
    expect(section).to_contain_text("Chang'e-8 payloads")
    shoot(page, f"home-partner-{lang}")

    section.locator(f"a.task-action[href='/proposals/{draft.pk}/edit/']").click()
    expect(page.locator("#id_abstract")).to_be_visible()
    page.fill("#id_abstract", "Counts dust grains.")
    expect(page.locator("#id_abstract-counter")).to_contain_text("19")

    page.goto(f"{base}/accounts/")
    section.locator(f"a.task-action[href='/proposals/{submitted.pk}/']").click()
    expect(page.locator("#version-counts")).to_be_visible()
    page.click(f"a[href='/proposals/{submitted.pk}/withdraw/']")
    expect(page.locator("main")).to_contain_text(fresh(lang, "What will happen"))
    shoot(page, f"withdraw-confirm-{lang}")
    page.click("main form button.danger")
    expect_message(
        page, fresh(lang, "The proposal was withdrawn. You can edit it and submit again before the deadline.")
    )
    assert Proposal.objects.get(pk=submitted.pk).status == Proposal.Status.WITHDRAWN

    page.goto(f"{base}/accounts/")
    section.locator(f"a.task-action[href='/calls/{call.pk}/']").click()
    expect(page.locator("h1")).to_contain_text("Chang'e-8 payloads")
    page.goto(f"{base}/accounts/")
    section.locator("a[href='/organisation/']").click()
    expect(page.locator("h1")).to_have_text(organisation.name)


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_reviewer_reads_the_abstract_and_answers_from_the_home_page(browser_page, live_server, lang):
    page, base = browser_page, live_server.url
    call = CallFactory(
        title="Chang'e-8 payloads", status=Call.Status.UNDER_REVIEW, review_deadline=timezone.now() + timedelta(days=10)
    )
    proposal = ProposalFactory(
        call=call,
        status=Proposal.Status.SUBMITTED,
        title="Heat flow probe",
        abstract="Measures the heat flow through the regolith.",
    )
    reviewer = ReviewerProfileFactory(user__language=lang, user__full_name="Rita Reviewer").user
    assignment = ReviewAssignmentFactory(proposal=proposal, reviewer=reviewer, status="pending")

    sign_in(page, base, reviewer.email)
    expect_portal_home(page, lang, reviewer)
    shoot(page, f"home-reviewer-{lang}")
    page.click(f"#reviewing a.task-action[href='/reviews/{assignment.pk}/']")
    expect(page.locator("main")).to_contain_text("Heat flow probe")
    page.click("main button[name=action][value=accept]")
    expect(page.locator("h1")).to_be_visible()
    assert ReviewAssignment.objects.get(pk=assignment.pk).status == ReviewAssignment.Status.ACCEPTED
    page.goto(f"{base}/accounts/")
    expect(page.locator("#reviewing")).to_contain_text(fresh(lang, "Write the review"))


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_administrator_releases_from_the_home_page_with_a_recorded_reason(browser_page, live_server, lang):
    page, base = browser_page, live_server.url
    admin = UserFactory(is_programme_admin=True, language=lang, full_name="Ada Admin")
    RegistrationFactory(name="Kenya Lunar Lab", queued_at=timezone.now() - timedelta(days=4))
    call = CallFactory(
        title="Chang'e-7 payloads",
        status=Call.Status.UNDER_REVIEW,
        reviewers_per_proposal=2,
        review_deadline=timezone.now() + timedelta(days=3),
    )
    proposals = [ProposalFactory(call=call, status=Proposal.Status.SUBMITTED, title=f"Payload {n}") for n in "AB"]
    for proposal in proposals:
        ReviewFactory(assignment__proposal=proposal, assignment__reviewer=ReviewerProfileFactory().user)
    waiting = ReviewAssignmentFactory(proposal=proposals[0], status="pending")
    review_services.decide(proposal=proposals[0], by=admin, outcome=Decision.Outcome.SELECTED)
    review_services.decide(proposal=proposals[1], by=admin, outcome=Decision.Outcome.NOT_SELECTED)

    sign_in(page, base, admin.email)
    expect_portal_home(page, lang, admin)
    programme = page.locator("#programme")
    expect(programme).to_contain_text("Kenya Lunar Lab")
    shoot(page, f"home-admin-{lang}")
    programme.locator(f"a.task-action[href='/manage/calls/{call.pk}/release/']").first.click()
    expect(page.locator("main")).to_contain_text(fresh(lang, "What will happen"))
    shoot(page, f"release-confirm-{lang}")
    page.click("main form button.danger")
    expect(page.locator("#id_override_reason")).to_be_visible()
    assert Call.objects.get(pk=call.pk).status == Call.Status.UNDER_REVIEW
    page.fill("#id_override_reason", "The panel met and agreed with one review each.")
    page.click("main form button.danger")
    expect_message(page, fresh(lang, "Decisions released; every team has been emailed."))
    assert Call.objects.get(pk=call.pk).status == Call.Status.DECIDED
    assert ReviewAssignment.objects.get(pk=waiting.pk).status == ReviewAssignment.Status.CLOSED

    page.goto(f"{base}/accounts/")
    programme.locator("a[href^='/manage/registrations/']").first.click()
    expect(page.locator("h1")).to_contain_text("Kenya Lunar Lab")
