"""Fixtures shared by the calls and proposals tests: an open call with a lander and a team around a draft."""

from datetime import timedelta

import pytest
from django.utils import timezone

from partners.models import Membership
from proposals import services
from proposals.models import Call, ReviewAssignment
from tests.factories import (
    CallFactory,
    MembershipFactory,
    OrganisationFactory,
    ProposalFactory,
    ReviewAssignmentFactory,
    ReviewerProfileFactory,
    TeamMemberFactory,
)


@pytest.fixture
def call(db):
    """An open single-stage call, deadline in 30 days, with one lander (10 kg, 50 W, 80 W peak per payload)."""
    return CallFactory(title="Chang'e-8 international payloads", reference="ce8-2026")


@pytest.fixture
def lander(call):
    return call.platforms.get()


@pytest.fixture
def pi(organisation):
    """The principal investigator: a plain member of the lead organisation, not its partner admin."""
    return MembershipFactory(
        organisation=organisation,
        role=Membership.Role.MEMBER,
        user__email="pi@south-lunar.example.org",
        user__full_name="Palesa Principal",
    ).user


@pytest.fixture
def proposal(call, organisation, pi):
    """A complete draft within the lander's limits, ready to submit."""
    return ProposalFactory(
        call=call, organisation=organisation, principal_investigator=pi, title="Regolith dust analyser"
    )


@pytest.fixture
def lead_coinvestigator(proposal):
    """A co-investigator from the lead organisation."""
    colleague = MembershipFactory(
        organisation=proposal.organisation,
        user__email="coi@south-lunar.example.org",
        user__full_name="Kagiso Colleague",
    ).user
    TeamMemberFactory(proposal=proposal, user=colleague)
    return colleague


@pytest.fixture
def foreign_coinvestigator(proposal):
    """A co-investigator with a portal account in another partner organisation."""
    colleague = MembershipFactory(
        organisation=OrganisationFactory(name="Nile Space Lab", country="EG"),
        user__email="coi@nile-space.example.org",
        user__full_name="Nour Foreign",
    ).user
    TeamMemberFactory(proposal=proposal, user=colleague)
    return colleague


@pytest.fixture
def review_call(call, proposal):
    """`call` under review (closed yesterday, reviews due in 14 days) with `proposal` submitted as a full proposal."""
    services.submit_proposal(proposal=proposal, by=proposal.principal_investigator)
    now = timezone.now()
    Call.objects.filter(pk=call.pk).update(
        status=Call.Status.UNDER_REVIEW, deadline=now - timedelta(days=1), review_deadline=now + timedelta(days=14)
    )
    call.refresh_from_db()
    proposal.refresh_from_db()
    return call


@pytest.fixture
def reviewer(db):
    """An external reviewer from Germany, expert in payloads (no partner membership)."""
    return ReviewerProfileFactory(
        user__email="rita@reviewers.example.org", user__full_name="Rita Reviewer", keywords="regolith, dust"
    ).user


@pytest.fixture
def assignment(review_call, proposal, reviewer):
    """`reviewer` has accepted to review `proposal`."""
    return ReviewAssignmentFactory(proposal=proposal, reviewer=reviewer, status=ReviewAssignment.Status.ACCEPTED)


@pytest.fixture
def conflicted_reviewer(organisation):
    """A reviewer affiliated with the proposal's lead organisation (not a member of it): conflicted automatically."""
    return ReviewerProfileFactory(
        user__email="carl@reviewers.example.org", user__full_name="Carl Conflicted", affiliation=organisation
    ).user
