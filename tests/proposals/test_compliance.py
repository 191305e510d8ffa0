"""The administrative compliance check: after the call closes, by administrators, with a reason when refused."""

import pytest
from django.urls import reverse

from portal.audit.models import AuditEvent
from portal.errors import DomainError, NotAllowed, TransitionNotAllowed
from proposals import calls, services
from proposals.models import Proposal


@pytest.fixture
def submitted(proposal, pi):
    services.submit_proposal(proposal=proposal, by=pi)
    return proposal


def test_compliance_is_checked_only_after_the_call_closes(api_as, submitted, programme_admin, call):
    with pytest.raises(TransitionNotAllowed, match="after the call closes"):
        services.record_compliance(proposal=submitted, by=programme_admin, eligible=True)
    response = api_as(programme_admin).post(f"/api/v1/proposals/{submitted.pk}/compliance/", {"eligible": True})
    assert response.status_code == 409

    calls.close_call(call=call, by=programme_admin)
    services.record_compliance(proposal=submitted, by=programme_admin, eligible=True)
    submitted.refresh_from_db()
    assert (submitted.compliance, submitted.compliance_reason) == ("eligible", "")
    event = AuditEvent.objects.get(action="proposal.compliance")
    assert (event.from_state, event.to_state, event.actor) == ("not_checked", "eligible", programme_admin)


def test_not_eligible_needs_a_reason(api_as, submitted, programme_admin, call):
    calls.close_call(call=call, by=programme_admin)
    with pytest.raises(DomainError, match="Say why"):
        services.record_compliance(proposal=submitted, by=programme_admin, eligible=False, reason="   ")

    response = api_as(programme_admin).post(
        f"/api/v1/proposals/{submitted.pk}/compliance/", {"eligible": False}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["reason"] == ["Say why the proposal is not eligible."]
    assert Proposal.objects.get(pk=submitted.pk).compliance == ""

    done = api_as(programme_admin).post(
        f"/api/v1/proposals/{submitted.pk}/compliance/",
        {"eligible": False, "reason": "Exceeds the mass limit"},
        format="json",
    )
    assert done.status_code == 200
    assert (done.json()["compliance"], done.json()["compliance_reason"]) == ("not_eligible", "Exceeds the mass limit")


@pytest.mark.parametrize("person", ["pi", "partner_admin", "reviewer"])
def test_only_administrators_record_compliance(api_as, submitted, programme_admin, call, person, request):
    calls.close_call(call=call, by=programme_admin)
    user = request.getfixturevalue(person)
    with pytest.raises(NotAllowed):
        services.record_compliance(proposal=submitted, by=user, eligible=True)
    assert api_as(user).post(f"/api/v1/proposals/{submitted.pk}/compliance/", {"eligible": True}).status_code == 403
    assert Proposal.objects.get(pk=submitted.pk).compliance == ""


def test_drafts_are_not_checked_for_compliance(proposal, programme_admin, call):
    calls.close_call(call=call, by=programme_admin)
    with pytest.raises(TransitionNotAllowed, match="Only submitted proposals"):
        services.record_compliance(proposal=proposal, by=programme_admin, eligible=True)


def test_administrators_record_compliance_from_the_submissions_page(client, submitted, programme_admin, call):
    calls.close_call(call=call, by=programme_admin)
    client.force_login(programme_admin)
    submissions = reverse("proposals:call_submissions", args=[call.pk])
    url = reverse("proposals:proposal_compliance", args=[submitted.pk])

    refused = client.post(url, {"eligible": "0", "reason": ""}, follow=True)
    assert "Say why the proposal is not eligible." in refused.content.decode()

    response = client.post(url, {"eligible": "0", "reason": "Late letter of support"})
    assert response.status_code == 302 and response["Location"] == submissions
    page = client.get(submissions).content.decode()
    assert "Not eligible" in page and "Late letter of support" in page
