"""Naming someone on a proposal's team reveals nothing about their account: they are invited by email and join only
by accepting; a reviewer the applicants name is a conflict only once an administrator confirms it."""

import re

import pytest
from django.conf import settings
from django.urls import reverse

from partners.models import Membership
from portal.audit.models import AuditEvent
from portal.errors import DomainError
from portal.notifications.models import OutboundEmail
from proposals import services
from proposals.models import Conflict, ReviewAssignment, TeamMember
from proposals.review import conflicts
from proposals.review import selectors as review_selectors
from proposals.review import services as review_services
from tests.factories import MembershipFactory, OrganisationFactory, ReviewerProfileFactory, UserFactory
from tests.proposals.support import pdf_upload, post_data, send_to_review

UNKNOWN = "nobody-here@unknown.example.org"
INVITED = "Invited — waiting for acceptance"


@pytest.fixture
def someone_else(db):
    """A member of another partner organisation, with a name and an organisation worth hiding."""
    return MembershipFactory(
        organisation=OrganisationFactory(name="Qarabag Zephyr Lunar Institute", country="AZ"),
        user__email="zenobia@qarabag.example.org",
        user__full_name="Zenobia Quillfeather",
        user__language="ru",
    ).user


@pytest.fixture
def named_reviewer(db):
    return ReviewerProfileFactory(
        user__email="vera@reviewers.example.org", user__full_name="Vera Venkataraman", user__language="zh-hans"
    ).user


@pytest.fixture
def addresses(someone_else, named_reviewer, programme_admin):
    """Existing accounts of every kind, and an address without one."""
    return {
        "reviewer": named_reviewer.email,
        "other partner's member": someone_else.email,
        "administrator": programme_admin.email,
        "unknown": UNKNOWN,
    }


def _patch_team(api_as, user, proposal, email):
    return api_as(user).patch(f"/api/v1/proposals/{proposal.pk}/", {"team": [{"email": email}]}, format="json")


def _without(text, email):
    return text.replace(email, "EMAIL")


def _invite(proposal, pi, email):
    services.update_proposal(proposal=proposal, by=pi, data={}, team=[{"email": email}])
    return TeamMember.objects.get(proposal=proposal, email=email)


def _link(email):
    body = OutboundEmail.objects.get(to=email, template="team_invitation").body_text
    return re.search(r"https?://\S+/team-invitations/\S+/", body).group(0)


# The answer reveals nothing ---------------------------------------------------------------------------


def test_the_api_answers_alike_for_every_kind_of_account_and_for_an_unknown_address(
    api_as, proposal, pi, addresses, named_reviewer, someone_else, programme_admin
):
    answers = {}
    for kind, email in addresses.items():
        response = _patch_team(api_as, pi, proposal, email)
        assert response.status_code == 200, (kind, response.content)
        body = response.json()
        body.pop("updated_at")
        answers[kind] = _without(response.content.decode(), email)
        assert body["team"] == [
            {
                "email": email,
                "full_name": "",
                "organisation_name": "",
                "country": "",
                "role": "Co-investigator",
                "is_portal_user": False,
                "status": "invited",
                "status_label": INVITED,
            }
        ], kind
        for person in (named_reviewer, someone_else, programme_admin):
            assert person.full_name not in response.content.decode()
        assert "Qarabag" not in response.content.decode()
    bodies = {kind: re.sub(r'"updated_at":"[^"]*"', "", text) for kind, text in answers.items()}
    assert len(set(bodies.values())) == 1, bodies


