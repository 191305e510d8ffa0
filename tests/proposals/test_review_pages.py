"""The peer-review pages: who may open them, the assignment board's pages, and query counts that do not grow."""

import pytest
from django.urls import reverse

from proposals.models import Call, Conflict, Decision, Review, ReviewAssignment
from tests.factories import ReviewFactory
from tests.helpers import csv_rows
from tests.proposals.review_support import accepted, new_reviewer, submitted_proposal, text

# Who may open which page -------------------------------------------------------------------------


def _reviewer_pages(assignment):
    return [
        ("get", reverse("proposals:review_list")),
        ("get", reverse("proposals:review_edit", args=[assignment.pk])),
        ("post", reverse("proposals:review_edit", args=[assignment.pk])),
        ("post", reverse("proposals:assignment_respond", args=[assignment.pk])),
    ]


def _admin_pages(call):
    return [
        ("get", reverse("proposals:reviewer_list")),
        ("post", reverse("proposals:reviewer_list")),
        ("get", reverse("proposals:call_review", args=[call.pk])),
        ("post", reverse("proposals:call_review", args=[call.pk])),
        ("get", reverse("proposals:call_ranking", args=[call.pk])),
        ("get", reverse("proposals:call_ranking", args=[call.pk]) + "?format=csv"),
        ("get", reverse("proposals:call_ranking", args=[call.pk]) + "?format=xlsx"),
        ("post", reverse("proposals:call_ranking", args=[call.pk])),
    ]


def test_anonymous_visitors_are_sent_to_sign_in_from_every_review_page(client, assignment, review_call):
    for method, url in _reviewer_pages(assignment) + _admin_pages(review_call):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), url


@pytest.mark.parametrize("who", ["pi", "partner_admin", "other_partner_admin", "programme_admin"])
def test_people_who_are_not_reviewers_get_404_on_reviewer_pages(request, client, assignment, who):
    client.force_login(request.getfixturevalue(who))
    for method, url in _reviewer_pages(assignment):
        assert getattr(client, method)(url, {"action": "accept"}).status_code == 404, url
    assert ReviewAssignment.objects.get(pk=assignment.pk).status == ReviewAssignment.Status.ACCEPTED


@pytest.mark.parametrize("who", ["pi", "partner_admin", "other_partner_admin", "reviewer"])
def test_partners_and_reviewers_get_404_on_the_administrators_review_pages(
    request, client, assignment, review_call, proposal, who
):
    ReviewFactory(assignment=assignment)
    client.force_login(request.getfixturevalue(who))
    for method, url in _admin_pages(review_call):
        response = getattr(client, method)(url, {"action": "release", "proposal": proposal.pk, "outcome": "selected"})
        assert response.status_code == 404, url
    review_call.refresh_from_db()
    assert review_call.status == Call.Status.UNDER_REVIEW and not Decision.objects.exists()


# The assignment board ----------------------------------------------------------------------------


def test_the_assignment_board_is_paginated(client, review_call, programme_admin, reviewer):
    proposals = [submitted_proposal(review_call, title=f"Payload {n:02d}") for n in range(27)]
    for proposal in proposals:
        ReviewAssignment.objects.create(proposal=proposal, reviewer=reviewer)
    client.force_login(programme_admin)
    url = reverse("proposals:call_review", args=[review_call.pk])

    first = client.get(url)
    assert [a.proposal for a in first.context["page"].object_list] == proposals[:25]
    page = text(first)
    assert "Page 1 of 2" in page and "27 in all" in page and 'href="?page=2"' in page
    assert f"<td>{proposals[24].reference}</td>" in page and f"<td>{proposals[25].reference}</td>" not in page

    second = client.get(url, {"page": 2})
    assert [a.proposal for a in second.context["page"].object_list] == proposals[25:]
    assert f"<td>{proposals[26].reference}</td>" in text(second) and "Page 2 of 2" in text(second)


def test_the_call_review_page_leads_to_the_conflict_matrix_and_the_reviewer_pool(client, review_call, programme_admin):
    client.force_login(programme_admin)
    page = text(client.get(reverse("proposals:call_review", args=[review_call.pk])))
    for url in (reverse("proposals:call_conflicts", args=[review_call.pk]), reverse("proposals:reviewer_list")):
        assert f'href="{url}"' in page, url
        assert client.get(url).status_code == 200, url


# Tampered forms ----------------------------------------------------------------------------------

TAMPERED_IDS = ["abc", "1 OR 1=1", "", "-1", "99999999", "9" * 30, "9" * 5000]


@pytest.mark.parametrize("value", TAMPERED_IDS)
@pytest.mark.parametrize("action", ["add", "add_conflict", "lift_conflict"])
def test_a_tampered_proposal_or_reviewer_id_on_the_review_page_is_refused_with_a_message(
    client, review_call, proposal, reviewer, programme_admin, action, value
):
    client.force_login(programme_admin)
    url = reverse("proposals:call_review", args=[review_call.pk])
    for form, message in (
        ({"proposal": value, "reviewer": reviewer.pk}, "Choose a proposal of this call."),
        ({"proposal": proposal.pk, "reviewer": value}, "Choose a reviewer."),
    ):
        response = client.post(url, {"action": action, "reason": "Shares a grant.", **form}, follow=True)
        assert response.status_code == 200 and message in text(response), form
    assert not ReviewAssignment.objects.exists() and not Conflict.objects.exists()


@pytest.mark.parametrize("value", TAMPERED_IDS)
def test_a_tampered_assignment_id_on_the_review_page_is_refused_with_a_message(
    client, assignment, review_call, programme_admin, value
):
    client.force_login(programme_admin)
    url = reverse("proposals:call_review", args=[review_call.pk])
    response = client.post(url, {"action": "remove", "assignment": value}, follow=True)
    assert response.status_code == 200 and "This assignment is not in this call." in text(response)
    assert ReviewAssignment.objects.filter(pk=assignment.pk).exists()


