"""PDF attachments: judged by content, within the size limit, downloadable by the team only."""

import hashlib

import pytest
from django.urls import reverse

from portal.audit.models import AuditEvent
from proposals import services
from proposals.models import Attachment
from tests.proposals.support import PDF, pass_deadline, pdf_upload

NOT_A_PDF = b"MZ\x90\x00\x03 this is a Windows program wearing a .pdf name"
BIG_PDF = b"%PDF-1.4\n" + b"0" * 1_200_000 + b"\n%%EOF\n"


def _api_upload(client, proposal, upload, kind="technical"):
    return client.post(
        f"/api/v1/proposals/{proposal.pk}/attachments/", {"file": upload, "kind": kind}, format="multipart"
    )


def _download(client, attachment_id):
    response = client.get(reverse("proposals:attachment_download", args=[attachment_id]))
    return response, (b"".join(response.streaming_content) if response.status_code == 200 else None)


# Accepted ---------------------------------------------------------------------------------------


def test_a_real_pdf_is_attached_from_the_editor_page(client, proposal, pi):
    client.force_login(pi)
    response = client.post(
        reverse("proposals:attachment_upload", args=[proposal.pk]),
        {"kind": "support_letter", "file": pdf_upload("Letter of support.pdf")},
        follow=True,
    )
    assert response.redirect_chain[-1][0].endswith(f"/proposals/{proposal.pk}/edit/#attachments")
    assert "File attached." in response.content.decode()

    attachment = Attachment.objects.get()
    assert (attachment.proposal, attachment.kind, attachment.original_name) == (
        proposal,
        "support_letter",
        "Letter_of_support.pdf",
    )
    assert attachment.size == len(PDF)
    assert attachment.sha256 == hashlib.sha256(PDF).hexdigest()
    assert attachment.uploaded_by == pi
    assert "Letter_of_support.pdf" in response.content.decode()
    event = AuditEvent.objects.get(action="proposal.attachment_added")
    assert event.data == {"attachment": "Letter_of_support.pdf", "sha256": attachment.sha256}


