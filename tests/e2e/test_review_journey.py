"""The review in Chromium, in English and in another working language: a reviewer answers assignments and reviews;
an administrator opens a call, runs its review and decides within the manifest; a team reads its outcome."""

from datetime import timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone, translation
from playwright.sync_api import expect

from proposals import calls, services
from proposals.models import Call, Conflict, Decision, Platform, Proposal, Review, ReviewAssignment
from proposals.review import services as review_services
from tests.factories import (
    CallFactory,
    MembershipFactory,
    MissionFactory,
    ProposalFactory,
    ReviewerProfileFactory,
    UserFactory,
)

from .steps import email_to, expect_message, expect_portal_home, label, sign_in, text


def fresh(lang, msgid, **values):
    """A string new in this release: its translation where the catalogue has one yet, else the English."""
    with translation.override(lang):
        translated = translation.gettext(msgid)
    return translated % values if values else translated


pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _submitted(call, title, *, mass_kg=4, language="en"):
    """A proposal of a team of its own, submitted to `call` by its principal investigator."""
    pi = MembershipFactory(user__email=f"pi-{title.split()[0].lower()}@team.example.org", user__language=language).user
    proposal = ProposalFactory(
        call=call, organisation=pi.organisation, principal_investigator=pi, title=title, mass_kg=mass_kg
    )
    services.submit_proposal(proposal=proposal, by=pi)
    return Proposal.objects.get(pk=proposal.pk)


def _close(call):
    """The deadline passes and the periodic sweep closes the call."""
    now = timezone.now()
    Call.objects.filter(pk=call.pk).update(deadline=now - timedelta(hours=1))
    assert calls.close_calls_past_deadline() == 1


