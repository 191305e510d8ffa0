"""Who sees and changes which proposal, on pages and in the API; data that could leak exists and does not."""

import pytest
from django.urls import reverse

from partners import services as partner_services
from proposals import permissions, services
from proposals.models import Proposal
from tests.factories import MembershipFactory, OrganisationFactory, ProposalFactory, TeamMemberFactory
from tests.proposals.support import pdf_upload

# person → (may view, may edit)
RIGHTS = {
    "pi": (True, True),
    "lead_coinvestigator": (True, True),
    "partner_admin": (True, True),
    "partner_member": (True, False),
    "foreign_coinvestigator": (True, False),
    "programme_admin": (True, False),
    "other_partner_admin": (False, False),
    "reviewer": (False, False),
}


@pytest.fixture
def person(request, proposal, lead_coinvestigator, foreign_coinvestigator):
    return request.getfixturevalue(request.param)


@pytest.mark.parametrize(("person", "rights"), RIGHTS.items(), indirect=["person"])
def test_predicates_follow_the_team_and_the_lead_organisation(proposal, person, rights):
    assert (permissions.can_view_proposal(person, proposal), permissions.can_edit_proposal(person, proposal)) == rights


@pytest.mark.parametrize(("person", "rights"), RIGHTS.items(), indirect=["person"])
def test_pages_answer_404_where_the_person_may_not_look(client, proposal, person, rights):
    may_view, may_edit = rights
    client.force_login(person)
    assert client.get(reverse("proposals:proposal_detail", args=[proposal.pk])).status_code == (
        200 if may_view else 404
    )
    for name in ("proposal_edit", "proposal_submit"):
        assert client.get(reverse(f"proposals:{name}", args=[proposal.pk])).status_code == (200 if may_edit else 404)


@pytest.mark.parametrize(("person", "rights"), RIGHTS.items(), indirect=["person"])
def test_api_answers_403_to_viewers_who_may_not_edit_and_404_to_the_rest(api_as, proposal, person, rights):
    may_view, may_edit = rights
    client = api_as(person)
    assert client.get(f"/api/v1/proposals/{proposal.pk}/").status_code == (200 if may_view else 404)
    patch = client.patch(f"/api/v1/proposals/{proposal.pk}/", {"title": "Changed"}, format="json")
    assert patch.status_code == (200 if may_edit else 403 if may_view else 404)
    submit = client.post(f"/api/v1/proposals/{proposal.pk}/submit/")
    assert submit.status_code == (201 if may_edit else 403 if may_view else 404)
    expected_title = "Changed" if may_edit else "Regolith dust analyser"
    assert Proposal.objects.get(pk=proposal.pk).title == expected_title


def test_a_foreign_coinvestigator_reads_the_proposal_without_an_edit_button(client, proposal, foreign_coinvestigator):
    client.force_login(foreign_coinvestigator)
    page = client.get(reverse("proposals:proposal_detail", args=[proposal.pk])).content.decode()
    assert "Regolith dust analyser" in page
    assert "Edit the draft" not in page and "Check and submit" not in page
    assert "Regolith dust analyser" in client.get(reverse("proposals:proposal_list")).content.decode()


def test_a_coinvestigator_lists_their_own_organisations_proposals_and_the_team_ones_once(
    api_as, proposal, foreign_coinvestigator, foreign_draft
):
    own = ProposalFactory(
        call=proposal.call,
        organisation=foreign_coinvestigator.organisation,
        principal_investigator=foreign_coinvestigator,
        title="Nile seismometer",
    )
    TeamMemberFactory(proposal=own, user=foreign_coinvestigator)

    listing = api_as(foreign_coinvestigator).get("/api/v1/proposals/").json()

    assert listing["count"] == 2
    assert sorted(row["title"] for row in listing["results"]) == ["Nile seismometer", "Regolith dust analyser"]


def test_a_lead_member_not_on_the_team_may_not_withdraw(client, api_as, proposal, pi, partner_member):
    services.submit_proposal(proposal=proposal, by=pi)
    assert api_as(partner_member).post(f"/api/v1/proposals/{proposal.pk}/withdraw/").status_code == 403
    client.force_login(partner_member)
    assert client.post(reverse("proposals:proposal_withdraw", args=[proposal.pk])).status_code == 404
    assert Proposal.objects.get(pk=proposal.pk).status == Proposal.Status.SUBMITTED


# Another organisation's proposals --------------------------------------------------------------