def test_the_editor_page_answers_alike_for_every_kind_of_account_and_for_an_unknown_address(
    client, proposal, pi, addresses, named_reviewer, someone_else
):
    client.force_login(pi)
    edit = reverse("proposals:proposal_edit", args=[proposal.pk])
    pages = {}
    for kind, email in addresses.items():
        data = post_data(*_editor_forms(client, edit))
        data.update({"team-0-email": email, "team-0-full_name": "", "team-0-organisation_name": ""})
        response = client.post(edit, data)
        assert response.status_code == 302, kind
        page = client.get(edit).content.decode()
        assert f"{email}: {INVITED}" in page, kind
        assert "Zenobia Quillfeather" not in page and "Qarabag" not in page and "Vera Venkataraman" not in page
        summary = client.get(reverse("proposals:proposal_detail", args=[proposal.pk])).content.decode()
        assert f"{email} — {INVITED}" in summary
        pages[kind] = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", _without(page, email))
    assert len(set(pages.values())) == 1


def _editor_forms(client, edit):
    context = client.get(edit).context
    return context["form"], context["team"]


def test_a_colleague_of_the_lead_organisation_is_added_at_once_with_their_organisation(api_as, proposal, pi):
    colleague = MembershipFactory(organisation=proposal.organisation, user__full_name="Kagiso Colleague").user
    response = _patch_team(api_as, pi, proposal, colleague.email)
    (entry,) = response.json()["team"]
    assert (entry["full_name"], entry["organisation_name"], entry["is_portal_user"], entry["status"]) == (
        "Kagiso Colleague",
        proposal.organisation.name,
        True,
        "member",
    )
    assert not OutboundEmail.objects.filter(template="team_invitation").exists()


# The invitation ------------------------------------------------------------------------------------------


def test_the_invitation_is_emailed_in_the_recipients_language_with_a_link_from_site_url(
    proposal, pi, someone_else, settings
):
    settings.SITE_URL = "https://portal.ilrs.example.org"
    _invite(proposal, pi, someone_else.email)
    email = OutboundEmail.objects.get(template="team_invitation")
    assert (email.to, email.recipient, email.language) == (someone_else.email, someone_else, "ru")
    assert _link(someone_else.email).startswith("https://portal.ilrs.example.org/team-invitations/")
    assert proposal.title in email.body_text and pi.full_name in email.body_text


def test_an_unknown_address_gets_the_same_invitation_in_the_inviters_language(proposal, pi):
    _invite(proposal, pi, UNKNOWN)
    email = OutboundEmail.objects.get(template="team_invitation")
    assert (email.to, email.recipient, email.language) == (UNKNOWN, None, pi.language or settings.LANGUAGE_CODE)
    assert "/team-invitations/" in email.body_text


def test_saving_the_team_again_keeps_the_invitation_and_sends_no_second_email(api_as, proposal, pi, someone_else):
    _patch_team(api_as, pi, proposal, someone_else.email)
    member = TeamMember.objects.get(proposal=proposal)
    _patch_team(api_as, pi, proposal, someone_else.email)
    assert list(TeamMember.objects.filter(proposal=proposal)) == [member]
    assert OutboundEmail.objects.filter(template="team_invitation").count() == 1
    assert AuditEvent.objects.filter(action="proposal.team_invited").count() == 1


def test_accepting_while_signed_in_adds_the_person_with_their_organisation(client, api_as, proposal, pi, someone_else):
    _invite(proposal, pi, someone_else.email)
    client.force_login(someone_else)
    link = _link(someone_else.email)
    page = client.get(link)
    assert proposal.title in page.content.decode()

    response = client.post(link)
    assert response.status_code == 302 and response["Location"] == f"/proposals/{proposal.pk}/"
    member = TeamMember.objects.get(proposal=proposal)
    assert (member.user, member.organisation, member.full_name, member.organisation_name, member.country.code) == (
        someone_else,
        someone_else.organisation,
        "Zenobia Quillfeather",
        "Qarabag Zephyr Lunar Institute",
        "AZ",
    )
    assert member.status == TeamMember.Status.MEMBER
    (entry,) = api_as(pi).get(f"/api/v1/proposals/{proposal.pk}/").json()["team"]
    assert (entry["full_name"], entry["is_portal_user"], entry["status"]) == ("Zenobia Quillfeather", True, "member")
    assert client.get(f"/proposals/{proposal.pk}/").status_code == 200
    event = AuditEvent.objects.get(action="proposal.team_joined")
    assert (event.actor, event.organisation, event.to_state) == (someone_else, proposal.organisation, "member")
    # A second use is refused with a message (in the person's language) and changes nothing.
    again = client.post(link)
    assert again.status_code == 200 and 'role="alert"' in again.content.decode()
    assert TeamMember.objects.get(proposal=proposal) == member