def _review(assignment, grade, *, strengths, weaknesses, confidential="The team is small for the scope."):
    """The assigned reviewer accepts and submits a review grading every criterion of the call with `grade`."""
    reviewer = assignment.reviewer
    review_services.respond_to_assignment(assignment=assignment, by=reviewer, accept=True)
    review_services.save_review(
        assignment=assignment,
        by=reviewer,
        data={
            "scores": {criterion["key"]: grade for criterion in assignment.proposal.call.criteria},
            "strengths": strengths,
            "weaknesses": weaknesses,
            "confidential_comment": confidential,
        },
        submit=True,
    )


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_reviewer_declares_a_conflict_accepts_the_other_assignment_and_submits_a_review(
    browser_page, live_server, lang
):
    page, base = browser_page, live_server.url
    admin = UserFactory(is_programme_admin=True)
    call = CallFactory(title="Chang'e-8 payloads", reviewers_per_proposal=1)
    seismometer, camera = _submitted(call, "Seismometer"), _submitted(call, "Dust camera")
    _close(call)
    calls.start_review(call=call, by=admin)
    reviewer = ReviewerProfileFactory(
        user__email="rita@reviewers.example.org", user__language=lang, max_load_per_call=2
    ).user
    review_services.assign_reviewers(call=call, by=admin)

    sign_in(page, base, reviewer.email)
    expect_portal_home(page, lang, reviewer)
    waiting = page.locator("#reviewing li.task")
    expect(waiting).to_have_count(2)
    expect(page.locator("#reviewing")).to_contain_text(fresh(lang, "Read the abstract, then accept or decline"))
    page.click("#reviewing a[href='/reviews/']")
    expect(page.locator("h1")).to_have_text(text(lang, "My review assignments"))
    camera_row = page.locator("main tbody tr", has_text="Dust camera")
    expect(camera_row).to_contain_text(label(lang, ReviewAssignment.Status.PENDING))
    expect(camera_row).to_contain_text(camera.abstract)
    camera_row.locator("a[href$='?conflict=1']").click()
    expect(page.locator("main")).to_contain_text(fresh(lang, "What will happen"))
    page.fill("#id_reason", "I advised this team last year.")
    page.click("main form button.danger")
    expect_message(page, text(lang, "Conflict recorded; the proposal is no longer assigned to you."))
    expect(page.locator("main tbody tr", has_text="Dust camera")).to_have_count(0)

    seismometer_row = page.locator("main tbody tr", has_text="Seismometer")
    seismometer_row.locator("button[name=action][value=accept]").click()
    expect_message(page, text(lang, "Accepted."))
    expect(seismometer_row).to_contain_text(label(lang, ReviewAssignment.Status.ACCEPTED))
    assignment = ReviewAssignment.objects.get(proposal=seismometer, reviewer=reviewer)
    seismometer_row.locator(f"a[href='/reviews/{assignment.pk}/']").last.click()

    expect(page.locator("h1")).to_have_text("Seismometer")
    expect(page.locator("main")).to_contain_text(text(lang, "submitted version %(number)s", number=1))
    for criterion, grade in zip(call.criteria, ("5", "4", "4"), strict=True):
        page.select_option(f"#id_score_{criterion['key']}", grade)
    page.fill("#id_strengths", "A clear case for a network of seismometers.")
    page.fill("#id_confidential_comment", "Ambitious for a first mission.")
    page.click("button[name=submit]")
    expect(page.locator("main [role=alert]")).to_have_text(
        text(lang, "Please correct the fields marked below; everything you typed is kept.")
    )
    expect(page.locator("main")).to_contain_text(text(lang, "Write the weaknesses before submitting."))
    expect(page.locator("#id_strengths")).to_have_value("A clear case for a network of seismometers.")
    expect(page.locator("#id_confidential_comment")).to_have_value("Ambitious for a first mission.")
    expect(page.locator("#id_score_scientific_value")).to_have_value("5")
    assert not Review.objects.filter(assignment=assignment, status=Review.Status.SUBMITTED).exists()

    page.fill("#id_weaknesses", "Thermal margins are thin.")
    page.click("button[name=submit]")
    expect_message(page, text(lang, "Review submitted."))
    expect(page.locator("main h2 .status")).to_have_text(label(lang, Review.Status.SUBMITTED))

    review = Review.objects.get(assignment=assignment)
    assert review.status == Review.Status.SUBMITTED
    assert review.scores == {"scientific_value": 5, "technical_feasibility": 4, "collaboration_diversity": 4}
    assert review.weaknesses == "Thermal margins are thin."
    assert ReviewAssignment.objects.get(pk=assignment.pk).status == ReviewAssignment.Status.ACCEPTED
    conflict = Conflict.objects.get(proposal=camera, reviewer=reviewer)
    assert (conflict.kind, conflict.reason) == (Conflict.Kind.DECLARED, "I advised this team last year.")
    assert not ReviewAssignment.objects.filter(proposal=camera, reviewer=reviewer).exists()


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_administrator_opens_a_call_runs_its_review_decides_within_the_manifest_and_releases(
    browser_page, live_server, lang
):
    page, base = browser_page, live_server.url
    admin = UserFactory(email="office@ilrs.example.org", is_programme_admin=True, language=lang)
    mission = MissionFactory(name="Chang'e-8")
    zone = "Asia/Shanghai"
    deadline = timezone.localtime(timezone.now() + timedelta(days=30), timezone=ZoneInfo(zone))

    sign_in(page, base, admin.email)
    expect_portal_home(page, lang, admin)
    page.click("header nav a[href='/manage/calls/']")
    expect(page.locator("h1")).to_have_text(text(lang, "Calls for proposals"))
    page.click("main a[href='/manage/calls/new/']")
    expect(page.locator("h1")).to_have_text(text(lang, "New call for proposals"))
    page.select_option("#id_mission", str(mission.pk))
    page.fill("#id_title", "Chang'e-8 international payloads")
    page.fill("#id_reference", "CE8-2026")
    page.fill("#id_description", "Room for partner payloads on the Chang'e-8 lander.")
    page.select_option("#id_time_zone", zone)
    page.fill("#id_deadline", deadline.strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_review_deadline", (deadline + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_reviewers_per_proposal", "1")
    page.select_option("#id_platforms-0-kind", "lander")
    for field, value in {
        "name": "Lander",
        "total_mass_kg": "20",
        "total_average_power_w": "120",
        "total_data_mb_per_day": "2000",
        "max_mass_kg": "10",
        "max_average_power_w": "50",
        "max_peak_power_w": "80",
        "max_length_mm": "300",
        "max_width_mm": "150",
        "max_height_mm": "150",
        "min_operating_temp_c": "-180",
        "max_operating_temp_c": "80",
    }.items():
        page.fill(f"#id_platforms-0-{field}", value)
    page.click("form:has(#id_reference) button[type=submit]")

    page.wait_for_url("**/edit/")
    expect_message(page, text(lang, "Call saved."))
    call = Call.objects.get(reference="CE8-2026")
    expect(page.locator("h1 .status")).to_have_text(label(lang, Call.Status.DRAFT))
    page.click(f"form[action='/manage/calls/{call.pk}/open/'] button[type=submit]")
    expect_message(page, text(lang, "The call is now %(status)s.", status=label(lang, Call.Status.OPEN)))
    call.refresh_from_db()
    lander = Platform.objects.get(call=call)
    assert call.status == Call.Status.OPEN and call.reviewers_per_proposal == 1 and call.time_zone == zone
    assert call.deadline == deadline.replace(second=0, microsecond=0)
    assert (lander.name, lander.total_mass_kg) == ("Lander", Decimal(20))

    # Teams submit, the deadline passes, and reviewers are ready.
    seismometer = _submitted(call, "Seismometer", mass_kg=8, language=lang)
    camera = _submitted(call, "Dust camera", mass_kg=9, language=lang)
    monitor = _submitted(call, "Radiation monitor", mass_kg=7, language=lang)
    _close(call)
    ReviewerProfileFactory(user__email="rita@reviewers.example.org")
    ReviewerProfileFactory(user__email="omar@reviewers.example.org")

    page.click("header nav a[href='/manage/calls/']")
    page.locator("main tbody tr", has_text=call.title).locator(f"a[href='/manage/calls/{call.pk}/review/']").click()
    expect(page.locator("h1 .status")).to_have_text(label(lang, Call.Status.CLOSED))
    page.click("button[name=action][value=start]")
    expect_message(page, text(lang, "The call is under review."))
    page.click("button[name=action][value=assign]")
    expect(page.locator("main table").first.locator("tbody tr")).to_have_count(3)
    assignments = ReviewAssignment.objects.filter(proposal__call=call)
    match = sum(assignment.match for assignment in assignments)
    expect_message(
        page, text(lang, "%(count)s assignments made (total expertise match %(match)s).", count=3, match=match)
    )
    assert sorted(a.proposal.title for a in assignments) == ["Dust camera", "Radiation monitor", "Seismometer"]

    for proposal, grade in ((seismometer, 5), (camera, 4), (monitor, 3)):
        _review(assignments.get(proposal=proposal), grade, strengths="Sound objectives.", weaknesses="Tight schedule.")

    page.click(f"main a[href='/manage/calls/{call.pk}/ranking/']")
    expect(page.locator("h1")).to_contain_text(text(lang, "Ranking and decisions"))
    ranking = page.locator("main table").first.locator("tbody tr")
    for position, title in enumerate(("Seismometer", "Dust camera", "Radiation monitor")):
        expect(ranking.nth(position)).to_contain_text(title)

    def decide(proposal, outcome, note=""):
        row = page.locator("main tbody tr", has=page.locator(f"input[name=proposal][value='{proposal.pk}']"))
        row.locator("select[name=outcome]").select_option(outcome)
        row.locator("input[name=note]").fill(note)
        row.locator("button[type=submit]").click()

    decide(seismometer, "selected", "Welcome to Chang'e-8.")
    expect_message(page, text(lang, "Decision recorded for %(ref)s.", ref=seismometer.reference))
    decide(camera, "selected")
    expect_message(page, text(lang, "Decision recorded for %(ref)s.", ref=camera.reference))
    decide(monitor, "selected")
    over_budget = text(
        lang,
        "Selecting this payload would put the %(platform)s at %(used)s %(unit)s of %(label)s against a budget of "
        "%(budget)s %(unit)s.",
        platform="Lander",
        used=sum(p.mass_kg for p in Proposal.objects.filter(call=call)),
        unit="kg",
        label=text(lang, "Mass").lower(),
        budget=lander.total_mass_kg,
    )
    expect_message(page, over_budget)
    assert not Decision.objects.filter(proposal=monitor).exists()
    decide(monitor, "selectable")
    expect_message(page, text(lang, "Decision recorded for %(ref)s.", ref=monitor.reference))
    manifest = page.locator("main table").nth(1).locator("tbody tr", has_text="Lander")
    expect(manifest).to_contain_text(f"{text(lang, 'Mass')}: 17 / 20 kg")

    page.click(f"a[href$='/manage/calls/{call.pk}/release/']")
    expect(page.locator("main")).to_contain_text(fresh(lang, "What will happen"))
    if page.locator("#id_override_reason").count():
        page.fill("#id_override_reason", "The panel met and agreed the outcomes.")
    page.click("main form button.danger")
    expect_message(page, text(lang, "Decisions released; every team has been emailed."))
    call.refresh_from_db()
    assert call.status == Call.Status.DECIDED
    decisions = {d.proposal_id: d for d in Decision.objects.filter(proposal__call=call)}
    assert {pk: d.outcome for pk, d in decisions.items()} == {
        seismometer.pk: Decision.Outcome.SELECTED,
        camera.pk: Decision.Outcome.SELECTED,
        monitor.pk: Decision.Outcome.SELECTABLE,
    }
    assert all(d.released_at is not None and d.decided_by == admin for d in decisions.values())
    for proposal in (seismometer, camera, monitor):
        outcome = label(lang, Decision.Outcome(decisions[proposal.pk].outcome))
        email_to(
            proposal.principal_investigator.email,
            subject=text(lang, "%(ref)s: %(outcome)s", ref=proposal.reference, outcome=outcome),
        )


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_team_reads_its_outcome_with_anonymised_reviews_on_the_page_and_in_the_email(browser_page, live_server, lang):
    page, base = browser_page, live_server.url
    admin = UserFactory(is_programme_admin=True)
    call = CallFactory(title="Chang'e-8 payloads", reviewers_per_proposal=2)
    seismometer = _submitted(call, "Seismometer", language=lang)
    camera = _submitted(call, "Dust camera")
    _close(call)
    calls.start_review(call=call, by=admin)
    rita = ReviewerProfileFactory(user__full_name="Rita Reviewer", user__email="rita@reviewers.example.org").user
    omar = ReviewerProfileFactory(user__full_name="Omar Assessor", user__email="omar@reviewers.example.org").user
    review_services.assign_reviewers(call=call, by=admin)
    comments = {
        rita: ("A clear case for a network of seismometers.", "Thermal margins are thin."),
        omar: ("Strong heritage from earlier landers.", "The data plan is vague."),
    }
    for reviewer, grade in ((rita, 5), (omar, 4)):
        strengths, weaknesses = comments[reviewer]
        _review(
            ReviewAssignment.objects.get(proposal=seismometer, reviewer=reviewer),
            grade,
            strengths=strengths,
            weaknesses=weaknesses,
            confidential=f"Confidential remark by {reviewer.full_name}.",
        )
        _review(
            ReviewAssignment.objects.get(proposal=camera, reviewer=reviewer),
            3,
            strengths="The camera's optics are proven.",
            weaknesses="The camera's data volume is high.",
        )
    review_services.decide(proposal=seismometer, by=admin, outcome="selected", note="Welcome to Chang'e-8.")
    review_services.decide(proposal=camera, by=admin, outcome="not_selected")
    calls.release_decisions(call=call, by=admin)
    pi = seismometer.principal_investigator
    selected = label(lang, Decision.Outcome.SELECTED)

    message = email_to(
        pi.email, subject=text(lang, "%(ref)s: %(outcome)s", ref=seismometer.reference, outcome=selected)
    )
    assert (
        text(
            lang,
            'The outcome for "%(title)s" in the call "%(call)s": %(outcome)s.',
            title=seismometer.title,
            call=call.title,
            outcome=selected,
        )
        in message.body
    )
    assert "Welcome to Chang'e-8." in message.body
    assert text(lang, "Reviewer %(n)s", n=1) in message.body and text(lang, "Reviewer %(n)s", n=2) in message.body
    for strengths, weaknesses in comments.values():
        assert f"{text(lang, 'Strengths')}: {strengths}" in message.body
        assert f"{text(lang, 'Weaknesses')}: {weaknesses}" in message.body
    for secret in ("Rita Reviewer", "Omar Assessor", "Confidential remark", "The camera's optics"):
        assert secret not in message.body

    sign_in(page, base, pi.email)
    expect_portal_home(page, lang, pi)
    page.click("header nav a[href='/proposals/']")
    expect(page.locator("h1")).to_have_text(text(lang, "My organisation's proposals"))
    page.click(f"main a[href='/proposals/{seismometer.pk}/']")
    expect(page.locator("h1")).to_have_text("Seismometer")
    outcome = page.locator("main section[aria-labelledby=outcome-heading]")
    expect(outcome.locator("h2")).to_have_text(f"{text(lang, 'Outcome')}: {selected}")
    expect(outcome).to_contain_text("Welcome to Chang'e-8.")
    expect(outcome.locator("h3")).to_have_text([text(lang, "Reviewer %(n)s", n=n) for n in (1, 2)])
    for strengths, weaknesses in comments.values():
        expect(outcome).to_contain_text(strengths)
        expect(outcome).to_contain_text(weaknesses)
    main = page.locator("main")
    for secret in ("Rita Reviewer", "Omar Assessor", "rita@", "omar@", "Confidential remark", "The camera's optics"):
        expect(main).not_to_contain_text(secret)

    decision = Decision.objects.get(proposal=seismometer)
    assert decision.outcome == Decision.Outcome.SELECTED and decision.released_at is not None
    assert Decision.objects.get(proposal=camera).outcome == Decision.Outcome.NOT_SELECTED
    assert Call.objects.get(pk=call.pk).status == Call.Status.DECIDED