@pytest.fixture
def foreign_draft(call, other_organisation, other_partner_admin):
    """Another organisation's draft, with a submitted version and a file: everything that could leak."""
    draft = ProposalFactory(
        call=call,
        organisation=other_organisation,
        principal_investigator=other_partner_admin,
        title="Confidential far-side drill",
    )
    services.add_attachment(proposal=draft, by=other_partner_admin, upload=pdf_upload("secret-design.pdf"))
    services.submit_proposal(proposal=draft, by=other_partner_admin)
    services.withdraw_proposal(proposal=draft, by=other_partner_admin)
    return draft


def test_another_organisations_draft_is_invisible_on_every_page(client, proposal, partner_admin, foreign_draft):
    client.force_login(partner_admin)
    listing = client.get(reverse("proposals:proposal_list")).content.decode()
    assert "Regolith dust analyser" in listing
    assert "Confidential far-side drill" not in listing

    for name in ("proposal_detail", "proposal_edit", "proposal_versions", "proposal_submit"):
        response = client.get(reverse(f"proposals:{name}", args=[foreign_draft.pk]))
        assert response.status_code == 404, name
        assert "Confidential far-side drill" not in response.content.decode()
    for name in ("proposal_withdraw", "proposal_submit", "proposal_edit"):
        response = client.post(reverse(f"proposals:{name}", args=[foreign_draft.pk]), {"title": "Taken over"})
        assert response.status_code == 404, name
    attachment = foreign_draft.attachments.get()
    assert client.get(reverse("proposals:attachment_download", args=[attachment.pk])).status_code == 404
    assert client.post(reverse("proposals:attachment_remove", args=[attachment.pk])).status_code == 404
    upload = client.post(
        reverse("proposals:attachment_upload", args=[foreign_draft.pk]), {"kind": "technical", "file": pdf_upload()}
    )
    assert upload.status_code == 404

    foreign_draft.refresh_from_db()
    assert (foreign_draft.title, foreign_draft.status) == ("Confidential far-side drill", "withdrawn")
    assert foreign_draft.attachments.get().removed_at is None


def test_another_organisations_draft_is_invisible_in_the_api(api_as, proposal, partner_admin, foreign_draft):
    client = api_as(partner_admin)
    listing = client.get("/api/v1/proposals/", {"call": foreign_draft.call_id, "page_size": 200})
    assert [row["title"] for row in listing.json()["results"]] == ["Regolith dust analyser"]
    assert "Confidential far-side drill" not in listing.content.decode()

    base = f"/api/v1/proposals/{foreign_draft.pk}"
    attachment = foreign_draft.attachments.get()
    for method, path in [
        ("get", f"{base}/"),
        ("get", f"{base}/versions/"),
        ("get", f"{base}/attachments/"),
        ("patch", f"{base}/"),
        ("post", f"{base}/submit/"),
        ("post", f"{base}/withdraw/"),
        ("delete", f"{base}/attachments/{attachment.pk}/"),
    ]:
        response = getattr(client, method)(path)
        assert response.status_code == 404, (method, path)
        assert "Confidential" not in response.content.decode()
        assert foreign_draft.versions.get().content_hash not in response.content.decode()


def test_a_missing_and_a_forbidden_proposal_answer_alike(api_as, partner_admin, foreign_draft):
    forbidden = api_as(partner_admin).get(f"/api/v1/proposals/{foreign_draft.pk}/")
    missing = api_as(partner_admin).get("/api/v1/proposals/999999/")
    assert (forbidden.status_code, forbidden.json()) == (missing.status_code, missing.json())


def test_a_person_without_an_organisation_sees_no_proposals(client, api_as, reviewer, proposal, foreign_draft):
    assert api_as(reviewer).get("/api/v1/proposals/").json()["results"] == []
    client.force_login(reviewer)
    page = client.get(reverse("proposals:proposal_list")).content.decode()
    assert "Regolith dust analyser" not in page and "Confidential far-side drill" not in page


def test_administrators_see_every_proposal_in_the_api(api_as, programme_admin, proposal, foreign_draft):
    titles = {row["title"] for row in api_as(programme_admin).get("/api/v1/proposals/").json()["results"]}
    assert titles == {"Regolith dust analyser", "Confidential far-side drill"}


def test_administrators_list_all_proposals_only_when_asked(client, programme_admin, proposal, foreign_draft):
    client.force_login(programme_admin)
    mine = client.get(reverse("proposals:proposal_list")).content.decode()
    everything = client.get(reverse("proposals:proposal_list"), {"mine": "0"}).content.decode()
    assert "Regolith dust analyser" not in mine
    assert "Regolith dust analyser" in everything and "Confidential far-side drill" in everything