def test_a_real_pdf_is_attached_through_the_api(api_as, proposal, pi):
    response = _api_upload(api_as(pi), proposal, pdf_upload())
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["original_name"], body["kind"], body["size"]) == ("technical-description.pdf", "technical", len(PDF))
    assert body["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert body["download_url"] == f"http://testserver/attachments/{body['id']}/"

    listed = api_as(pi).get(f"/api/v1/proposals/{proposal.pk}/attachments/").json()["results"]
    assert [row["id"] for row in listed] == [body["id"]]


def test_the_submitted_version_records_each_files_fingerprint(api_as, proposal, pi):
    attached = _api_upload(api_as(pi), proposal, pdf_upload()).json()
    version = services.submit_proposal(proposal=proposal, by=pi)
    assert version.content["attachments"] == [
        {"id": attached["id"], "name": "technical-description.pdf", "kind": "technical", "sha256": attached["sha256"]}
    ]


# Refused ---------------------------------------------------------------------------------------


def test_a_file_named_pdf_that_is_not_a_pdf_is_refused(client, api_as, proposal, pi):
    response = _api_upload(api_as(pi), proposal, pdf_upload("design.pdf", NOT_A_PDF))
    assert response.status_code == 400
    assert response.json()["file"] == ["The file is not a PDF document."]

    client.force_login(pi)
    page = client.post(
        reverse("proposals:attachment_upload", args=[proposal.pk]),
        {"kind": "technical", "file": pdf_upload("design.pdf", NOT_A_PDF)},
        follow=True,
    )
    assert "The file is not a PDF document." in page.content.decode()
    assert not Attachment.objects.exists()


def test_a_truncated_pdf_without_its_end_marker_is_refused(api_as, proposal, pi):
    response = _api_upload(api_as(pi), proposal, pdf_upload("cut.pdf", PDF[: -len(b"%%EOF\n")]))
    assert response.status_code == 400
    assert not Attachment.objects.exists()


def test_a_file_over_the_size_limit_is_refused_saying_both_sizes(client, api_as, proposal, pi, settings):
    settings.PROPOSAL_ATTACHMENT_MAX_BYTES = 1_000_000
    response = _api_upload(api_as(pi), proposal, pdf_upload("big.pdf", BIG_PDF))
    assert response.status_code == 400
    assert response.json()["file"] == ["The file is 1.2 MB; the limit is 1 MB."]

    client.force_login(pi)
    page = client.post(
        reverse("proposals:attachment_upload", args=[proposal.pk]),
        {"kind": "technical", "file": pdf_upload("big.pdf", BIG_PDF)},
        follow=True,
    )
    assert "The file is 1.2 MB; the limit is 1 MB." in page.content.decode()
    assert not Attachment.objects.exists()


def test_files_are_not_attached_to_a_submitted_proposal_or_after_the_deadline(api_as, proposal, pi, call):
    services.submit_proposal(proposal=proposal, by=pi)
    assert _api_upload(api_as(pi), proposal, pdf_upload()).status_code == 409
    services.withdraw_proposal(proposal=proposal, by=pi)
    pass_deadline(call)
    response = _api_upload(api_as(pi), proposal, pdf_upload())
    assert response.status_code == 409 and "deadline" in response.json()["detail"]
    assert not Attachment.objects.exists()


def test_only_editors_attach_files(client, api_as, proposal, partner_member, foreign_coinvestigator):
    assert _api_upload(api_as(partner_member), proposal, pdf_upload()).status_code == 403
    assert _api_upload(api_as(foreign_coinvestigator), proposal, pdf_upload()).status_code == 403
    client.force_login(partner_member)
    page = client.post(
        reverse("proposals:attachment_upload", args=[proposal.pk]), {"kind": "technical", "file": pdf_upload()}
    )
    assert page.status_code == 404
    assert not Attachment.objects.exists()


# Downloading and removing -------------------------------------------------------------------------


def test_the_team_downloads_and_other_organisations_get_404(
    client, proposal, pi, partner_member, foreign_coinvestigator, other_partner_admin
):
    attachment = services.add_attachment(proposal=proposal, by=pi, upload=pdf_upload())
    for person in (pi, partner_member, foreign_coinvestigator):
        client.force_login(person)
        response, content = _download(client, attachment.pk)
        assert response.status_code == 200 and content == PDF, person
        assert response["Content-Type"] == "application/pdf"
        assert 'filename="technical-description.pdf"' in response["Content-Disposition"]

    client.force_login(other_partner_admin)
    response, _content = _download(client, attachment.pk)
    assert response.status_code == 404


def test_an_anonymous_download_is_sent_to_sign_in(client, proposal, pi):
    attachment = services.add_attachment(proposal=proposal, by=pi, upload=pdf_upload())
    response = client.get(reverse("proposals:attachment_download", args=[attachment.pk]))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_another_organisation_cannot_list_the_files(api_as, proposal, pi, other_partner_admin):
    services.add_attachment(proposal=proposal, by=pi, upload=pdf_upload())
    response = api_as(other_partner_admin).get(f"/api/v1/proposals/{proposal.pk}/attachments/")
    assert response.status_code == 404
    assert "technical-description" not in response.content.decode()


def test_a_removed_file_leaves_the_draft_but_stays_readable_for_the_versions(client, api_as, proposal, pi):
    attachment = services.add_attachment(proposal=proposal, by=pi, upload=pdf_upload())
    first = services.submit_proposal(proposal=proposal, by=pi)
    services.withdraw_proposal(proposal=proposal, by=pi)

    response = api_as(pi).delete(f"/api/v1/proposals/{proposal.pk}/attachments/{attachment.pk}/")
    assert response.status_code == 204
    assert api_as(pi).get(f"/api/v1/proposals/{proposal.pk}/attachments/").json()["results"] == []
    assert services.snapshot(proposal)["attachments"] == []
    assert first.content["attachments"][0]["sha256"] == attachment.sha256

    client.force_login(pi)
    _response, content = _download(client, attachment.pk)
    assert content == PDF


def test_files_are_removed_from_the_editor_page(client, proposal, pi, partner_member):
    attachment = services.add_attachment(proposal=proposal, by=pi, upload=pdf_upload())
    client.force_login(partner_member)
    assert client.post(reverse("proposals:attachment_remove", args=[attachment.pk])).status_code == 404
    client.force_login(pi)
    response = client.post(reverse("proposals:attachment_remove", args=[attachment.pk]), follow=True)
    assert "File removed." in response.content.decode()
    assert Attachment.objects.get().removed_at is not None


@pytest.mark.parametrize("name", ["../../etc/passwd.pdf", "résumé final (v2).pdf"])
def test_stored_names_are_made_safe(proposal, pi, name):
    attachment = services.add_attachment(proposal=proposal, by=pi, upload=pdf_upload(name))
    assert "/" not in attachment.original_name and " " not in attachment.original_name
    assert attachment.file.name.startswith(f"proposals/{proposal.pk}/")
