"""The pages: starting and editing a proposal, keeping what was typed, and the administrators' call screens."""

from datetime import UTC, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from partners.services import suspend_organisation
from portal.formatting import when
from proposals import services
from proposals.models import Call, Proposal, TeamMember
from tests.factories import CallFactory, MissionFactory, OrganisationFactory, ProposalFactory, UserFactory
from tests.helpers import csv_rows
from tests.proposals.support import post_data

# Partners: starting a proposal ------------------------------------------------------------------


def test_a_partner_starts_a_draft_from_the_call_page(client, call, partner_member):
    client.force_login(partner_member)
    page = client.get(reverse("proposals:call_detail", args=[call.pk])).content.decode()
    assert "Start a proposal" in page

    response = client.post(reverse("proposals:proposal_start", args=[call.pk]), {"title": "Lunar seismometer"})
    proposal = Proposal.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "proposals:proposal_edit", args=[proposal.pk]
    )
    assert (proposal.title, proposal.principal_investigator) == ("Lunar seismometer", partner_member)
    assert "Draft created." in client.get(response["Location"]).content.decode()


def test_a_draft_needs_a_working_title(client, call, partner_member):
    client.force_login(partner_member)
    response = client.post(reverse("proposals:proposal_start", args=[call.pk]), {"title": ""}, follow=True)
    assert "Give the proposal a working title." in response.content.decode()
    assert not Proposal.objects.exists()


def test_a_suspended_organisation_is_not_offered_to_start_and_is_refused(
    client, call, partner_member, organisation, programme_admin
):
    suspend_organisation(organisation=organisation, by=programme_admin, reason="Membership dues")
    client.force_login(partner_member)
    assert "Start a proposal" not in client.get(reverse("proposals:call_detail", args=[call.pk])).content.decode()
    response = client.post(reverse("proposals:proposal_start", args=[call.pk]), {"title": "Anyway"}, follow=True)
    assert "suspended" in response.content.decode()
    assert not Proposal.objects.exists()


def test_no_proposal_is_started_on_a_draft_call(client, partner_member):
    draft = CallFactory(status="draft")
    client.force_login(partner_member)
    assert client.post(reverse("proposals:proposal_start", args=[draft.pk]), {"title": "Early"}).status_code == 404


# Partners: the editor ---------------------------------------------------------------------------


def _editor(client, proposal):
    response = client.get(reverse("proposals:proposal_edit", args=[proposal.pk]))
    assert response.status_code == 200
    return post_data(response.context["form"], response.context["team"])


def test_the_editor_saves_a_draft_and_can_go_on_to_the_checks(client, proposal, pi):
    client.force_login(pi)
    url = reverse("proposals:proposal_edit", args=[proposal.pk])
    data = _editor(client, proposal)
    data.update({"title": "Regolith dust and charge analyser", "heritage": "Flew on Chang'e-4."})

    saved = client.post(url, {**data, "save": ""}, follow=True)
    assert "Draft saved." in saved.content.decode()
    proposal.refresh_from_db()
    assert (proposal.title, proposal.heritage) == ("Regolith dust and charge analyser", "Flew on Chang'e-4.")

    onward = client.post(url, {**data, "continue": ""})
    assert onward["Location"] == reverse("proposals:proposal_submit", args=[proposal.pk])


