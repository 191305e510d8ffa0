"""The review in headless Chromium: an administrator starts the review and assigns reviewers automatically; a
reviewer declares a conflict on one proposal, accepts the other and submits a review; the administrator
decides within the manifest and releases the decisions; the team reads its outcome."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from proposals import services
from proposals.models import Call, Decision, Proposal
from tests.factories import (
    PASSWORD,
    CallFactory,
    MembershipFactory,
    ProposalFactory,
    ReviewerProfileFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page, base, email):
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def test_a_call_is_reviewed_decided_and_released(browser_page, live_server):
    page, base = browser_page, live_server.url
    admin = UserFactory(email="office@ilrs.example.org", is_programme_admin=True)
    call = CallFactory(title="Chang'e-8 payloads", reviewers_per_proposal=1)
    teams = []
    for title in ("Seismometer", "Dust camera"):
        pi = MembershipFactory(user__email=f"pi-{title[:4].lower()}@team.example.org").user
        proposal = ProposalFactory(call=call, organisation=pi.organisation, principal_investigator=pi, title=title)
        services.submit_proposal(proposal=proposal, by=pi)
        teams.append((proposal, pi))
    now = timezone.now()
    Call.objects.filter(pk=call.pk).update(
        status=Call.Status.CLOSED, deadline=now - timedelta(hours=1), review_deadline=now + timedelta(days=10)
    )
    reviewer = ReviewerProfileFactory(user__email="rita@reviewers.example.org", max_load_per_call=2).user

    _sign_in(page, base, admin.email)
    page.goto(f"{base}/manage/calls/{call.pk}/review/")
    page.click("button:has-text('Start the review')")
    page.click("button:has-text('Assign reviewers automatically')")
    assert "2 assignments made" in page.inner_text("main")

    _sign_in(page, base, reviewer.email)
    page.goto(f"{base}/reviews/")
    seismometer, camera = (proposal for proposal, _pi in teams)
    camera_row = page.locator("tr", has_text="Dust camera")
    camera_row.locator("input[name=reason]").fill("I advised this team last year.")
    camera_row.locator("button[value=conflict]").click()
    assert "Conflict recorded" in page.inner_text("main")
    assert "Dust camera" not in page.inner_text("main")
    page.locator("tr", has_text="Seismometer").locator("button[value=accept]").click()
    page.click("a:has-text('Write the review')")
    for key, grade in (("scientific_value", "5"), ("technical_feasibility", "4"), ("collaboration_diversity", "4")):
        page.select_option(f"#id_score_{key}", grade)
    page.fill("#id_strengths", "A clear case for a network of seismometers.")
    page.click("button[name=submit]")
    assert "Please correct" in page.inner_text("main")
    assert page.input_value("#id_strengths") == "A clear case for a network of seismometers."
    page.fill("#id_weaknesses", "Thermal margins are thin.")
    page.click("button[name=submit]")
    assert "Review submitted" in page.inner_text("main")

    _sign_in(page, base, admin.email)
    page.goto(f"{base}/manage/calls/{call.pk}/ranking/")
    first = page.locator("tbody tr").first
    assert "Seismometer" in first.inner_text() and "4.4" in first.inner_text()
    first.locator("select[name=outcome]").select_option("selected")
    first.locator("input[name=note]").fill("Welcome to Chang'e-8.")
    first.locator("button:has-text('Record')").click()
    page.locator("tr", has_text="Dust camera").locator("select[name=outcome]").select_option("not_selected")
    page.locator("tr", has_text="Dust camera").locator("button:has-text('Record')").click()
    assert "Lander" in page.inner_text("main") and "4 / 30 kg" in page.inner_text("main")
    mail.outbox.clear()
    page.click("button:has-text('Release the decisions')")
    assert "Decisions released" in page.inner_text("main")
    assert Decision.objects.filter(released_at__isnull=False).count() == 2
    assert Call.objects.get(pk=call.pk).status == Call.Status.DECIDED

    proposal, pi = teams[0]
    outcome_mail = next(message for message in mail.outbox if pi.email in message.to)
    assert "Reviewer 1" in outcome_mail.body and reviewer.full_name not in outcome_mail.body
    _sign_in(page, base, pi.email)
    page.goto(f"{base}/proposals/{proposal.pk}/")
    text = page.inner_text("main")
    assert "Outcome: Selected" in text and "Welcome to Chang'e-8." in text and "Reviewer 1" in text
    assert reviewer.full_name not in text
    assert Proposal.objects.get(pk=camera.pk).decision.outcome == "not_selected"
    assert seismometer.pk == proposal.pk
