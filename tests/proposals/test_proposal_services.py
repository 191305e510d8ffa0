"""Starting and saving drafts: who may start one, on which calls, and who may change it afterwards."""

import pytest
from django.core.exceptions import ValidationError

from partners.services import suspend_organisation
from portal.audit.models import AuditEvent
from portal.errors import DomainError, NotAllowed, TransitionNotAllowed
from proposals import notices, services
from proposals.models import Proposal
from tests.factories import (
    CallFactory,
    MembershipFactory,
    OrganisationFactory,
    TeamMemberFactory,
    UserFactory,
)
from tests.proposals.support import pass_deadline


def test_factory_draft_is_complete_and_within_the_landers_limits(proposal):
    assert proposal.status == Proposal.Status.DRAFT and proposal.stage == Proposal.Stage.FULL
    assert services.submission_problems(proposal) == {}
    assert services.resource_problems(proposal) == {}


# Starting a draft -------------------------------------------------------------------------------


def test_partner_member_starts_a_draft_and_becomes_its_principal_investigator(call, partner_member, organisation):
    proposal = services.create_proposal(call=call, by=partner_member, data={"title": "Lunar seismometer"})
    assert (proposal.status, proposal.stage) == (Proposal.Status.DRAFT, Proposal.Stage.FULL)
    assert proposal.organisation == organisation
    assert proposal.principal_investigator == partner_member and proposal.created_by == partner_member
    event = AuditEvent.objects.get(action="proposal.created")
    assert (event.object_id, event.organisation, event.to_state) == (str(proposal.pk), organisation, "draft")


def test_a_draft_may_be_saved_with_gaps_and_says_what_is_missing(call, partner_member):
    proposal = services.create_proposal(call=call, by=partner_member, data={"title": "Lunar seismometer"})
    services.update_proposal(proposal=proposal, by=partner_member, data={"abstract": "Listens to moonquakes."})
    proposal.refresh_from_db()
    assert proposal.abstract == "Listens to moonquakes."
    problems = services.submission_problems(proposal)
    assert "abstract" not in problems and "title" not in problems
    assert problems["mass_kg"] == "Mass (kg) is required before submitting."
    assert problems["platform"] == "Platform is required before submitting."
    assert set(problems) == set(services.REQUIRED_FOR_FULL) - {"title", "abstract"}


def test_people_outside_a_partner_organisation_cannot_start_a_proposal(call, reviewer, programme_admin):
    for person in (reviewer, programme_admin):
        with pytest.raises(NotAllowed, match="Only people of a partner organisation"):
            services.create_proposal(call=call, by=person, data={"title": "Not mine to write"})
    assert not Proposal.objects.exists()


def test_a_suspended_organisation_cannot_start_a_proposal(call, partner_member, organisation, programme_admin):
    suspend_organisation(organisation=organisation, by=programme_admin, reason="Membership dues")
    partner_member.refresh_from_db()
    with pytest.raises(NotAllowed, match="suspended"):
        services.create_proposal(call=call, by=partner_member, data={"title": "Lunar seismometer"})
    assert not Proposal.objects.exists()


@pytest.mark.parametrize("status", ["draft", "closed", "under_review", "decided"])
def test_proposals_are_started_only_on_open_calls(partner_member, status):
    call = CallFactory(status=status)
    with pytest.raises(TransitionNotAllowed, match="not open"):
        services.create_proposal(call=call, by=partner_member, data={"title": "Lunar seismometer"})


def test_an_open_call_whose_deadline_passed_takes_no_new_drafts(call, partner_member):
    pass_deadline(call)
    with pytest.raises(TransitionNotAllowed, match="The deadline of this call has passed."):
        services.create_proposal(call=call, by=partner_member, data={"title": "Lunar seismometer"})


def test_an_ineligible_kind_of_organisation_is_refused(partner_member):
    call = CallFactory(eligible_kinds=["space_agency", "university"])
    with pytest.raises(DomainError, match="Organisations of your kind are not eligible"):
        services.create_proposal(call=call, by=partner_member, data={"title": "Lunar seismometer"})


def test_an_ineligible_country_is_refused(partner_member):
    call = CallFactory(eligible_countries=["CN", "RU"])
    with pytest.raises(DomainError, match="your country"):
        services.create_proposal(call=call, by=partner_member, data={"title": "Lunar seismometer"})


def test_eligible_kinds_and_countries_let_the_organisation_in(partner_member):
    call = CallFactory(eligible_kinds=["research_institute"], eligible_countries=["ZA"])
    assert services.create_proposal(call=call, by=partner_member, data={"title": "Lunar seismometer"}).pk


def test_the_platform_must_be_one_the_call_offers(call, partner_member):
    elsewhere = CallFactory().platforms.get()
    with pytest.raises(ValidationError) as refusal:
        services.create_proposal(call=call, by=partner_member, data={"title": "Drill", "platform": elsewhere})
    assert refusal.value.message_dict == {"platform": ["Choose one of the platforms this call offers."]}


def test_the_principal_investigator_must_belong_to_the_lead_organisation(call, partner_member, other_partner_admin):
    with pytest.raises(ValidationError) as refusal:
        services.create_proposal(
            call=call, by=partner_member, data={"title": "Drill", "principal_investigator": other_partner_admin}
        )
    assert "principal_investigator" in refusal.value.message_dict


