"""Bidding: reviewers see a closed call's proposals they are not conflicted with, most affine first, and bid."""

import zoneinfo
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from proposals.models import Affinity, Bid, BidReminder, Call, Conflict
from proposals.review import bids
from tests.factories import CallFactory, ReviewerProfileFactory
from tests.proposals.review_support import submitted_proposal, text


@pytest.fixture
def bidding(review_call, proposal, reviewer):
    """`review_call` with three proposals; `reviewer` is closest to the seismometer, then to `proposal`."""
    seismometer = submitted_proposal(review_call, title="Far side seismometer", abstract="Moonquakes.")
    radio = submitted_proposal(review_call, title="Radio telescope", abstract="Low frequencies.")
    Affinity.objects.create(proposal=seismometer, reviewer=reviewer, score=0.8, rank=1, terms=["moonquakes"])
    Affinity.objects.create(proposal=proposal, reviewer=reviewer, score=0.4, rank=1, terms=["regolith"])
    return {"near": seismometer, "middle": proposal, "far": radio}


def test_the_bidding_page_lists_proposals_most_affine_first(client, bidding, review_call, reviewer):
    client.force_login(reviewer)

    page = text(client.get(reverse("proposals:call_bids", args=[review_call.pk])))

    titles = [bidding[key].title for key in ("near", "middle", "far")]
    assert [page.index(title) for title in titles] == sorted(page.index(title) for title in titles)
    assert 'type="radio"' in page and "<script" not in page.split("<main")[-1].split("</main>")[0]


def test_a_reviewer_never_sees_a_conflicted_proposal_on_the_bidding_page(client, bidding, review_call, reviewer):
    Conflict.objects.create(
        proposal=bidding["near"], reviewer=reviewer, kind=Conflict.Kind.ADDED, reason="Co-author.", created_by=reviewer
    )
    client.force_login(reviewer)

    page = text(client.get(reverse("proposals:call_bids", args=[review_call.pk])))

    assert bidding["near"].title not in page
    assert bidding["middle"].title in page


def test_a_dual_anonymous_call_shows_no_team_on_the_bidding_page(client, bidding, review_call, reviewer):
    organisation = bidding["middle"].organisation.name
    client.force_login(reviewer)
    url = reverse("proposals:call_bids", args=[review_call.pk])
    assert organisation in text(client.get(url))

    Call.objects.filter(pk=review_call.pk).update(anonymity=Call.Anonymity.DUAL)

    page = text(client.get(url))
    assert organisation not in page
    assert bidding["middle"].principal_investigator.full_name not in page


def test_bids_are_saved_changed_and_withdrawn_by_a_plain_form(client, bidding, review_call, reviewer):
    client.force_login(reviewer)
    url = reverse("proposals:call_bids", args=[review_call.pk])
    near, far = bidding["near"].pk, bidding["far"].pk

    client.post(url, {f"bid-{near}": "eager", f"bid-{far}": "not_willing"})
    assert dict(Bid.objects.values_list("proposal", "value")) == {near: "eager", far: "not_willing"}

    client.post(url, {f"bid-{near}": "willing", f"bid-{far}": ""})
    assert dict(Bid.objects.values_list("proposal", "value")) == {near: "willing"}
    assert 'value="willing" checked' in text(client.get(url))


@pytest.mark.parametrize("case", ["not a bid", "another call's proposal"])
def test_a_bad_bid_is_refused_and_nothing_is_saved(client, bidding, review_call, reviewer, case):
    client.force_login(reviewer)
    if case == "not a bid":
        form, message = {f"bid-{bidding['near'].pk}": "keen"}, "is not a bid"
    else:
        elsewhere = submitted_proposal(CallFactory(status=Call.Status.UNDER_REVIEW))
        form, message = {f"bid-{elsewhere.pk}": "eager"}, "cannot bid on proposal"
    form[f"bid-{bidding['far'].pk}"] = "eager"

    response = client.post(reverse("proposals:call_bids", args=[review_call.pk]), form, follow=True)

    assert response.status_code == 200
    assert message in text(response)
    assert not Bid.objects.exists()


def test_bidding_closes_at_its_deadline(client, bidding, review_call, reviewer):
    Call.objects.filter(pk=review_call.pk).update(bidding_deadline=timezone.now() - timedelta(minutes=1))
    client.force_login(reviewer)
    url = reverse("proposals:call_bids", args=[review_call.pk])

    assert client.get(url).status_code == 404
    assert client.post(url, {f"bid-{bidding['near'].pk}": "eager"}).status_code == 404
    assert not Bid.objects.exists()


