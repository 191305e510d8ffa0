"""The reviewer's own expertise page and the administrators' conflict matrix."""

from portal.audit.models import AuditEvent
from proposals.review import services as review_services
from tests.factories import ProposalFactory, ReviewerProfileFactory


def test_a_reviewer_updates_their_expertise(client, reviewer):
    client.force_login(reviewer)
    page = client.get("/reviews/profile/")
    assert page.status_code == 200
    assert "Independent Space Science Institute" in page.content.decode()
    response = client.post(
        "/reviews/profile/",
        {"expertise_areas": ["payloads", "engineering"], "keywords": "seismology, heat flow", "max_load_per_call": 4},
    )
    assert response.status_code == 302
    reviewer.reviewer_profile.refresh_from_db()
    assert reviewer.reviewer_profile.expertise_areas == ["payloads", "engineering"]
    assert (reviewer.reviewer_profile.keywords, reviewer.reviewer_profile.max_load_per_call) == (
        "seismology, heat flow",
        4,
    )
    assert AuditEvent.objects.filter(action="reviewer.profile_changed").exists()


def test_a_bad_expertise_form_keeps_what_was_typed(client, reviewer):
    client.force_login(reviewer)
    response = client.post(
        "/reviews/profile/", {"expertise_areas": [], "keywords": "ice cores", "max_load_per_call": 0}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'value="ice cores"' in body and "Please correct the fields" in body
    reviewer.reviewer_profile.refresh_from_db()
    assert reviewer.reviewer_profile.keywords == "regolith, dust"


def test_the_expertise_page_is_for_reviewers(client, partner_member):
    client.force_login(partner_member)
    assert client.get("/reviews/profile/").status_code == 404


def test_the_conflict_matrix_marks_each_kind_of_conflict(
    client, programme_admin, review_call, proposal, reviewer, conflicted_reviewer, assignment
):
    declaring = ReviewerProfileFactory(user__full_name="Dana Declared").user
    review_services.declare_conflict(proposal=proposal, reviewer=declaring, reason="Former supervisor.")
    review_services.set_conflict(
        proposal=proposal, reviewer=conflicted_reviewer, by=programme_admin, conflicted=False, reason="Left in 2019."
    )
    client.force_login(programme_admin)
    body = client.get(f"/manage/calls/{review_call.pk}/conflicts/").content.decode()
    assert "Carl Conflicted" in body and "Dana Declared" in body and "Rita Reviewer" in body
    row = body[body.index(proposal.reference) :]
    cells = row[row.index("<td") : row.index("</tr>")]
    # Columns follow the reviewers' names: Carl (lifted), Dana (declared), Rita (assigned).
    assert cells.count("<td") == 3
    assert ">L<" in cells and "Left in 2019." in cells
    assert "D<span" in cells and "Former supervisor." in cells
    assert "●" in cells


def test_the_conflict_matrix_is_paginated_with_constant_queries(
    client, programme_admin, review_call, reviewer, conflicted_reviewer, django_assert_max_num_queries
):
    for _ in range(30):
        ProposalFactory(call=review_call, status="submitted")
    client.force_login(programme_admin)
    with django_assert_max_num_queries(20):
        first = client.get(f"/manage/calls/{review_call.pk}/conflicts/")
    assert "Page 1 of 2" in first.content.decode()
    assert "Page 2 of 2" in client.get(f"/manage/calls/{review_call.pk}/conflicts/?page=2").content.decode()


def test_the_conflict_matrix_is_for_administrators(client, partner_admin, reviewer, review_call):
    for user in (partner_admin, reviewer):
        client.force_login(user)
        assert client.get(f"/manage/calls/{review_call.pk}/conflicts/").status_code == 404