@pytest.mark.parametrize(
    "field", ["trl_now", "trl_delivery", "mass_kg", "average_power_w", "peak_power_w", "data_mb_per_day"]
)
def test_impossible_values_are_refused_even_in_a_draft(call, partner_member, field):
    value = 12 if field.startswith("trl") else -1
    with pytest.raises(ValidationError) as refusal:
        services.create_proposal(call=call, by=partner_member, data={"title": "Drill", field: value})
    assert list(refusal.value.message_dict) == [field]


# Who may change a draft -----------------------------------------------------------------------


@pytest.mark.parametrize("editor", ["pi", "lead_coinvestigator", "partner_admin"])
def test_pi_lead_coinvestigators_and_the_partner_admin_may_edit(proposal, editor, request):
    person = request.getfixturevalue(editor)
    services.update_proposal(proposal=proposal, by=person, data={"title": f"Edited by {editor}"})
    assert Proposal.objects.get(pk=proposal.pk).title == f"Edited by {editor}"


@pytest.mark.parametrize("outsider", ["partner_member", "foreign_coinvestigator", "other_partner_admin", "reviewer"])
def test_others_may_not_edit(proposal, outsider, request):
    person = request.getfixturevalue(outsider)
    with pytest.raises(NotAllowed, match="Only the principal investigator"):
        services.update_proposal(proposal=proposal, by=person, data={"title": "Hijacked"})
    assert Proposal.objects.get(pk=proposal.pk).title == "Regolith dust analyser"


def test_a_change_to_a_submitted_proposal_waits_and_becomes_the_draft_on_withdrawal(proposal, pi):
    services.submit_proposal(proposal=proposal, by=pi)
    services.update_proposal(proposal=proposal, by=pi, data={"title": "Late change"})
    assert Proposal.objects.get(pk=proposal.pk).title == "Regolith dust analyser"
    services.withdraw_proposal(proposal=proposal, by=pi)
    assert Proposal.objects.get(pk=proposal.pk).title == "Late change"
    services.update_proposal(proposal=proposal, by=pi, data={"title": "Better title"})
    assert Proposal.objects.get(pk=proposal.pk).title == "Better title"


def test_a_suspended_organisation_cannot_change_its_drafts(proposal, pi, organisation, programme_admin):
    suspend_organisation(organisation=organisation, by=programme_admin, reason="Membership dues")
    with pytest.raises(NotAllowed, match="suspended"):
        services.update_proposal(proposal=proposal, by=pi, data={"title": "Changed"})


def test_the_pi_can_be_handed_to_a_colleague_of_the_lead_organisation(proposal, pi, partner_member):
    services.update_proposal(proposal=proposal, by=pi, data={"principal_investigator": partner_member})
    proposal.refresh_from_db()
    assert proposal.principal_investigator == partner_member


# The team -----------------------------------------------------------------------------------------


def test_team_links_colleagues_invites_others_and_keeps_outsiders_by_name(proposal, pi):
    colleague = MembershipFactory(organisation=proposal.organisation, user__full_name="Kagiso Colleague").user
    foreign = MembershipFactory(organisation=OrganisationFactory(name="Andes Lunar", country="CL")).user
    services.update_proposal(
        proposal=proposal,
        by=pi,
        data={},
        team=[
            {"email": colleague.email.upper(), "role": "Instrument scientist"},
            {"email": foreign.email},
            {"email": foreign.email, "role": "Twice"},
            {"email": pi.email},
            {"full_name": "Ines Outside", "organisation_name": "Uni", "country": "PT"},
        ],
    )
    team = list(proposal.team.values_list("user", "full_name", "organisation_name", "country", "role", "status"))
    assert team == [
        (colleague.pk, "Kagiso Colleague", proposal.organisation.name, "ZA", "Instrument scientist", "member"),
        (None, "", "", "", "Co-investigator", "invited"),
        (None, "Ines Outside", "Uni", "PT", "Co-investigator", "member"),
    ]


def test_team_is_replaced_as_a_whole_when_given(proposal, pi, lead_coinvestigator):
    services.update_proposal(proposal=proposal, by=pi, data={"title": "Same team"})
    assert list(proposal.team.values_list("user", flat=True)) == [lead_coinvestigator.pk]
    services.update_proposal(proposal=proposal, by=pi, data={}, team=[])
    assert not proposal.team.exists()


def test_team_member_factory_builds_outsiders_too(proposal):
    outsider = TeamMemberFactory(proposal=proposal, user=None, full_name="Ines Outside", email="ines@example.org")
    assert (outsider.organisation, outsider.organisation_name, outsider.country.code) == (
        None,
        "Outside Laboratory",
        "",
    )


def test_team_recipients_are_the_pi_and_each_co_investigator_with_an_email_once(proposal, pi, lead_coinvestigator):
    TeamMemberFactory(proposal=proposal, user=None, full_name="No Email", email="")
    TeamMemberFactory(proposal=proposal, user=None, full_name="Ines Outside", email="Ines@Uni.example.org")
    TeamMemberFactory(proposal=proposal, user=None, full_name="Ines Again", email="ines@uni.example.org")
    stranger = UserFactory()
    recipients = notices.team_recipients(proposal)
    assert recipients == {pi.email: pi, lead_coinvestigator.email: lead_coinvestigator, "ines@uni.example.org": None}
    assert stranger.email not in recipients