def test_the_editor_shows_what_was_typed_after_an_error(client, proposal, pi):
    client.force_login(pi)
    url = reverse("proposals:proposal_edit", args=[proposal.pk])
    data = _editor(client, proposal)
    data.update({"title": "A new typed title", "abstract": "A new typed abstract.", "trl_now": "12"})

    response = client.post(url, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert response.context["form"].errors["trl_now"] == ["Ensure this value is less than or equal to 9."]
    assert page.count('class="notice error') == 1
    summary = page[page.index('class="notice error') : page.index("</div>", page.index('class="notice error'))]
    assert '<a href="#id_trl_now">' in summary and "Ensure this value is less than or equal to 9." in summary
    field = page[page.index('name="trl_now"') - 300 : page.index('name="trl_now"') + 300]
    assert 'aria-invalid="true"' in field and 'aria-describedby="id_trl_now_error"' in field
    assert 'value="A new typed title"' in page
    assert "A new typed abstract." in page
    assert 'value="12"' in page
    assert Proposal.objects.get(pk=proposal.pk).title == "Regolith dust analyser"


def test_the_editor_warns_about_budgets_but_saves_the_draft(client, proposal, pi):
    client.force_login(pi)
    data = {**_editor(client, proposal), "mass_kg": "12.5"}
    response = client.post(reverse("proposals:proposal_edit", args=[proposal.pk]), data, follow=True)
    page = response.content.decode()
    assert "Mass 12.5 kg exceeds the lander&#x27;s 10 kg per-payload limit." in page
    assert '<p class="field-problem" id="id_mass_kg_limit">' in page
    field = page[page.index('name="mass_kg"') - 300 : page.index('name="mass_kg"') + 300]
    assert 'aria-invalid="true"' in field and "id_mass_kg_limit" in field
    assert str(Proposal.objects.get(pk=proposal.pk).mass_kg) == "12.50"


def test_the_editor_adds_co_investigators_by_email_or_by_name(client, proposal, pi):
    colleague = UserFactory(email="colleague@moon.example.org")
    client.force_login(pi)
    data = _editor(client, proposal)
    data.update(
        {
            "team-0-email": "Colleague@Moon.example.org",
            "team-1-full_name": "Ines Outside",
            "team-1-organisation_name": "University of Lisbon",
            "team-1-country": "PT",
        }
    )
    response = client.post(reverse("proposals:proposal_edit", args=[proposal.pk]), data)
    assert response.status_code == 302
    # Someone from outside the lead organisation is invited: only the address typed is kept until they accept.
    assert list(TeamMember.objects.values_list("user", "email", "full_name", "organisation_name", "status")) == [
        (None, "Colleague@Moon.example.org", "", "", "invited"),
        (None, "", "Ines Outside", "University of Lisbon", "member"),
    ]
    assert colleague.team_memberships.count() == 0


def test_the_editor_asks_for_an_email_or_a_name_and_organisation(client, proposal, pi):
    client.force_login(pi)
    data = {**_editor(client, proposal), "team-0-full_name": "Ines Outside"}
    response = client.post(reverse("proposals:proposal_edit", args=[proposal.pk]), data)
    assert response.status_code == 200
    assert "Give the person&#x27;s email to invite them, or their name and organisation." in response.content.decode()
    assert 'value="Ines Outside"' in response.content.decode()


def test_the_editor_of_a_submitted_proposal_says_which_version_counts(client, proposal, pi):
    services.submit_proposal(proposal=proposal, by=pi)
    client.force_login(pi)
    page = client.get(reverse("proposals:proposal_edit", args=[proposal.pk])).content.decode()
    assert "Version 1, submitted" in page and "is the one under consideration" in page


def test_after_the_deadline_the_editor_refuses_to_save_and_names_the_deadline(client, proposal, pi, call):
    client.force_login(pi)
    data = {**_editor(client, proposal), "title": "Too late"}
    Call.objects.filter(pk=call.pk).update(deadline=timezone.now() - timedelta(minutes=1))
    call.refresh_from_db()
    response = client.post(reverse("proposals:proposal_edit", args=[proposal.pk]), data)
    assert response.status_code == 200
    assert when(call.deadline, call.time_zone) in response.content.decode()
    assert 'value="Too late"' in response.content.decode()
    assert Proposal.objects.get(pk=proposal.pk).title == "Regolith dust analyser"


def test_an_expired_session_keeps_what_was_typed_until_the_person_signs_in_again(client, proposal, pi, password):
    client.force_login(pi)
    url = reverse("proposals:proposal_edit", args=[proposal.pk])
    data = {**_editor(client, proposal), "title": "Typed before the session expired"}
    client.logout()

    response = client.post(url, data)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={url}"
    assert Proposal.objects.get(pk=proposal.pk).title == "Regolith dust analyser"

    signed_in = client.post(
        f"{reverse('accounts:login')}?next={url}", {"username": pi.email, "password": password, "next": url}
    )
    assert signed_in.status_code == 302 and signed_in["Location"] == url
    page = client.get(url).content.decode()
    assert "Your session had expired. Here is what you typed; save it again." in page
    assert 'value="Typed before the session expired"' in page
    assert Proposal.objects.get(pk=proposal.pk).title == "Regolith dust analyser", "nothing is saved unasked"

    again = client.get(url).content.decode()
    assert 'value="Regolith dust analyser"' in again, "the stash is used once"


def test_a_signed_out_visitor_is_sent_to_sign_in_from_the_editor(client, proposal):
    url = reverse("proposals:proposal_edit", args=[proposal.pk])
    response = client.get(url)
    assert response.status_code == 302 and response["Location"] == f"{reverse('accounts:login')}?next={url}"


# Partners: submitting and withdrawing ------------------------------------------------------------


def test_submitting_from_the_check_page(client, proposal, pi):
    client.force_login(pi)
    url = reverse("proposals:proposal_submit", args=[proposal.pk])
    page = client.get(url).content.decode()
    assert "Submit the proposal" in page and "within the limit" in page
    response = client.post(url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("proposals:proposal_detail", args=[proposal.pk])
    assert "Submitted as version 1. A receipt has been emailed to the team." in response.content.decode()
    assert proposal.versions.get().number == 1


def test_withdrawing_from_the_proposal_page(client, proposal, pi):
    services.submit_proposal(proposal=proposal, by=pi)
    client.force_login(pi)
    detail = client.get(reverse("proposals:proposal_detail", args=[proposal.pk])).content.decode()
    withdraw = reverse("proposals:proposal_withdraw", args=[proposal.pk])
    assert f'href="{withdraw}"' in detail
    confirm = client.get(withdraw).content.decode()
    assert "The submitted version stops counting" in confirm and "Withdraw the proposal</button>" in confirm
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.SUBMITTED
    response = client.post(
        reverse("proposals:proposal_withdraw", args=[proposal.pk]), {"reason": "More data"}, follow=True
    )
    assert "The proposal was withdrawn." in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.WITHDRAWN


def test_the_proposal_list_shows_the_organisations_proposals_with_their_deadline(client, proposal, partner_member):
    client.force_login(partner_member)
    page = client.get(reverse("proposals:proposal_list")).content.decode()
    assert "Regolith dust analyser" in page
    assert "Palesa Principal" in page
    assert "left</span>" in page and "(Asia/Shanghai)" in page


# Administrators: calls ---------------------------------------------------------------------------

PLATFORM_FORM = {
    "kind": "lander",
    "name": "Research module",
    "total_mass_kg": "300",
    "total_average_power_w": "800",
    "total_data_mb_per_day": "20000",
    "max_mass_kg": "40",
    "max_average_power_w": "100",
    "max_peak_power_w": "200",
    "max_length_mm": "400",
    "max_width_mm": "300",
    "max_height_mm": "300",
    "min_operating_temp_c": "-170",
    "max_operating_temp_c": "70",
}


@pytest.fixture
def call_form(client, programme_admin):
    """The new-call form as the editor shows it, filled in as an administrator would."""
    mission = MissionFactory(name="ILRS-1")
    client.force_login(programme_admin)
    blank = client.get(reverse("proposals:call_create")).context
    assert (blank["criteria"].prefix, blank["platforms"].prefix) == ("criteria", "platforms")
    assert [form["name"].value() for form in blank["criteria"].initial_forms] == [
        "Scientific value",
        "Technical feasibility",
        "Diversity of international collaboration",
    ]
    return {
        **post_data(blank["form"], blank["criteria"], blank["platforms"]),
        "mission": str(mission.pk),
        "title": "ILRS-1 research instruments",
        "reference": "ilrs1-2031",
        "description": "Instruments for the research facilities.",
        "eligible_kinds": ["university", "research_institute"],
        "time_zone": "Asia/Shanghai",
        "deadline": "2030-03-31T23:59",
        "anonymity": "dual",
        "criteria-0-weight": "60",
        "criteria-1-weight": "40",
        "criteria-2-DELETE": "on",
        **{f"platforms-0-{key}": value for key, value in PLATFORM_FORM.items()},
    }


def test_an_administrator_creates_a_call_with_criteria_and_platforms(client, call_form):
    response = client.post(reverse("proposals:call_create"), call_form)
    call = Call.objects.get(reference="ilrs1-2031")
    assert response.status_code == 302 and response["Location"] == reverse("proposals:call_edit", args=[call.pk])
    assert call.status == Call.Status.DRAFT
    assert call.eligible_kinds == ["university", "research_institute"]
    assert call.deadline.isoformat() == "2030-03-31T15:59:00+00:00", "typed in Beijing time, stored in UTC"
    assert call.criteria == [
        {"key": "scientific_value", "name": "Scientific value", "weight": 60},
        {"key": "technical_feasibility", "name": "Technical feasibility", "weight": 40},
    ]
    platform = call.platforms.get()
    assert (platform.name, platform.max_mass_kg, platform.min_operating_temp_c) == ("Research module", 40, -170)


def test_the_call_editor_keeps_what_was_typed_when_the_weights_are_wrong(client, call_form):
    response = client.post(reverse("proposals:call_create"), {**call_form, "criteria-1-weight": "30"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "The weights add up to 90; they must add up to 100." in page
    assert 'value="ILRS-1 research instruments"' in page and 'value="Research module"' in page
    assert not Call.objects.exists()


def test_the_call_editor_refuses_a_letter_deadline_after_the_deadline(client, call_form):
    data = {**call_form, "has_letter_stage": "on", "letter_deadline": "2030-04-30T12:00"}
    response = client.post(reverse("proposals:call_create"), data)
    assert response.status_code == 200
    assert "The letter-of-intent deadline must come before the proposal deadline." in response.content.decode()
    assert not Call.objects.exists()


def test_an_administrator_edits_a_draft_call_and_opens_it(client, programme_admin):
    call = CallFactory(status="draft", title="Draft title")
    client.force_login(programme_admin)
    url = reverse("proposals:call_edit", args=[call.pk])
    response = client.get(url)
    data = post_data(response.context["form"], response.context["criteria"], response.context["platforms"])
    data.update({"title": "Final title", "platforms-0-name": "Chang'e-8 lander", "platforms-0-max_mass_kg": "12"})

    saved = client.post(url, data, follow=True)
    assert "Call saved." in saved.content.decode()
    call.refresh_from_db()
    assert call.title == "Final title"
    assert list(call.platforms.values_list("name", "max_mass_kg")) == [("Chang'e-8 lander", 12)]

    opened = client.post(reverse("proposals:call_transition", args=[call.pk, "open"]), follow=True)
    assert "The call is now Open." in opened.content.decode()
    assert "Platforms are fixed once the call is open." in opened.content.decode()
    assert Call.objects.get(pk=call.pk).status == Call.Status.OPEN


def test_opening_an_incomplete_call_from_its_page_says_why(client, programme_admin):
    call = CallFactory(status="draft", platforms=[])
    client.force_login(programme_admin)
    page = client.get(reverse("proposals:call_edit", args=[call.pk])).content.decode()
    assert "Offer at least one platform." in page
    response = client.post(reverse("proposals:call_transition", args=[call.pk, "open"]), follow=True)
    assert "Offer at least one platform." in response.content.decode()
    assert Call.objects.get(pk=call.pk).status == Call.Status.DRAFT


def test_manage_calls_lists_every_call_with_its_counts(client, programme_admin, call, organisation):
    CallFactory(status="draft", title="Quiet draft call")
    submitted = ProposalFactory(call=call, organisation=organisation)
    services.submit_proposal(proposal=submitted, by=submitted.principal_investigator)
    ProposalFactory.create_batch(2, call=call, organisation=organisation)
    withdrawn = ProposalFactory(call=call, organisation=organisation)
    services.submit_proposal(proposal=withdrawn, by=withdrawn.principal_investigator)
    services.withdraw_proposal(proposal=withdrawn, by=withdrawn.principal_investigator)
    client.force_login(programme_admin)

    response = client.get(reverse("proposals:manage_calls"))
    page = response.content.decode()
    assert "Quiet draft call" in page and "Chang&#x27;e-8 international payloads" in page
    counts = {row.title: (row.proposal_count, row.draft_count) for row in response.context["page"].object_list}
    assert counts == {"Chang'e-8 international payloads": (1, 2), "Quiet draft call": (0, 0)}

    drafts_only = client.get(reverse("proposals:manage_calls"), {"status": "draft"}).content.decode()
    assert "Quiet draft call" in drafts_only and "international payloads" not in drafts_only


# Administrators: submissions --------------------------------------------------------------------


@pytest.fixture
def submissions(call):
    cairo = OrganisationFactory(name="Cairo Space Agency", country="EG", kind="space_agency")
    bangkok = OrganisationFactory(name="Bangkok Lunar Lab", country="TH", kind="university")
    minsk = OrganisationFactory(name="Minsk Optics", country="BY", kind="company")
    submitted = ProposalFactory(call=call, organisation=cairo, title="Cairo spectrometer")
    services.submit_proposal(proposal=submitted, by=submitted.principal_investigator)
    ProposalFactory(call=call, organisation=bangkok, title="Bangkok seismometer")
    ProposalFactory(call=call, organisation=minsk, title="Minsk camera", stage="letter")
    ProposalFactory(title="Another call's proposal")
    return submitted


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, ["Bangkok seismometer", "Cairo spectrometer", "Minsk camera"]),
        ({"stage": "letter"}, ["Minsk camera"]),
        ({"status": "submitted"}, ["Cairo spectrometer"]),
        ({"status": "draft"}, ["Bangkok seismometer", "Minsk camera"]),
        ({"country": "EG"}, ["Cairo spectrometer"]),
        ({"kind": "university"}, ["Bangkok seismometer"]),
        ({"kind": "university", "status": "submitted"}, []),
    ],
)
def test_the_submissions_list_filters(client, programme_admin, call, submissions, filters, expected):
    client.force_login(programme_admin)
    response = client.get(reverse("proposals:call_submissions", args=[call.pk]), filters)
    assert [proposal.title for proposal in response.context["page"].object_list] == expected
    page = response.content.decode()
    for title in ("Cairo spectrometer", "Bangkok seismometer", "Minsk camera", "Another call's proposal"):
        assert (title in page) == (title in expected)


def test_the_submissions_export_is_a_csv_of_the_filtered_rows(client, programme_admin, call, submissions):
    client.force_login(programme_admin)
    response = client.get(reverse("proposals:call_submissions", args=[call.pk]), {"format": "csv", "country": "EG"})
    assert response["Content-Disposition"] == 'attachment; filename="ce8-2026-submissions.csv"'
    header, *rows = csv_rows(response)
    assert header == [
        "Reference",
        "Title",
        "Title in own language",
        "Lead organisation",
        "Country",
        "Kind",
        "Principal investigator",
        "Stage",
        "Status",
        "Versions",
        "Co-investigators",
        "Platform",
        "Mass (kg)",
        "Average power (W)",
        "Peak power (W)",
        "Data (MB/day)",
        "TRL now",
        "Compliance",
        "Submitted at (UTC)",
    ]
    submissions.refresh_from_db()
    assert rows == [
        [
            submissions.reference,
            "Cairo spectrometer",
            "",
            "Cairo Space Agency",
            "EG",
            "Space agency",
            str(submissions.principal_investigator),
            "Full proposal",
            "Submitted",
            "1",
            "0",
            "Lander",
            "4.00",
            "20.00",
            "40.00",
            "100.00",
            "6",
            "Not checked",
            submissions.submitted_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        ]
    ]


def test_the_full_export_has_a_row_per_proposal_of_the_call(client, programme_admin, call, submissions):
    client.force_login(programme_admin)
    response = client.get(reverse("proposals:call_submissions", args=[call.pk]), {"format": "csv"})
    header, *rows = csv_rows(response)
    assert sorted(row[1] for row in rows) == ["Bangkok seismometer", "Cairo spectrometer", "Minsk camera"]


def test_the_export_keeps_formula_like_text_from_running_in_a_spreadsheet(client, programme_admin, call):
    ProposalFactory(call=call, title='=HYPERLINK("http://evil.example.org","Open me")')
    client.force_login(programme_admin)
    response = client.get(reverse("proposals:call_submissions", args=[call.pk]), {"format": "csv"})
    _header, row = csv_rows(response)
    assert row[1] == '\'=HYPERLINK("http://evil.example.org","Open me")'


def test_an_administrator_gives_the_call_in_chinese_and_russian(client, call_form):
    call_form.update(
        {
            "title_zh_hans": "国际月球科研站一号科学仪器",
            "title_ru": "Научные приборы МНЛС-1",
            "description_zh_hans": "研究设施的科学仪器。",
            "criteria-0-name_zh_hans": "科学价值",
            "criteria-0-name_ru": "Научная ценность",
        }
    )
    response = client.post(reverse("proposals:call_create"), call_form)

    assert response.status_code == 302
    call = Call.objects.get(reference="ilrs1-2031")
    assert (call.title_zh_hans, call.title_ru, call.description_ru) == (
        "国际月球科研站一号科学仪器",
        "Научные приборы МНЛС-1",
        "",
    )
    assert call.criteria[0] | {"weight": 0} == {
        "key": "scientific_value",
        "name": "Scientific value",
        "name_zh_hans": "科学价值",
        "name_ru": "Научная ценность",
        "weight": 0,
    }
    assert "name_ru" not in call.criteria[1]  # left empty: the English name applies
    editor = client.get(reverse("proposals:call_edit", args=[call.pk])).content.decode()
    assert 'value="国际月球科研站一号科学仪器"' in editor and 'value="Научная ценность"' in editor
