"""A button is shown exactly when its action would be carried out: the page asks the rule the service enforces.

Each test shows the button where the rule allows it, then puts the object where the rule refuses and shows the
button gone and the action refused, whatever is posted by hand.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.errors import TransitionNotAllowed
from proposals.models import Call, Conflict, Proposal, ReviewAssignment
from proposals.review import services as review_services
from tests.factories import CallFactory, ProposalFactory, ReviewFactory
from tests.proposals.review_support import text


def _page(client, user, name, *args):
    client.force_login(user)
    response = client.get(reverse(name, args=args))
    assert response.status_code == 200
    return response.content.decode()


# Calls ----------------------------------------------------------------------------------------------


def test_a_call_is_offered_for_opening_as_a_draft_for_closing_while_open_and_neither_after(client, programme_admin):
    call = CallFactory(status=Call.Status.DRAFT)
    page = _page(client, programme_admin, "proposals:call_edit", call.pk)
    assert "Open the call" in page and "Close the call" not in page
    Call.objects.filter(pk=call.pk).update(status=Call.Status.OPEN)
    page = _page(client, programme_admin, "proposals:call_edit", call.pk)
    assert "Close the call" in page and "Open the call" not in page
    Call.objects.filter(pk=call.pk).update(status=Call.Status.CLOSED)
    page = _page(client, programme_admin, "proposals:call_edit", call.pk)
    assert "Open the call" not in page and "Close the call" not in page


def test_an_ineligible_organisation_is_not_offered_to_start_a_proposal(client, call, pi):
    assert "Start a proposal" in _page(client, pi, "proposals:call_detail", call.pk)
    Call.objects.filter(pk=call.pk).update(eligible_kinds=["space_agency"])
    page = _page(client, pi, "proposals:call_detail", call.pk)
    assert "Start a proposal" not in page
    refused = client.post(reverse("proposals:proposal_start", args=[call.pk]), {"title": "Dust counter"}, follow=True)
    assert "Organisations of your kind are not eligible for this call." in text(refused)
    assert not Proposal.objects.filter(title="Dust counter").exists()


@pytest.fixture
def letter(organisation, pi):
    """A submitted letter of intent on an open two-stage call whose letter deadline has passed."""
    now = timezone.now()
    call = CallFactory(
        has_letter_stage=True, letter_deadline=now - timedelta(days=1), deadline=now + timedelta(days=30)
    )
    return ProposalFactory(
        call=call,
        organisation=organisation,
        principal_investigator=pi,
        title="Ice drill",
        stage=Proposal.Stage.LETTER,
        status=Proposal.Status.SUBMITTED,
    )


def test_letters_are_offered_for_shortlisting_only_while_their_call_is_open(client, programme_admin, letter):
    assert "Do not shortlist" in _page(client, programme_admin, "proposals:call_submissions", letter.call_id)
    Call.objects.filter(pk=letter.call_id).update(status=Call.Status.CLOSED)
    assert "Do not shortlist" not in _page(client, programme_admin, "proposals:call_submissions", letter.call_id)
    refused = client.post(reverse("proposals:proposal_shortlist", args=[letter.pk]), {"decision": "shortlist"})
    assert refused.status_code == 302
    letter.refresh_from_db()
    assert (letter.shortlist, letter.stage) == ("", Proposal.Stage.LETTER)


def test_the_compliance_check_is_offered_until_the_decisions_are_released(
    client, programme_admin, review_call, proposal
):
    record = reverse("proposals:proposal_compliance", args=[proposal.pk])
    assert record in _page(client, programme_admin, "proposals:call_submissions", review_call.pk)
    assert record in _page(client, programme_admin, "proposals:proposal_detail", proposal.pk)
    Call.objects.filter(pk=review_call.pk).update(status=Call.Status.DECIDED)
    assert record not in _page(client, programme_admin, "proposals:call_submissions", review_call.pk)
    assert record not in _page(client, programme_admin, "proposals:proposal_detail", proposal.pk)
    refused = client.post(record, {"eligible": "1", "reason": ""}, follow=True)
    assert "Compliance is checked after the call closes." in text(refused)
    proposal.refresh_from_db()
    assert proposal.compliance == ""


# Reviews --------------------------------------------------------------------------------------------


def test_the_review_form_has_no_save_buttons_once_the_review_deadline_has_passed(client, assignment):
    url = reverse("proposals:review_edit", args=[assignment.pk])
    assert "Submit the review" in _page(client, assignment.reviewer, "proposals:review_edit", assignment.pk)
    Call.objects.filter(pk=assignment.proposal.call_id).update(review_deadline=timezone.now() - timedelta(hours=1))
    page = _page(client, assignment.reviewer, "proposals:review_edit", assignment.pk)
    assert "Submit the review" not in page and "Save draft" not in page
    refused = client.post(url, {"strengths": "Clear.", "submit": "1"})
    assert "The review deadline" in text(refused)


def test_a_reviewer_who_accepted_declares_a_conflict_from_the_review_page(client, assignment, proposal):
    confirm = reverse("proposals:assignment_decline", args=[assignment.pk]) + "?conflict=1"
    assert confirm in _page(client, assignment.reviewer, "proposals:review_edit", assignment.pk)
    assert "Declare a conflict of interest?" in text(client.get(confirm))
    declared = client.post(confirm, {"action": "conflict", "reason": "I advised the team last year."}, follow=True)
    assert "Conflict recorded; the proposal is no longer assigned to you." in text(declared)
    assert Conflict.objects.get(proposal=proposal).kind == Conflict.Kind.DECLARED
    assert not ReviewAssignment.objects.filter(pk=assignment.pk).exists()


def test_a_reviewer_who_declined_no_longer_reads_the_proposal_on_the_conflict_page(client, assignment, proposal):
    ReviewAssignment.objects.filter(pk=assignment.pk).update(status=ReviewAssignment.Status.DECLINED)
    client.force_login(assignment.reviewer)
    response = client.get(reverse("proposals:assignment_decline", args=[assignment.pk]) + "?conflict=1")
    assert response.status_code == 404
    assert proposal.title not in response.content.decode()


def test_conflicts_are_settled_once_the_decisions_are_released(api_as, assignment, proposal, programme_admin):
    Call.objects.filter(pk=proposal.call_id).update(status=Call.Status.DECIDED)
    proposal.refresh_from_db()
    with pytest.raises(TransitionNotAllowed, match="Conflicts are declared while the call is under review."):
        review_services.declare_conflict(assignment=assignment, reviewer=assignment.reviewer, reason="Advisor.")
    with pytest.raises(TransitionNotAllowed, match="its conflicts are settled"):
        review_services.set_conflict(
            proposal=proposal, reviewer=assignment.reviewer, by=programme_admin, conflicted=True, reason="Found."
        )
    client = api_as(assignment.reviewer)
    assert client.post(f"/api/v1/assignments/{assignment.pk}/conflict/", {"reason": "Advisor."}).status_code == 409
    assert not Conflict.objects.exists() and ReviewAssignment.objects.filter(pk=assignment.pk).exists()


def test_the_review_pages_offer_only_what_the_calls_state_allows(client, programme_admin, review_call, proposal):
    page = _page(client, programme_admin, "proposals:call_review", review_call.pk)
    assert "Assign reviewers automatically" in page and "Lift a conflict" in page and "Start the review" not in page
    Call.objects.filter(pk=review_call.pk).update(status=Call.Status.DECIDED)
    page = _page(client, programme_admin, "proposals:call_review", review_call.pk)
    assert "Assign reviewers automatically" not in page and "Lift a conflict" not in page
    assert "Save the bidding deadline" not in page


def test_an_assignment_with_a_submitted_review_is_not_offered_for_removal(client, programme_admin, assignment):
    remove = 'value="remove"'
    assert remove in _page(client, programme_admin, "proposals:call_review", assignment.proposal.call_id)
    ReviewFactory(assignment=assignment, status="submitted")
    assert remove not in _page(client, programme_admin, "proposals:call_review", assignment.proposal.call_id)


# The menu ------------------------------------------------------------------------------------------

ADMIN_LINKS = ("Applications", "Organisations", "Manage calls", "Reviewers", "Exports", "Audit log")


@pytest.mark.parametrize(
    ("who", "reviews", "administers"),
    [("partner_member", False, False), ("reviewer", True, False), ("programme_admin", False, True)],
)
def test_the_menu_shows_a_page_by_the_rule_that_guards_it(client, request, who, reviews, administers):
    page = _page(client, request.getfixturevalue(who), "accounts:home")
    menu = page[page.index('id="site-menu"') : page.index("</nav>")]
    assert ("My reviews" in menu) == reviews
    assert [link in menu for link in ADMIN_LINKS] == [administers] * len(ADMIN_LINKS)
