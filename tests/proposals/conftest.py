"""Fixtures shared by the calls and proposals tests: an open call with a lander and a team around a draft."""

import pytest

from partners.models import Membership
from tests.factories import CallFactory, MembershipFactory, OrganisationFactory, ProposalFactory, TeamMemberFactory


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
