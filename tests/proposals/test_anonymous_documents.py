"""Dual-anonymous calls: reviewers get PDFs without their author metadata; teams are warned when the text names them."""

import io

import pikepdf
import pypdf
import pytest
from django.urls import reverse

from portal.audit.models import AuditEvent
from proposals import documents, services
from proposals.models import Attachment, Call
from tests.proposals.support import AUTHOR, INSTITUTE, pdf_upload, send_to_review, team_pdf


def _make_dual(call):
    Call.objects.filter(pk=call.pk).update(anonymity=Call.Anonymity.DUAL)
    call.refresh_from_db()


def _fetch(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return b"".join(response.streaming_content)


@pytest.fixture
def original():
    return team_pdf()


@pytest.fixture
def dual_attachment(call, proposal, pi, original):
    _make_dual(call)
    return services.add_attachment(proposal=proposal, by=pi, upload=pdf_upload("design.pdf", original))


@pytest.fixture
def blind_assignment(dual_attachment, call, proposal, reviewer):
    return send_to_review(call, proposal, reviewer)


def _review_url(assignment, attachment):
    return reverse("proposals:review_attachment", args=[assignment.pk, attachment.pk])


def test_the_team_pdf_carries_the_names_the_reviewer_must_not_see(original):
    with pikepdf.open(io.BytesIO(original)) as pdf:
        assert str(pdf.docinfo["/Author"]) == AUTHOR
        assert INSTITUTE in str(pdf.docinfo["/Creator"])
        assert pdf.open_metadata()["dc:creator"] == [AUTHOR]
        assert pdf.open_metadata()["xmp:CreatorTool"] == INSTITUTE
    assert b"Quillfeather" in original


def test_a_dual_anonymous_reviewer_gets_a_copy_without_the_document_information_and_xmp(
    client, blind_assignment, dual_attachment, reviewer, original
):
    client.force_login(reviewer)
    copy = _fetch(client, _review_url(blind_assignment, dual_attachment))

    assert copy != original
    assert b"Quillfeather" not in copy and b"Qarabag" not in copy and b"x:xmpmeta" not in copy
    with pikepdf.open(io.BytesIO(copy)) as pdf:
        assert "/Info" not in pdf.trailer
        assert "/Metadata" not in pdf.Root
        assert len(pdf.pages) == 1
    reader = pypdf.PdfReader(io.BytesIO(copy))
    assert reader.metadata is None
    assert reader.pages[0].extract_text() == "Regolith dust analyser: technical description"


def test_the_team_still_downloads_its_own_original_byte_for_byte(
    client, blind_assignment, dual_attachment, reviewer, pi, original
):
    client.force_login(reviewer)
    _fetch(client, _review_url(blind_assignment, dual_attachment))

    client.force_login(pi)
    assert _fetch(client, reverse("proposals:attachment_download", args=[dual_attachment.pk])) == original


def test_the_copy_is_made_once_and_reused_for_later_downloads(
    client, blind_assignment, dual_attachment, reviewer, monkeypatch
):
    made = []
    clean = documents.without_metadata

    def counting(source):
        made.append(1)
        return clean(source)

    monkeypatch.setattr(documents, "without_metadata", counting)
    client.force_login(reviewer)
    first = _fetch(client, _review_url(blind_assignment, dual_attachment))
    stored = Attachment.objects.get(pk=dual_attachment.pk).reviewer_copy.name
    second = _fetch(client, _review_url(blind_assignment, dual_attachment))

    assert len(made) == 1
    assert first == second
    assert stored and Attachment.objects.get(pk=dual_attachment.pk).reviewer_copy.name == stored
    assert AuditEvent.objects.filter(action="proposal.attachment_reviewer_copy").count() == 1


def test_the_copys_audit_row_names_no_reviewer_and_is_outside_the_teams_log(
    client, blind_assignment, dual_attachment, reviewer
):
    client.force_login(reviewer)
    _fetch(client, _review_url(blind_assignment, dual_attachment))
    event = AuditEvent.objects.get(action="proposal.attachment_reviewer_copy")
    assert (event.actor, event.actor_label, event.organisation) == (None, "", None)


def test_a_single_anonymous_call_gives_reviewers_the_original_and_makes_no_copy(
    client, call, proposal, pi, reviewer, original
):
    attachment = services.add_attachment(proposal=proposal, by=pi, upload=pdf_upload("design.pdf", original))
    assignment = send_to_review(call, proposal, reviewer)
    client.force_login(reviewer)
    response = client.get(_review_url(assignment, attachment))

    assert b"".join(response.streaming_content) == original
    assert 'filename="design.pdf"' in response["Content-Disposition"]
    assert not Attachment.objects.get(pk=attachment.pk).reviewer_copy


def test_a_pdf_that_cannot_be_parsed_is_never_handed_over_as_it_is(client, call, proposal, pi, reviewer):
    _make_dual(call)
    broken = b"%PDF-1.4\n" + b"Author: Zenobia Quillfeather " * 20 + b"\n%%EOF\n"
    attachment = services.add_attachment(proposal=proposal, by=pi, upload=pdf_upload("design.pdf", broken))
    assignment = send_to_review(call, proposal, reviewer)
    client.force_login(reviewer)
    response = client.get(_review_url(assignment, attachment), follow=True)

    assert response.status_code == 200
    assert "could not be prepared for anonymous review" in response.content.decode()
    assert b"Quillfeather" not in response.content


# The warning on upload --------------------------------------------------------------------------------


def _api_upload(api_as, user, proposal, content):
    return api_as(user).post(
        f"/api/v1/proposals/{proposal.pk}/attachments/",
        {"file": pdf_upload("design.pdf", content), "kind": "technical"},
        format="multipart",
    )


def test_the_api_warns_the_team_when_the_text_names_a_team_member(api_as, call, proposal, pi):
    _make_dual(call)
    response = _api_upload(api_as, pi, proposal, team_pdf("Principal investigator: Palesa  Principal"))
    assert response.status_code == 201, response.content
    assert "Palesa Principal" in response.json()["warning"]
    listed = api_as(pi).get(f"/api/v1/proposals/{proposal.pk}/attachments/").json()["results"]
    assert "Palesa Principal" in listed[0]["warning"]


def test_the_api_warns_when_the_text_names_the_lead_organisation(api_as, call, proposal, pi):
    _make_dual(call)
    name = proposal.organisation.name
    response = _api_upload(api_as, pi, proposal, team_pdf(f"Built at the {name.upper()} workshops"))
    assert response.status_code == 201
    assert name in response.json()["warning"]


def test_no_warning_when_only_the_metadata_names_the_team(api_as, call, proposal, pi):
    _make_dual(call)
    metadata_only = team_pdf(author="Palesa Principal", creator=proposal.organisation.name)
    response = _api_upload(api_as, pi, proposal, metadata_only)
    assert response.status_code == 201
    assert response.json()["warning"] == ""


def test_no_warning_on_a_call_that_is_not_dual_anonymous(api_as, call, proposal, pi):
    response = _api_upload(api_as, pi, proposal, team_pdf("Principal investigator: Palesa Principal"))
    assert response.status_code == 201
    assert response.json()["warning"] == ""


def test_the_editor_page_warns_after_an_upload_whose_text_names_a_co_investigator(
    client, call, proposal, pi, lead_coinvestigator
):
    _make_dual(call)
    client.force_login(pi)
    response = client.post(
        reverse("proposals:attachment_upload", args=[proposal.pk]),
        {"kind": "technical", "file": pdf_upload("design.pdf", team_pdf("Thanks to Kagiso Colleague"))},
        follow=True,
    )
    page = response.content.decode()
    assert "File attached." in page
    assert "names Kagiso Colleague" in page
    assert Attachment.objects.get().names_found == ["Kagiso Colleague"]


def test_the_editor_page_gives_no_warning_when_the_text_names_nobody(client, call, proposal, pi):
    _make_dual(call)
    client.force_login(pi)
    response = client.post(
        reverse("proposals:attachment_upload", args=[proposal.pk]),
        {"kind": "technical", "file": pdf_upload("design.pdf", team_pdf())},
        follow=True,
    )
    page = response.content.decode()
    assert "File attached." in page
    assert "dual-anonymous" not in page
