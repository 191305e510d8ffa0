"""Small helpers for the calls and proposals tests: a real PDF, deadlines moved into the past, form posts."""

import io
from datetime import datetime, timedelta

import pikepdf
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms import BooleanField, MultipleChoiceField
from django.utils import timezone

from proposals import services
from proposals.models import Call, ReviewAssignment
from tests.factories import ReviewAssignmentFactory

PDF = (
    b"%PDF-1.4\n"
    b"1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n"
    b"%%EOF\n"
)


def pdf_upload(name="technical-description.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def pass_deadline(call, *, ago=timedelta(minutes=1)):
    """Move the call's final deadline into the past (the row only: no service would allow it)."""
    Call.objects.filter(pk=call.pk).update(deadline=timezone.now() - ago)
    call.refresh_from_db()
    return call.deadline


def send_to_review(call, proposal, reviewer=None):
    """Submit `proposal`, put its call under review (closed yesterday) and, if given, let `reviewer` review it."""
    services.submit_proposal(proposal=proposal, by=proposal.principal_investigator)
    Call.objects.filter(pk=call.pk).update(
        status=Call.Status.UNDER_REVIEW,
        deadline=timezone.now() - timedelta(days=1),
        review_deadline=timezone.now() + timedelta(days=14),
    )
    call.refresh_from_db()
    if reviewer is None:
        return None
    return ReviewAssignmentFactory(proposal=proposal, reviewer=reviewer, status=ReviewAssignment.Status.ACCEPTED)


def pass_letter_deadline(call, *, ago=timedelta(minutes=1)):
    Call.objects.filter(pk=call.pk).update(letter_deadline=timezone.now() - ago)
    call.refresh_from_db()
    return call.letter_deadline


def post_data(*forms):
    """What a browser would post back for these forms and formsets as they are shown."""
    data = {}
    for form in forms:
        if hasattr(form, "management_form"):
            data.update(post_data(form.management_form, *form.forms))
            continue
        for name, field in form.fields.items():
            value = form[name].value()
            key = form.add_prefix(name)
            if isinstance(field, BooleanField):
                if value:
                    data[key] = "on"
            elif isinstance(field, MultipleChoiceField):
                data[key] = [str(item) for item in value or []]
            elif isinstance(value, list | tuple):
                data[key] = [str(item) for item in value]
            elif isinstance(value, datetime):
                data[key] = value.strftime("%Y-%m-%dT%H:%M")
            else:
                data[key] = "" if value is None else str(value)
    return data


AUTHOR = "Zenobia Quillfeather"
INSTITUTE = "Qarabag Zephyr Lunar Institute"


def team_pdf(text="Regolith dust analyser: technical description", *, author=AUTHOR, creator=INSTITUTE):
    """A one-page PDF whose page shows `text`, with /Author, /Creator and XMP metadata naming the team."""
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    page = pdf.pages[0]
    font = pdf.make_indirect(
        pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica)
    )
    page.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
    page.Contents = pdf.make_stream(f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("latin-1"))
    pdf.docinfo["/Author"] = author
    pdf.docinfo["/Creator"] = f"{author} of {creator}"
    with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
        meta["dc:creator"] = [author]
        meta["xmp:CreatorTool"] = creator
    out = io.BytesIO()
    pdf.save(out, compress_streams=False)
    return out.getvalue()
