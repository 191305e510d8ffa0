"""Lists run a fixed number of queries however many rows they show: pinned at 30 rows and again at 60."""

import pytest
from django.urls import reverse
from django.utils import timezone

from proposals import services
from proposals.models import Call, Proposal, ProposalVersion
from tests.factories import CallFactory, ProposalFactory, TeamMemberFactory

SIZES = (30, 60)


@pytest.fixture
def grow(call, organisation, partner_admin):
    """Bring the call to `total` proposals of the organisation, each with a team and every third one submitted."""

    def _grow(total):
        for index in range(call.proposals.count(), total):
            proposal = ProposalFactory(
                call=call, organisation=organisation, principal_investigator=partner_admin, title=f"Payload {index}"
            )
            TeamMemberFactory(proposal=proposal)
            TeamMemberFactory(proposal=proposal, user=None, full_name=f"Outsider {index}", email=f"o{index}@x.org")
            if index % 3 == 0:
                ProposalVersion.objects.create(
                    proposal=proposal,
                    number=1,
                    stage="full",
                    content={},
                    content_hash="0" * 64,
                    submitted_by=partner_admin,
                )
                Proposal.objects.filter(pk=proposal.pk).update(status="submitted", submitted_at=timezone.now())

    return _grow


@pytest.fixture
def grow_calls(db):
    """Bring the number of open calls (each with its lander) to `total`."""

    def _grow(total):
        for index in range(Call.objects.count(), total):
            CallFactory(title=f"Call {index}")

    return _grow


def test_the_call_list_page(client, grow_calls, partner_admin, django_assert_max_num_queries):
    client.force_login(partner_admin)
    for size in SIZES:
        grow_calls(size)
        with django_assert_max_num_queries(7):
            response = client.get(reverse("proposals:call_list"))
        assert len(response.context["page"].object_list) == 25


def test_the_proposal_list_page(client, grow, partner_admin, django_assert_max_num_queries):
    client.force_login(partner_admin)
    for size in SIZES:
        grow(size)
        # One of them reads which proposals the person is a co-investigator of (see proposals_visible_to).
        with django_assert_max_num_queries(8):
            response = client.get(reverse("proposals:proposal_list"))
        assert len(response.context["page"].object_list) == 25


def test_the_submissions_page_and_its_export(client, grow, call, programme_admin, django_assert_max_num_queries):
    client.force_login(programme_admin)
    url = reverse("proposals:call_submissions", args=[call.pk])
    for size in SIZES:
        grow(size)
        with django_assert_max_num_queries(7):
            response = client.get(url)
        assert len(response.context["page"].object_list) == 25
        with django_assert_max_num_queries(4):
            rows = b"".join(client.get(url, {"format": "csv"}).streaming_content).decode().strip().splitlines()
        assert len(rows) == size + 1


def test_the_manage_calls_page(client, grow_calls, programme_admin, django_assert_max_num_queries):
    client.force_login(programme_admin)
    for size in SIZES:
        grow_calls(size)
        with django_assert_max_num_queries(7):
            response = client.get(reverse("proposals:manage_calls"))
        assert len(response.context["page"].object_list) == 25


def test_the_proposals_api(api_as, grow, partner_admin, django_assert_max_num_queries):
    client = api_as(partner_admin)
    for size in SIZES:
        grow(size)
        with django_assert_max_num_queries(4):
            response = client.get("/api/v1/proposals/", {"page_size": 200})
        assert response.json()["count"] == size
        assert all(len(row["team"]) == 2 for row in response.json()["results"])


def test_the_calls_api(api_client, grow_calls, django_assert_max_num_queries):
    for size in SIZES:
        grow_calls(size)
        with django_assert_max_num_queries(3):
            response = api_client.get("/api/v1/calls/", {"page_size": 200})
        assert response.json()["count"] == size


def test_the_versions_api(api_as, call, organisation, partner_admin, django_assert_max_num_queries):
    proposal = ProposalFactory(call=call, organisation=organisation, principal_investigator=partner_admin)
    client = api_as(partner_admin)
    for size in (3, 6):
        while ProposalVersion.objects.filter(proposal=proposal).count() < size:
            services.submit_proposal(proposal=proposal, by=partner_admin)
            services.withdraw_proposal(proposal=proposal, by=partner_admin)
        with django_assert_max_num_queries(6):
            response = client.get(f"/api/v1/proposals/{proposal.pk}/versions/")
        assert response.json()["count"] == size
