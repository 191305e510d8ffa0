"""The assignment's score (stored affinity, areas, bids), its fairness report and the reasons it shows."""

import csv
import io

import pytest
from django.urls import reverse

from proposals.models import Affinity, Bid, Call, ReviewAssignment
from proposals.review import bids, matching
from proposals.review import services as review_services
from tests.helpers import csv_text
from tests.proposals.review_support import audit_rows, new_reviewer, submitted_proposal, text


@pytest.fixture
def one_per_proposal(review_call):
    Call.objects.filter(pk=review_call.pk).update(reviewers_per_proposal=1)
    review_call.refresh_from_db()
    return review_call


def _affinity(proposal, reviewer, score, rank=1, terms=()):
    return Affinity.objects.create(proposal=proposal, reviewer=reviewer, score=score, rank=rank, terms=list(terms))


def _assigned():
    return set(ReviewAssignment.objects.values_list("proposal__title", "reviewer__full_name"))


def test_the_formula_and_its_weights_are_what_the_page_says():
    facts = matching.PairFacts(affinity=0.42, bid=Bid.Value.EAGER)
    assert matching.score(facts, shared_areas=2) == 42 + 20 + 40
    assert matching.score(matching.PairFacts(affinity=0.42, bid=Bid.Value.WILLING), 0) == 42 + 15
    assert matching.score(matching.PairFacts(affinity=0.42, bid=Bid.Value.NOT_WILLING), 0) == 42
    assert "100 × affinity" in matching.formula() and "40 for an eager bid" in matching.formula()


def test_the_assignment_follows_the_stored_affinity(one_per_proposal, proposal, programme_admin):
    seismic = submitted_proposal(one_per_proposal, title="Seismometer")
    ada = new_reviewer("Ada Quake", max_load_per_call=1)
    ben = new_reviewer("Ben Dust", max_load_per_call=1)
    _affinity(seismic, ada, 0.9)
    _affinity(proposal, ben, 0.7)
    _affinity(proposal, ada, 0.3, rank=2)

    review_services.assign_reviewers(call=one_per_proposal, by=programme_admin)

    assert _assigned() == {("Seismometer", "Ada Quake"), (proposal.title, "Ben Dust")}


def test_an_eager_bid_lifts_a_pair(one_per_proposal, proposal, programme_admin):
    other = submitted_proposal(one_per_proposal, title="Second payload")
    ada = new_reviewer("Ada Eager", max_load_per_call=1)
    ben = new_reviewer("Ben Neutral", max_load_per_call=1)
    for reviewer in (ada, ben):
        _affinity(proposal, reviewer, 0.5)
        _affinity(other, reviewer, 0.5)
    bids.place_bids(call=one_per_proposal, by=ada, bids={other.pk: "eager"})

    review_services.assign_reviewers(call=one_per_proposal, by=programme_admin)

    assert ("Second payload", "Ada Eager") in _assigned()
    report = matching.last_report(one_per_proposal)
    assert (report["bids_wanted"], report["bids_honoured"]) == (1, 1)


def test_not_willing_is_respected_when_someone_else_can_take_the_proposal(one_per_proposal, proposal, programme_admin):
    keen = new_reviewer("Nora Refuses", max_load_per_call=1)
    other = new_reviewer("Olaf Other", max_load_per_call=1)
    _affinity(proposal, keen, 0.9)
    _affinity(proposal, other, 0.1, rank=2)
    bids.place_bids(call=one_per_proposal, by=keen, bids={proposal.pk: "not_willing"})

    result = review_services.assign_reviewers(call=one_per_proposal, by=programme_admin)

    assert _assigned() == {(proposal.title, "Olaf Other")}
    assert result.unwilling == []


