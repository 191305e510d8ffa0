"""Every page and export runs the same number of queries however many rows there are."""

from datetime import date

import pytest
from django.urls import reverse

from portal.audit.services import record_event
from proposals.models import Decision
from tests.factories import (
    OrganisationFactory,
    ProposalFactory,
    RegistrationFactory,
    ReviewAssignmentFactory,
    ReviewFactory,
    TeamMemberFactory,
)

COUNTRIES = ["BR", "IN", "FR", "KE", "NZ", "PE", "KZ"]


def grow(programme, admin, count):
    """More partners from more countries, proposals with teams and decisions, reviews, applications, audit rows."""
    for number in range(count):
        organisation = OrganisationFactory(
            country=COUNTRIES[number % len(COUNTRIES)], joined_on=date(2020 + number % 6, 1, 1), kind="university"
        )
        call = (programme.calls.x, programme.calls.y, programme.calls.z)[number % 3]
        proposal = ProposalFactory(
            call=call, organisation=organisation, status="submitted", platform=call.platforms.first()
        )
        TeamMemberFactory(proposal=proposal, user=None, full_name="Guest", organisation_name="Lab", country="CL")
        Decision.objects.create(proposal=proposal, outcome="selectable", decided_by=admin)
        ReviewFactory(assignment=ReviewAssignmentFactory(proposal=proposal))
        RegistrationFactory()
        record_event(actor=admin, action="organisation.created", obj=organisation, organisation=organisation)


@pytest.fixture
def constant(programme, programme_admin, client, django_assert_max_num_queries):
    """Assert that a request takes at most `most` queries, and as many again after the data has grown."""
    client.force_login(programme_admin)

    def check(url, *, most, query=None):
        def count():
            with django_assert_max_num_queries(most) as captured:
                response = client.get(url, query or {})
                assert response.status_code == 200
                if response.streaming:
                    b"".join(response.streaming_content)
            return len(captured)

        grow(programme, programme_admin, 2)
        before = count()
        grow(programme, programme_admin, 12)
        assert count() == before, "the query count grew with the rows"

    return check


def test_dashboard(constant):
    constant(reverse("dashboard:dashboard"), most=17)


def test_dashboard_with_every_filter(constant, programme):
    call = programme.calls.x
    query = {"phase": "construction_1", "mission": call.mission_id, "call": call.pk, "year": 2023}
    constant(reverse("dashboard:dashboard"), most=19, query=query)


def test_figure_export(constant):
    constant(reverse("dashboard:figure_export", args=["review", "reviewer_load", "csv"]), most=15)


def test_public_page(constant):
    constant(reverse("dashboard:participation"), most=8)


def test_exports_page(constant):
    constant(reverse("dashboard:export_list"), most=10)


@pytest.mark.parametrize("kind", ["partners", "people", "proposals", "reviews", "decisions"])
def test_streamed_export(constant, kind):
    constant(reverse("dashboard:export_stream", args=[kind]), most=5)


def test_audit_log(constant):
    constant(reverse("dashboard:audit_log"), most=8)