def test_nobody_gets_access_before_accepting(client, api_as, proposal, pi, someone_else):
    attachment = services.add_attachment(proposal=proposal, by=pi, upload=pdf_upload())
    _invite(proposal, pi, someone_else.email)
    client.force_login(someone_else)
    assert client.get(f"/proposals/{proposal.pk}/").status_code == 404
    assert client.get(reverse("proposals:attachment_download", args=[attachment.pk])).status_code == 404
    assert api_as(someone_else).get(f"/api/v1/proposals/{proposal.pk}/").status_code == 404
    assert proposal.pk not in [row["id"] for row in api_as(someone_else).get("/api/v1/proposals/").json()["results"]]


def test_someone_signed_in_with_another_address_cannot_accept_and_learns_nothing(
    client, proposal, pi, someone_else, partner_member
):
    _invite(proposal, pi, someone_else.email)
    link = _link(someone_else.email)
    client.force_login(UserFactory())
    page = client.post(link).content.decode()
    assert "sent to another address" in page
    assert proposal.title not in page
    assert TeamMember.objects.get(proposal=proposal).status == TeamMember.Status.INVITED


def test_a_forged_link_is_refused_and_a_visitor_is_asked_to_sign_in(client, proposal, pi, someone_else):
    _invite(proposal, pi, someone_else.email)
    link = _link(someone_else.email)
    assert client.get(link).status_code == 302
    client.force_login(someone_else)
    assert client.get(link[:-3] + "xx/").status_code == 400


def test_a_place_taken_by_invitation_ends_when_the_person_leaves_their_organisation(client, proposal, pi, someone_else):
    member = _invite(proposal, pi, someone_else.email)
    services.accept_team_invitation(member=member, by=someone_else)
    client.force_login(someone_else)
    assert client.get(f"/proposals/{proposal.pk}/").status_code == 200
    Membership.objects.filter(user=someone_else).delete()
    someone_else.refresh_from_db()
    assert client.get(f"/proposals/{proposal.pk}/").status_code == 404


def test_only_members_appear_in_the_submitted_version_and_its_emails(proposal, pi, someone_else):
    _invite(proposal, pi, someone_else.email)
    version = services.submit_proposal(proposal=proposal, by=pi)
    assert version.content["team"] == []
    assert not OutboundEmail.objects.filter(to=someone_else.email, template="proposal_submitted").exists()


# Reviewers named on a team -----------------------------------------------------------------------------


@pytest.fixture
def named_and_in_review(call, proposal, pi, named_reviewer):
    """The applicants named `named_reviewer` on their team before submitting; the call is now under review."""
    _invite(proposal, pi, named_reviewer.email)
    send_to_review(call, proposal)
    return proposal


def test_naming_a_reviewer_proposes_a_conflict_that_keeps_them_from_nothing(
    named_and_in_review, call, named_reviewer, programme_admin
):
    proposal = named_and_in_review
    conflict = Conflict.objects.get(proposal=proposal, reviewer=named_reviewer)
    assert conflict.kind == Conflict.Kind.PROPOSED
    assert conflicts.conflict_reason(proposal, named_reviewer) == ""
    assignment = review_services.add_assignment(proposal=proposal, reviewer=named_reviewer, by=programme_admin)
    assert review_selectors.get_assignment_for(user=named_reviewer, pk=assignment.pk) == assignment
    # The team's own log says nothing of who among those they named is a reviewer.
    assert not AuditEvent.objects.filter(organisation=proposal.organisation, action__startswith="conflict.").exists()
    assert AuditEvent.objects.get(action="conflict.proposed").organisation is None