def test_not_willing_is_overridden_only_when_nobody_else_can_fill_the_slot_and_the_report_says_so(
    client, one_per_proposal, proposal, programme_admin
):
    only = new_reviewer("Nora Only", max_load_per_call=1)
    bids.place_bids(call=one_per_proposal, by=only, bids={proposal.pk: "not_willing"})
    client.force_login(programme_admin)

    response = client.post(
        reverse("proposals:call_review", args=[one_per_proposal.pk]), {"action": "assign"}, follow=True
    )

    assert _assigned() == {(proposal.title, "Nora Only")}
    page = text(response)
    assert f"{proposal.reference}: Nora Only bid not willing, but no one else could fill the slot." in page
    assert "Assigned against a not-willing bid" in page
    [event] = audit_rows("call.reviewers_assigned")
    assert event.data["not_willing"] == [[proposal.reference, only.email]]
    assert event.data["report"]["not_willing_assigned"] == 1


def test_the_page_shows_the_formula_and_the_fairness_figures_of_the_last_run(
    client, review_call, proposal, programme_admin
):
    for name in ("Ann One", "Bob Two", "Cid Three"):
        _affinity(proposal, new_reviewer(name), 0.5)
    review_services.assign_reviewers(call=review_call, by=programme_admin)
    client.force_login(programme_admin)

    page = text(client.get(reverse("proposals:call_review", args=[review_call.pk])))

    assert "100 × affinity" in page
    report = matching.last_report(review_call)
    assert report["minimum"] == report["median"] == report["total"] == 3 * (50 + 10)
    for label in ("Total match", "Lowest match of a proposal", "Median match of a proposal", "Load per reviewer"):
        assert label in page


def test_every_assignment_shows_its_reasons_on_the_board_and_in_the_export(
    client, review_call, proposal, programme_admin
):
    quake = new_reviewer("Quinn Quake", expertise_areas=["payloads"])
    _affinity(proposal, quake, 0.61, rank=1, terms=["regolith", "dust"])
    bids.place_bids(call=review_call, by=quake, bids={proposal.pk: "eager"})
    review_services.assign_reviewers(call=review_call, by=programme_admin)
    client.force_login(programme_admin)

    board = text(client.get(reverse("proposals:call_review", args=[review_call.pk])))
    assert "shared terms: regolith, dust" in board
    assert "bid: Eager" in board
    assert "affinity 0.61, rank 1 for this proposal" in board
    assert "shared areas: Payloads" in board

    export = client.get(reverse("proposals:call_assignments_export", args=[review_call.pk]))
    rows = list(csv.DictReader(io.StringIO(csv_text(export))))
    [row] = [row for row in rows if row["Reviewer"] == "Quinn Quake"]
    assert (row["Affinity"], row["Affinity rank for the proposal"], row["Bid"]) == ("0.61", "1", "Eager")
    assert row["Top shared terms"] == "regolith; dust" and row["Shared areas"] == "Payloads"
    assert row["Match"] == str(61 + 10 + 40)


def test_the_export_keeps_a_formula_like_title_as_text(client, review_call, programme_admin):
    hostile = submitted_proposal(review_call, title="=HYPERLINK(1)")
    _affinity(hostile, new_reviewer("Ann One"), 0.5)
    review_services.assign_reviewers(call=review_call, by=programme_admin)
    client.force_login(programme_admin)

    content = csv_text(client.get(reverse("proposals:call_assignments_export", args=[review_call.pk])))

    assert "'=HYPERLINK(1)" in content


def test_the_board_reads_a_fixed_number_of_queries_with_reasons(
    client, review_call, programme_admin, django_assert_max_num_queries
):
    reviewers = [new_reviewer(f"Rev {n}", max_load_per_call=20) for n in range(4)]
    for n in range(15):
        proposal = submitted_proposal(review_call, title=f"P {n}")
        for reviewer in reviewers:
            _affinity(proposal, reviewer, 0.1 * (n % 5), terms=["dust"])
    review_services.assign_reviewers(call=review_call, by=programme_admin)
    client.force_login(programme_admin)

    with django_assert_max_num_queries(25):
        response = client.get(reverse("proposals:call_review", args=[review_call.pk]))
    assert text(response).count("shared terms: dust") >= 15
