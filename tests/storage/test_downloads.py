"""Files in an S3-compatible store: written encrypted and private, streamed only to the people allowed to read them."""

import hashlib
import urllib.error
import urllib.request

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from portal.dashboard import services as export_services
from portal.dashboard.models import ExportJob
from proposals.models import Attachment
from tests.factories import CallFactory, MembershipFactory, ProposalFactory
from tests.proposals.support import PDF, pdf_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def proposal(organisation):
    pi = MembershipFactory(organisation=organisation).user
    return ProposalFactory(call=CallFactory(), organisation=organisation, principal_investigator=pi)


def _body(response):
    return b"".join(response.streaming_content)


def test_an_uploaded_pdf_is_stored_encrypted_in_the_bucket_and_streamed_to_its_team_only(
    client, s3_storage, object_store, proposal, other_partner_admin
):
    client.force_login(proposal.principal_investigator)
    uploaded = client.post(
        reverse("proposals:attachment_upload", args=[proposal.pk]), {"kind": "technical", "file": pdf_upload()}
    )
    assert uploaded.status_code == 302

    attachment = Attachment.objects.get()
    assert object_store.keys(s3_storage) == [attachment.file.name]
    assert object_store.read(s3_storage, attachment.file.name) == PDF
    head = object_store.client().head_object(Bucket=s3_storage, Key=attachment.file.name)
    assert head["ServerSideEncryption"] == "AES256"
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{object_store.endpoint}/{s3_storage}/{attachment.file.name}", timeout=5)
    assert refused.value.code == 403, "the object cannot be read without credentials"

    response = client.get(reverse("proposals:attachment_download", args=[attachment.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Length"] == str(len(PDF))
    assert response["Content-Disposition"] == 'attachment; filename="technical-description.pdf"'
    assert _body(response) == PDF

    client.force_login(other_partner_admin)
    assert client.get(reverse("proposals:attachment_download", args=[attachment.pk])).status_code == 404


def test_a_file_lost_by_the_store_answers_not_found_rather_than_an_error(client, s3_storage, object_store, proposal):
    client.force_login(proposal.principal_investigator)
    client.post(reverse("proposals:attachment_upload", args=[proposal.pk]), {"kind": "technical", "file": pdf_upload()})
    attachment = Attachment.objects.get()
    object_store.client().delete_object(Bucket=s3_storage, Key=attachment.file.name)

    assert client.get(reverse("proposals:attachment_download", args=[attachment.pk])).status_code == 404


def test_an_export_written_in_the_background_lands_in_the_bucket_and_downloads(
    client, s3_storage, object_store, programme_admin, organisation
):
    job = export_services.request_export(kind="partners", file_format="csv", by=programme_admin)
    assert export_services.run_export(job_id=job.pk)
    job.refresh_from_db()

    assert job.status == ExportJob.Status.DONE
    stored = object_store.read(s3_storage, job.file.name)
    assert organisation.name.encode() in stored
    assert default_storage.exists(job.file.name)

    client.force_login(programme_admin)
    response = client.get(reverse("dashboard:export_download", args=[job.pk]))
    assert response.status_code == 200
    assert _body(response) == stored
    assert hashlib.sha256(_body(client.get(reverse("dashboard:export_download", args=[job.pk])))).hexdigest() == (
        hashlib.sha256(stored).hexdigest()
    )