def test_an_open_call_takes_no_bids_yet(client, call, proposal, reviewer):
    client.force_login(reviewer)
    assert client.get(reverse("proposals:call_bids", args=[call.pk])).status_code == 404


def test_the_bidding_page_reads_a_fixed_number_of_queries(client, review_call, reviewer, django_assert_max_num_queries):
    for n in range(30):
        proposal = submitted_proposal(review_call, title=f"Payload {n}")
        Affinity.objects.create(proposal=proposal, reviewer=reviewer, score=n / 30, rank=1)
    client.force_login(reviewer)

    with django_assert_max_num_queries(16):
        response = client.get(reverse("proposals:call_bids", args=[review_call.pk]))
    assert text(response).count('type="radio"') == 31 * 4


def test_my_reviews_leads_to_bidding(client, review_call, proposal, reviewer):
    client.force_login(reviewer)
    assert reverse("proposals:bidding_calls") in text(client.get(reverse("proposals:review_list")))
    page = text(client.get(reverse("proposals:bidding_calls")))
    assert reverse("proposals:call_bids", args=[review_call.pk]) in page


def test_reviewers_bid_over_the_api(api_client, bidding, review_call, reviewer):
    api_client.force_authenticate(reviewer)
    url = reverse("api:call-bids", args=[review_call.pk])

    rows = api_client.get(url).json()
    assert [row["id"] for row in rows] == [bidding[key].pk for key in ("near", "middle", "far")]
    assert rows[0]["affinity"] == 0.8 and "team" not in rows[0]

    response = api_client.post(url, {"bids": [{"proposal": bidding["far"].pk, "bid": "eager"}]}, format="json")
    assert response.status_code == 200
    assert Bid.objects.get().value == "eager"

    bad = api_client.post(url, {"bids": [{"proposal": bidding["far"].pk, "bid": "keen"}]}, format="json")
    assert bad.status_code == 400 and "bids" in bad.json()
    foreign = api_client.post(url, {"bids": [{"proposal": 999999, "bid": "eager"}]}, format="json")
    assert foreign.status_code == 400 and "bids" in foreign.json()


def test_the_bidding_deadline_is_set_by_an_administrator_in_the_calls_time_zone(client, review_call, programme_admin):
    client.force_login(programme_admin)
    moment = timezone.now() + timedelta(days=5)
    local = timezone.localtime(moment, zoneinfo.ZoneInfo(review_call.time_zone))

    client.post(
        reverse("proposals:call_bidding_deadline", args=[review_call.pk]),
        {"bidding_deadline": local.strftime("%Y-%m-%dT%H:%M")},
    )

    review_call.refresh_from_db()
    assert abs(review_call.bidding_deadline - moment) < timedelta(minutes=1)
    response = client.post(
        reverse("proposals:call_bidding_deadline", args=[review_call.pk]),
        {"bidding_deadline": "2001-01-01T10:00"},
        follow=True,
    )
    assert "must be in the future" in text(response)


def test_reviewers_are_reminded_to_bid_three_days_and_one_day_before_the_deadline(
    review_call, reviewer, django_capture_on_commit_callbacks
):
    ReviewerProfileFactory(user__email="second@reviewers.example.org")
    now = timezone.now()
    Call.objects.filter(pk=review_call.pk).update(bidding_deadline=now + timedelta(days=2, hours=12))

    with django_capture_on_commit_callbacks(execute=True):
        assert bids.send_bid_reminders(now) == 2
        assert bids.send_bid_reminders(now) == 0, "each reminder goes out once"
        assert bids.send_bid_reminders(now + timedelta(days=2)) == 2
    assert BidReminder.objects.count() == 4
    assert {m.to[0] for m in mail.outbox} >= {reviewer.email, "second@reviewers.example.org"}
    assert "Bidding for" in mail.outbox[0].subject


def test_bids_of_a_call_are_read_for_the_assignment(bidding, reviewer, review_call):
    bids.place_bids(call=review_call, by=reviewer, bids={bidding["near"].pk: "eager"})
    assert bids.bids_of(review_call) == {(bidding["near"].pk, reviewer.pk): "eager"}