def test_the_administrator_sees_the_proposed_conflict_on_the_matrix(
    client, named_and_in_review, call, named_reviewer, programme_admin
):
    client.force_login(programme_admin)
    page = client.get(reverse("proposals:call_conflicts", args=[call.pk])).content.decode()
    assert "Conflicts the applicants proposed" in page
    assert f"{named_and_in_review.reference} × {named_reviewer}" in page
    assert 'value="confirm_conflict"' in page and 'value="dismiss_conflict"' in page
    pairs = review_selectors.conflict_pairs(call)
    assert [(p["reviewer"], p["kind"], p["conflicted"]) for p in pairs] == [(named_reviewer, "proposed", False)]


def test_a_confirmed_conflict_excludes_the_reviewer_and_is_audited(
    client, named_and_in_review, call, named_reviewer, programme_admin
):
    proposal = named_and_in_review
    assignment = review_services.add_assignment(proposal=proposal, reviewer=named_reviewer, by=programme_admin)
    client.force_login(programme_admin)
    response = client.post(
        reverse("proposals:call_review", args=[call.pk]),
        {
            "action": "confirm_conflict",
            "proposal": proposal.pk,
            "reviewer": named_reviewer.pk,
            "reason": "Co-author of the PI.",
        },
    )
    assert response["Location"] == reverse("proposals:call_conflicts", args=[call.pk])
    assert Conflict.objects.get(proposal=proposal, reviewer=named_reviewer).kind == Conflict.Kind.ADDED
    assert not ReviewAssignment.objects.filter(pk=assignment.pk).exists()
    assert conflicts.conflict_reason(proposal, named_reviewer) == "Co-author of the PI."
    event = AuditEvent.objects.get(action="conflict.confirmed")
    assert (event.actor, event.from_state, event.to_state, event.reason) == (
        programme_admin,
        "proposed",
        "added",
        "Co-author of the PI.",
    )
    with pytest.raises(DomainError, match="Conflict of interest"):
        review_services.add_assignment(proposal=proposal, reviewer=named_reviewer, by=programme_admin)


def test_the_api_dismisses_a_proposed_conflict_and_the_call_rules_still_apply(
    api_as, named_and_in_review, call, named_reviewer, programme_admin
):
    proposal = named_and_in_review
    response = api_as(programme_admin).post(
        f"/api/v1/calls/{call.pk}/conflicts/",
        {"proposal": proposal.pk, "reviewer": named_reviewer.pk, "conflicted": False, "reason": "Not a co-author."},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert Conflict.objects.get(proposal=proposal, reviewer=named_reviewer).kind == Conflict.Kind.DISMISSED
    assert AuditEvent.objects.get(action="conflict.dismissed").reason == "Not a co-author."
    assert conflicts.conflict_reason(proposal, named_reviewer) == ""

    # Should the reviewer accept the invitation, they are on the team: the automatic conflict holds.
    services.accept_team_invitation(member=TeamMember.objects.get(proposal=proposal), by=named_reviewer)
    assert conflicts.conflict_reason(proposal, named_reviewer) == "The reviewer is on the team."


def test_confirming_needs_an_administrator_and_a_reason(named_and_in_review, named_reviewer, pi, programme_admin):
    proposal = named_and_in_review
    for by, reason in ((pi, "Because."), (programme_admin, " ")):
        with pytest.raises(DomainError):
            review_services.set_conflict(
                proposal=proposal, reviewer=named_reviewer, by=by, conflicted=True, reason=reason
            )
    assert Conflict.objects.get(proposal=proposal, reviewer=named_reviewer).kind == Conflict.Kind.PROPOSED
    assert not AuditEvent.objects.filter(action="conflict.confirmed").exists()
