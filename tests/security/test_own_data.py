"""A person downloads everything the portal holds about them, and asks for their account to be closed; an
administrator completes it, keeping what the programme's record must keep."""

import json

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.audit.models import AuditEvent
from portal.errors import NotAllowed
from portal.notifications.services import notify
from portal.security import services
from portal.security.models import ClosureRequest
from proposals import services as proposal_services
from proposals.models import ProposalVersion
from tests.factories import PASSWORD, ProposalFactory, ReviewAssignmentFactory, ReviewFactory, UserFactory

OWN_DATA = reverse("security:own_data")
CLOSE = reverse("security:request_closure")
REQUESTS = reverse("security:closure_requests")


def test_a_person_downloads_everything_held_about_them_and_nothing_of_others(client, db):
    proposal = ProposalFactory()
    author = proposal.principal_investigator
    proposal_services.submit_proposal(proposal=proposal, by=author)
    notify(user=author, message="Your proposal was received.")
    other = ProposalFactory(title="Someone else's instrument")
    ReviewFactory(assignment=ReviewAssignmentFactory(proposal=other), strengths="Not mine")
    client.force_login(author)

    response = client.get(OWN_DATA)

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["profile"]["email"] == author.email
    assert data["memberships"][0]["organisation"] == proposal.organisation.name
    assert [p["title"] for p in data["proposals"]] == [proposal.title]
    assert data["proposals"][0]["versions"][0]["number"] == 1
    assert "content" not in data["proposals"][0]["versions"][0]
    assert "Your proposal was received." in [n["message"] for n in data["notifications"]]
    assert any(event["by_me"] for event in data["audit_events"])
    assert data["reviews_written"] == []
    assert data["sessions"]
    assert "Someone else's instrument" not in response.content.decode()
    assert "Not mine" not in response.content.decode()


def test_a_reviewer_gets_the_reviews_they_wrote_and_second_factors_without_secrets(client, db):
    review = ReviewFactory(strengths="Clear science case.")
    reviewer = review.assignment.reviewer
    device = TOTPDevice.objects.create(user=reviewer, name="app", confirmed=True)
    client.force_login(reviewer)
    session = client.session  # signed in with the app's code as well
    session.pop(services.PENDING, None)
    session["otp_device_id"] = device.persistent_id
    session.save()

    response = client.get(OWN_DATA)

    data = json.loads(response.content)
    assert data["reviews_written"][0]["strengths"] == "Clear science case."
    assert data["second_factors"] == [{"kind": "authenticator_app", "name": "app", "confirmed": True}]
    assert device.key not in response.content.decode()


def test_a_closure_is_asked_for_then_completed_by_an_administrator_keeping_the_record(client, programme_admin):
    proposal = ProposalFactory()
    author = proposal.principal_investigator
    name, email = author.full_name, author.email
    proposal_services.submit_proposal(proposal=proposal, by=author)
    version_content = ProposalVersion.objects.get(proposal=proposal).content
    leaving = Client()
    leaving.force_login(author)

    assert leaving.post(CLOSE, {"reason": "Retiring", "confirm": "on"}).status_code == 302
    again = leaving.post(CLOSE, {"reason": "again", "confirm": "on"})
    assert "You asked for your account to be closed" in again.content.decode()
    assert ClosureRequest.objects.filter(user=author).count() == 1
    client.force_login(programme_admin)
    listed = client.get(REQUESTS).content.decode()
    assert name in listed and "Retiring" in listed

    closure = ClosureRequest.objects.get(user=author)
    assert client.post(reverse("security:complete_closure", args=[closure.pk])).status_code == 302

    author.refresh_from_db()
    assert not author.is_active
    assert name not in (author.full_name, author.email)
    assert email != author.email
    assert not author.has_usable_password()
    assert leaving.get(reverse("accounts:home")).status_code == 302
    assert Client().post(reverse("accounts:login"), {"username": email, "password": PASSWORD}).status_code == 200
    assert ProposalVersion.objects.get(proposal=proposal).content == version_content
    actions = set(AuditEvent.objects.filter(object_id=str(author.pk)).values_list("action", flat=True))
    assert {"account.closure_requested", "account.closed"} <= actions


def test_only_programme_administrators_see_and_complete_closures(client, partner_admin, reviewer):
    leaving = UserFactory()
    closure = ClosureRequest.objects.create(user=leaving)
    for person in (partner_admin, reviewer, leaving):
        client.force_login(person)
        assert client.get(REQUESTS).status_code == 404
        assert client.post(reverse("security:complete_closure", args=[closure.pk])).status_code == 404
    leaving.refresh_from_db()
    assert leaving.is_active


def test_the_closure_list_says_when_nobody_asked(client, programme_admin):
    client.force_login(programme_admin)
    assert "Nobody has asked" in client.get(REQUESTS).content.decode()


def test_a_closure_request_needs_the_confirmation(client, partner_member):
    client.force_login(partner_member)

    response = client.post(CLOSE, {"reason": "x"})

    assert response.status_code == 200
    assert not ClosureRequest.objects.exists()


def test_only_programme_administrators_close_an_account_even_calling_the_service(db, programme_admin):
    leaving = UserFactory(email="leaving@example.org")
    closure = ClosureRequest.objects.create(user=leaving)
    for person in (leaving, UserFactory(email="colleague@example.org", is_reviewer=True)):
        with pytest.raises(NotAllowed):
            services.complete_closure(closure=closure, by=person)
    leaving.refresh_from_db()
    assert leaving.is_active and leaving.email == "leaving@example.org"
    services.complete_closure(closure=closure, by=programme_admin)
    leaving.refresh_from_db()
    assert not leaving.is_active