@pytest.mark.parametrize("value", TAMPERED_IDS)
def test_a_tampered_proposal_id_on_the_ranking_page_is_refused_with_a_message(
    client, review_call, proposal, programme_admin, value
):
    client.force_login(programme_admin)
    url = reverse("proposals:call_ranking", args=[review_call.pk])
    response = client.post(url, {"proposal": value, "outcome": "selected"}, follow=True)
    assert response.status_code == 200 and "Choose a proposal of this call." in text(response)
    assert not Decision.objects.exists()


@pytest.mark.parametrize("action", ["frobnicate", "", None])
def test_an_unknown_action_on_the_review_page_is_refused_with_a_message(
    client, assignment, review_call, proposal, reviewer, programme_admin, action
):
    client.force_login(programme_admin)
    form = {"proposal": proposal.pk, "reviewer": reviewer.pk, "assignment": assignment.pk, "reason": "Why not."}
    if action is not None:
        form["action"] = action
    response = client.post(reverse("proposals:call_review", args=[review_call.pk]), form, follow=True)
    assert response.status_code == 200
    assert "This action is not recognised; nothing was changed." in text(response)
    assert list(ReviewAssignment.objects.all()) == [assignment] and not Conflict.objects.exists()
    review_call.refresh_from_db()
    assert review_call.status == Call.Status.UNDER_REVIEW


# Query counts ------------------------------------------------------------------------------------

SIZES = (3, 30)  # bounds measured at 3 proposals, then held at 30


@pytest.fixture
def grow(review_call, organisation, pi, reviewer, programme_admin):
    """Bring the call to `total` submitted proposals, each reviewed by Rita and two reviewers of its own.

    Rita's review is submitted, one other is a draft and the third is still pending; every other proposal
    has a decision.
    """

    def _grow(total):
        for index in range(review_call.proposals.count(), total):
            proposal = submitted_proposal(
                review_call, organisation=organisation, principal_investigator=pi, title=f"Payload {index}"
            )
            ReviewFactory(assignment=accepted(proposal, reviewer), grade=1 + index % 5)
            ReviewFactory(
                assignment=accepted(proposal, new_reviewer(f"Drafting Reviewer {index}")),
                status=Review.Status.DRAFT,
                submitted_at=None,
            )
            ReviewAssignment.objects.create(proposal=proposal, reviewer=new_reviewer(f"Pending Reviewer {index}"))
            if index % 2:
                Decision.objects.create(proposal=proposal, outcome="selectable", decided_by=programme_admin)

    return _grow


def test_the_ranking_page(client, grow, review_call, programme_admin, django_assert_max_num_queries):
    client.force_login(programme_admin)
    url = reverse("proposals:call_ranking", args=[review_call.pk])
    for size in SIZES:
        grow(size)
        with django_assert_max_num_queries(12):
            response = client.get(url)
        assert len(response.context["rows"]) == size
        with django_assert_max_num_queries(7):
            rows = csv_rows(client.get(url, {"format": "csv"}))
        assert len(rows) == size + 1


def test_the_assignment_board(client, grow, review_call, programme_admin, django_assert_max_num_queries):
    client.force_login(programme_admin)
    url = reverse("proposals:call_review", args=[review_call.pk])
    for size in SIZES:
        grow(size)
        with django_assert_max_num_queries(12):  # one of them the last assignment run's report
            response = client.get(url)
        assert len(response.context["page"].object_list) == min(25, 3 * (size - 1))


def test_my_reviews_page(client, grow, reviewer, django_assert_max_num_queries):
    client.force_login(reviewer)
    for size in SIZES:
        grow(size)
        with django_assert_max_num_queries(6):
            response = client.get(reverse("proposals:review_list"))
        assert len(response.context["page"].object_list) == min(25, size - 1)


def test_the_reviewer_list_page(client, grow, programme_admin, django_assert_max_num_queries):
    client.force_login(programme_admin)
    for size in SIZES:
        grow(size)
        with django_assert_max_num_queries(7):
            response = client.get(reverse("proposals:reviewer_list"))
        assert len(response.context["page"].object_list) == min(25, 1 + 2 * (size - 1))


def test_the_release_page(client, grow, review_call, programme_admin, django_assert_max_num_queries):
    client.force_login(programme_admin)
    url = reverse("proposals:release_confirm", args=[review_call.pk])
    for size in SIZES:
        grow(size)
        with django_assert_max_num_queries(11):
            response = client.get(url)
        assert len(response.context["summary"]["undecided"]) == (size + 1) // 2


@pytest.mark.parametrize(
    ("who", "address", "most"),
    [
        ("reviewer", "/api/v1/assignments/", 3),
        ("reviewer", "/api/v1/reviews/", 3),
        ("programme_admin", "/api/v1/reviews/", 3),
        ("programme_admin", "/api/v1/calls/{call}/assignments/", 4),
        ("programme_admin", "/api/v1/calls/{call}/ranking/", 4),
        ("programme_admin", "/api/v1/proposals/?call={call}", 5),
    ],
)
def test_the_review_lists_of_the_api(
    request, api_as, grow, review_call, who, address, most, django_assert_max_num_queries
):
    client = api_as(request.getfixturevalue(who))
    url = address.format(call=review_call.pk)
    for size in SIZES:
        grow(size)
        with django_assert_max_num_queries(most, info=url):
            response = client.get(url, {"page_size": 200})
        assert response.status_code == 200
        assert response.json()["count"] >= size - 1
