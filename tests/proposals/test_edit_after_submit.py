"""Until the deadline a team changes a submitted proposal without withdrawing it: the changes wait beside the
submitted version, which keeps counting until they submit again as a new numbered, hashed version."""

import html
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.errors import TransitionNotAllowed
from proposals import permissions, services
from proposals.models import Call, Proposal
from proposals.review import selectors as review_selectors
from tests.factories import ReviewAssignmentFactory
from tests.proposals.review_support import text


def page_of(response):
    return html.unescape(text(response))


@pytest.fixture
def submitted(proposal, pi):
    services.submit_proposal(proposal=proposal, by=pi)
    proposal.refresh_from_db()
    return proposal


def _fields(proposal, **changes):
    data = {name: getattr(proposal, name) for name in services.PROPOSAL_FIELDS}
    data.update(changes)
    return data


def test_changing_a_submitted_proposal_keeps_the_submitted_version_counting(client, submitted, pi):
    assert permissions.can_change_proposal(pi, submitted)
    assert not permissions.can_submit_proposal(pi, submitted)
    services.update_proposal(proposal=submitted, by=pi, data=_fields(submitted, title="Regolith dust analyser II"))
    live = Proposal.objects.get(pk=submitted.pk)
    assert live.status == Proposal.Status.SUBMITTED
    assert live.title == "Regolith dust analyser" and live.has_pending_changes
    assert [v.number for v in live.versions.all()] == [1]
    client.force_login(pi)
    page = page_of(client.get(reverse("proposals:proposal_detail", args=[submitted.pk])))
    assert "Version 1, submitted" in page and "is the one under consideration" in page
    assert "do not count until you submit again" in page
    assert "Check and submit again" in page
    editor = page_of(client.get(reverse("proposals:proposal_edit", args=[submitted.pk])))
    assert 'value="Regolith dust analyser II"' in editor


def test_a_reviewer_reads_the_submitted_version_while_changes_wait(submitted, pi, call, reviewer):
    services.update_proposal(proposal=submitted, by=pi, data=_fields(submitted, abstract="A new abstract."))
    Call.objects.filter(pk=call.pk).update(status=Call.Status.UNDER_REVIEW)
    assignment = ReviewAssignmentFactory(proposal=submitted, reviewer=reviewer)
    material = review_selectors.review_material(assignment)
    assert material["version"].number == 1
    assert material["content"]["abstract"] == "Measures the regolith."


def test_submitting_again_makes_a_new_hashed_version_with_a_receipt(client, submitted, pi, mailoutbox):
    services.update_proposal(proposal=submitted, by=pi, data=_fields(submitted, title="Regolith dust analyser II"))
    assert permissions.can_submit_proposal(pi, Proposal.objects.get(pk=submitted.pk))
    client.force_login(pi)
    response = client.post(reverse("proposals:proposal_submit", args=[submitted.pk]), follow=True)
    assert "Submitted as version 2." in page_of(response)
    live = Proposal.objects.get(pk=submitted.pk)
    assert live.title == "Regolith dust analyser II" and not live.has_pending_changes
    first, second = sorted(live.versions.all(), key=lambda v: v.number)
    assert second.content["title"] == "Regolith dust analyser II" and first.content["title"] == "Regolith dust analyser"
    assert second.content_hash != first.content_hash


def test_changes_not_submitted_before_the_deadline_never_count(client, submitted, pi, call):
    services.update_proposal(proposal=submitted, by=pi, data=_fields(submitted, title="Late change"))
    Call.objects.filter(pk=call.pk).update(deadline=timezone.now() - timedelta(minutes=1))
    live = Proposal.objects.get(pk=submitted.pk)
    assert not permissions.can_submit_proposal(pi, live) and not permissions.can_change_proposal(pi, live)
    with pytest.raises(TransitionNotAllowed):
        services.submit_proposal(proposal=live, by=pi)
    assert live.title == "Regolith dust analyser" and live.versions.count() == 1
    client.force_login(pi)
    page = page_of(client.get(reverse("proposals:proposal_detail", args=[submitted.pk])))
    assert "were not submitted before the deadline and do not count" in page
    assert "Check and submit" not in page and "Change the proposal" not in page


def test_a_submitted_proposals_files_stay_as_submitted(submitted, pi):
    with pytest.raises(TransitionNotAllowed, match="withdraw it first"):
        services.add_attachment(proposal=submitted, by=pi, upload=None)


def test_the_api_shows_the_saved_changes_beside_the_submitted_content_as_the_page_does(
    client, api_as, submitted, pi, programme_admin
):
    url = reverse("api:proposal-detail", args=[submitted.pk])
    before = api_as(pi).get(url).json()
    assert before["pending_changes"] is None

    saved = api_as(pi).patch(url, {"title": "Regolith dust analyser II"}, format="json")
    assert saved.status_code == 200, saved.content
    answer = api_as(pi).get(url).json()
    assert answer["title"] == submitted.title, "the submitted version still counts"
    assert answer["status"] == "submitted"
    assert answer["pending_changes"]["title"] == "Regolith dust analyser II"

    client.force_login(pi)
    editor = page_of(client.get(reverse("proposals:proposal_edit", args=[submitted.pk])))
    assert 'value="Regolith dust analyser II"' in editor