def test_signed_out_visitors_see_no_proposal(client, api_client, proposal):
    assert api_client.get("/api/v1/proposals/").status_code in (401, 403)
    assert api_client.get(f"/api/v1/proposals/{proposal.pk}/").status_code in (401, 403)
    for name in ("proposal_detail", "proposal_versions", "proposal_submit", "proposal_edit"):
        response = client.get(reverse(f"proposals:{name}", args=[proposal.pk]))
        assert response.status_code == 302 and "/login/" in response["Location"], name


# Administration pages ----------------------------------------------------------------------------


@pytest.fixture
def manage_urls(proposal, call):
    return [
        ("get", reverse("proposals:manage_calls")),
        ("get", reverse("proposals:call_create")),
        ("get", reverse("proposals:call_edit", args=[call.pk])),
        ("get", reverse("proposals:call_submissions", args=[call.pk])),
        ("get", reverse("proposals:call_submissions", args=[call.pk]) + "?format=csv"),
        ("post", reverse("proposals:call_transition", args=[call.pk, "close"])),
        ("post", reverse("proposals:proposal_shortlist", args=[proposal.pk])),
        ("post", reverse("proposals:proposal_compliance", args=[proposal.pk])),
    ]


@pytest.mark.parametrize("person", ["pi", "partner_admin", "reviewer"])
def test_non_administrators_get_404_on_the_manage_pages(client, manage_urls, call, person, request):
    client.force_login(request.getfixturevalue(person))
    for method, url in manage_urls:
        response = getattr(client, method)(url)
        assert response.status_code == 404, url
        assert "Regolith dust analyser" not in response.content.decode()
    call.refresh_from_db()
    assert call.status == "open"


def test_the_manage_pages_open_for_administrators(client, manage_urls, programme_admin):
    client.force_login(programme_admin)
    for method, url in manage_urls:
        if method == "get":
            assert client.get(url).status_code == 200, url


def test_a_partner_admin_of_another_organisation_cannot_hand_the_pi_role_over(api_as, proposal, other_partner_admin):
    response = api_as(other_partner_admin).patch(
        f"/api/v1/proposals/{proposal.pk}/", {"principal_investigator": other_partner_admin.pk}, format="json"
    )
    assert response.status_code == 404
    assert Proposal.objects.get(pk=proposal.pk).principal_investigator.email == "pi@south-lunar.example.org"


def test_the_pi_cannot_be_someone_from_another_organisation(api_as, proposal, pi):
    stranger = MembershipFactory(organisation=OrganisationFactory()).user
    response = api_as(pi).patch(
        f"/api/v1/proposals/{proposal.pk}/", {"principal_investigator": stranger.pk}, format="json"
    )
    assert response.status_code == 400
    assert "principal_investigator" in response.json()


@pytest.mark.parametrize("who", ["pi", "lead_coinvestigator", "foreign_coinvestigator"])
def test_someone_removed_from_their_organisation_no_longer_sees_the_teams_proposal(
    who, request, client, api_as, proposal, lead_coinvestigator, foreign_coinvestigator
):
    person = request.getfixturevalue(who)
    attachment = services.add_attachment(proposal=proposal, by=proposal.principal_investigator, upload=pdf_upload())
    admin = MembershipFactory(organisation=person.organisation, role="admin").user
    partner_services.remove_member(membership=person.membership, by=admin)
    person.refresh_from_db()

    client.force_login(person)
    assert client.get(reverse("proposals:proposal_detail", args=[proposal.pk])).status_code == 404
    assert client.get(reverse("proposals:attachment_download", args=[attachment.pk])).status_code == 404
    assert "Regolith dust analyser" not in client.get(reverse("proposals:proposal_list")).content.decode()
    assert api_as(person).get(f"/api/v1/proposals/{proposal.pk}/").status_code == 404
    assert api_as(person).get("/api/v1/proposals/").json()["count"] == 0
    assert not permissions.can_view_proposal(person, proposal)


def test_a_coinvestigator_who_moves_to_another_partner_does_not_take_the_old_teams_work_along(
    client, proposal, foreign_coinvestigator
):
    old = foreign_coinvestigator.membership
    old.delete()
    MembershipFactory(user=foreign_coinvestigator, organisation=OrganisationFactory(name="Andes Rover Works"))
    foreign_coinvestigator.refresh_from_db()

    client.force_login(foreign_coinvestigator)

    assert client.get(reverse("proposals:proposal_detail", args=[proposal.pk])).status_code == 404
