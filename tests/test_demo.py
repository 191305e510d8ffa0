"""The demo data behind `make run`: loads on an empty database, loads again without duplicates, and shows
every role something to do."""

import io

import pytest
from django.core.management import call_command

from partners.demo import DEMO_PASSWORD
from partners.models import Organisation
from proposals.models import Call, Proposal, Review, ReviewAssignment
from tests.helpers import sign_in


@pytest.fixture
def demo(db):
    call_command("load_demo", stdout=io.StringIO())


def test_the_demo_loads_twice_without_duplicates(demo):
    counts = (Organisation.objects.count(), Proposal.objects.count(), ReviewAssignment.objects.count())
    call_command("load_demo", stdout=io.StringIO())
    assert (Organisation.objects.count(), Proposal.objects.count(), ReviewAssignment.objects.count()) == counts
    assert counts[0] >= 20


def test_the_demo_puts_a_call_in_review_with_reviews_to_rank(demo, client):
    ce7 = Call.objects.get(reference="ce7-2023")
    assert ce7.status == Call.Status.UNDER_REVIEW
    assert Review.objects.filter(assignment__proposal__call=ce7, status="submitted").count() == 6
    assert sign_in(client, "admin@ilrs.example", DEMO_PASSWORD)
    ranking = client.get(f"/manage/calls/{ce7.pk}/ranking/").content.decode()
    assert "Heat flow probe for the south pole" in ranking and "Lunar dust and plasma sensor" in ranking


def test_the_demo_reviewer_has_assignments_to_answer(demo, client):
    assert sign_in(client, "reviewer@ilrs.example", DEMO_PASSWORD)
    page = client.get("/reviews/").content.decode()
    assert page.count('value="accept"') == 3


def test_the_demo_has_a_call_at_every_stage_and_released_outcomes(demo, client):
    assert set(Call.objects.values_list("status", flat=True)) == set(Call.Status.values)
    assert Organisation.objects.count() >= 30
    assert Organisation.objects.values("country").distinct().count() >= 25
    ce6 = Call.objects.get(reference="ce6-2019")
    assert ce6.proposals.filter(decision__released_at__isnull=False).count() == 10
    assert sign_in(client, "admin@ilrs.example", DEMO_PASSWORD)
    home = client.get("/accounts/").content.decode()
    assert "Start the review" in home and "Kenya Lunar Lab" in home


def test_a_demo_team_sees_its_released_outcome_on_its_home_page(demo, client):
    assert sign_in(client, "pi@inaf.example", DEMO_PASSWORD)
    assert "Decision released: Selected" in client.get("/accounts/").content.decode()
