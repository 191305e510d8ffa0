"""Administrators' exports: columns and content, streamed CSV, Excel files written by the background task."""

import csv
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import StreamingHttpResponse
from django.urls import reverse
from openpyxl import load_workbook

from portal.audit.models import AuditEvent
from portal.dashboard import services
from portal.dashboard.exports import EXPORTS
from portal.dashboard.models import ExportJob
from portal.errors import DomainError, NotAllowed


def streamed_csv(client, kind):
    response = client.get(reverse("dashboard:export_stream", args=[kind]))
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text[1:])))
    return rows


@pytest.fixture
def admin_client(client, programme_admin):
    client.force_login(programme_admin)
    return client


@pytest.fixture
def prepared(programme_admin, django_capture_on_commit_callbacks):
    """Ask for an export file and let the (in-process) task write it; returns the finished job."""

    def prepare(kind, file_format):
        with django_capture_on_commit_callbacks(execute=True):
            job = services.request_export(kind=kind, file_format=file_format, by=programme_admin)
        job.refresh_from_db()
        return job

    return prepare


def workbook_rows(job):
    with default_storage.open(job.file.name, "rb") as stored:
        sheet = load_workbook(io.BytesIO(stored.read()), read_only=True).active
        return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_partners_export(admin_client, programme):
    rows = {row["Name"]: row for row in streamed_csv(admin_client, "partners")}

    assert list(next(iter(rows.values()))) == [str(label) for label in EXPORTS["partners"].columns]
    pretoria = rows["Pretoria University"]
    assert pretoria["Kind"] == "University"
    assert (pretoria["Country code"], pretoria["Country"], pretoria["Region"]) == ("ZA", "South Africa", "Africa")
    assert (pretoria["Status"], pretoria["Reason for the status"]) == ("Suspended", "Hidden suspension reason")
    assert pretoria["Joined"] == "2023-09-15"
    assert rows["Nile Space Agency"]["Submitted proposals"] == "2"
    assert rows["Asia-Pacific Org"]["Region"] == "International organisations"


def test_people_export_lists_roles(admin_client, programme, programme_admin, partner_admin):
    rows = {row["Email"]: row for row in streamed_csv(admin_client, "people")}

    assert rows[programme_admin.email]["Roles"] == "Programme administrator"
    assert rows[partner_admin.email]["Roles"] == "Partner admin"
    assert rows[partner_admin.email]["Organisation"] == "South Lunar Institute"
    assert rows["rosa.reviewer@example.org"]["Roles"] == "Reviewer"
    pi = programme.proposals.p1.principal_investigator
    assert rows[pi.email]["Roles"] == "Partner member"
    assert rows[pi.email]["Country code"] == "ZA"


def test_proposals_export_has_the_resource_requests_and_team_countries(admin_client, programme):
    rows = {row["Title"]: row for row in streamed_csv(admin_client, "proposals")}

    assert len(rows) == 7
    p2 = rows[programme.proposals.p2.title]
    assert p2["Reference"] == programme.proposals.p2.reference
    assert (p2["Call"], p2["Mission"], p2["Phase"]) == ("ce7-2023", "Chang'e-7", "Construction — first stage")
    assert (p2["Mass (kg)"], p2["Average power (W)"], p2["Data (MB/day)"]) == ("5.00", "30.00", "500.00")
    assert (p2["Platform"], p2["Decision"], p2["Status"]) == ("CE-7 lander", "Selected", "Submitted")
    assert p2["Areas"] == "Payloads"
    p7 = rows[programme.proposals.p7.title]
    assert (p7["Team members"], p7["Countries on the team"]) == ("2", "3")
    assert rows["Secret draft title"]["Status"] == "Draft"


def test_reviews_export_names_reviewers_and_keeps_the_confidential_comment_for_administrators(admin_client, programme):
    rows = streamed_csv(admin_client, "reviews")

    assert len(rows) == 5
    by_reviewer = {(row["Reviewer"], row["Proposal"]): row for row in rows}
    rosa = by_reviewer[("Rosa Reviewer", programme.proposals.p7.reference)]
    assert rosa["Anonymity"].startswith("Dual-anonymous")
    assert rosa["Lead organisation"] == "Nile Space Agency"
    assert rosa["Confidential comment for the panel"] == "Confidential: the team is thin"
    assert rosa["Scores"] == "scientific_value=4; technical_feasibility=4; collaboration_diversity=4"
    assert rosa["Weighted score"] == "4.00"
    declined = by_reviewer[("Ravi Busy", programme.proposals.p7.reference)]
    assert (declined["Assignment status"], declined["Review status"], declined["Scores"]) == ("Declined", "", "")


def test_exports_refuse_anyone_but_an_administrator_even_when_called_directly(programme, reviewer, partner_admin):
    for user in (reviewer, partner_admin):
        with pytest.raises(PermissionDenied):
            next(EXPORTS["reviews"].rows(viewer=user))


def test_decisions_export(admin_client, programme, programme_admin):
    rows = streamed_csv(admin_client, "decisions")

    assert [(row["Title"], row["Outcome"]) for row in rows] == [
        (programme.proposals.p1.title, "Selected"),
        (programme.proposals.p2.title, "Selected"),
        (programme.proposals.p3.title, "Not selected"),
    ]
    assert rows[0]["Decided by"] == programme_admin.full_name
    assert rows[0]["Released (UTC)"] == ""


def test_text_a_spreadsheet_would_run_is_kept_as_text(admin_client, programme):
    programme.organisations.a.name = '=HYPERLINK("http://evil.example","click")'
    programme.organisations.a.save()

    rows = streamed_csv(admin_client, "partners")

    assert '\'=HYPERLINK("http://evil.example","click")' in [row["Name"] for row in rows]


def test_streamed_export_is_recorded_in_the_audit_log(admin_client, programme, programme_admin):
    streamed_csv(admin_client, "people")

    event = AuditEvent.objects.get(action="export.streamed")
    assert (event.actor, event.data) == (programme_admin, {"kind": "people", "format": "csv"})


def test_excel_file_prepared_in_the_background(prepared, programme):
    job = prepared("proposals", "xlsx")

    assert job.status == ExportJob.Status.DONE
    assert (job.rows_total, job.rows_done, job.percent_done) == (7, 7, 100)
    rows = workbook_rows(job)
    assert rows[0] == [str(label) for label in EXPORTS["proposals"].columns]
    by_title = {row[4]: row for row in rows[1:]}
    p2 = by_title[programme.proposals.p2.title]
    assert p2[17] == Decimal("5.00") or p2[17] == 5
    assert by_title["Secret draft title"][12] == "Draft"
    submitted = rows[0].index("Submitted (UTC)")
    assert p2[submitted].tzinfo is None  # Excel has no zones; the heading says UTC


def test_csv_file_prepared_in_the_background(prepared, programme):
    job = prepared("reviews", "csv")

    with default_storage.open(job.file.name, "rb") as stored:
        text = stored.read().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 5 == job.rows_done
    assert {row["Reviewer"] for row in rows} == {"Rosa Reviewer", "Rui Late", "Rita Silent", "Ravi Busy"}


def test_job_page_shows_progress_until_the_link_appears(client, programme_admin, programme):
    job = ExportJob.objects.create(requested_by=programme_admin, kind="reviews", format="xlsx", rows_total=200)
    ExportJob.objects.filter(pk=job.pk).update(status="running", rows_done=50)
    client.force_login(programme_admin)
    url = reverse("dashboard:export_job", args=[job.pk])

    page = client.get(url).content.decode()
    assert '<meta http-equiv="refresh"' in page
    assert '<progress max="100" value="25"' in page
    assert "50 of 200 rows written." in page
    assert reverse("dashboard:export_download", args=[job.pk]) not in page
    assert client.get(reverse("dashboard:export_download", args=[job.pk])).status_code == 404

    services.run_export(job_id=job.pk)  # running already: a second worker leaves it alone
    assert ExportJob.objects.get(pk=job.pk).rows_done == 50
    ExportJob.objects.filter(pk=job.pk).update(status="queued")
    assert services.run_export(job_id=job.pk) is True
    page = client.get(url).content.decode()
    assert '<meta http-equiv="refresh"' not in page
    download = client.get(reverse("dashboard:export_download", args=[job.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith('attachment; filename="reviews-')


def test_asking_for_a_file_through_the_page(client, programme_admin, programme, django_capture_on_commit_callbacks):
    client.force_login(programme_admin)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("dashboard:export_request"), {"kind": "decisions", "file_format": "xlsx"})

    job = ExportJob.objects.get()
    assert response["Location"] == reverse("dashboard:export_job", args=[job.pk])
    assert (job.kind, job.format, job.status, job.rows_done) == ("decisions", "xlsx", "done", 3)
    assert AuditEvent.objects.filter(action="export.requested", object_id=str(job.pk)).exists()
    listing = client.get(reverse("dashboard:export_list")).content.decode()
    assert reverse("dashboard:export_download", args=[job.pk]) in listing


def test_a_failing_export_is_marked_failed(prepared, monkeypatch, programme):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("portal.dashboard.services.write_csv", broken)

    job = prepared("people", "csv")

    assert job.status == ExportJob.Status.FAILED
    assert job.error == "RuntimeError: disk full"


def test_sweeper_resends_lost_jobs_and_deletes_old_files(prepared, programme_admin, programme):
    from datetime import timedelta

    from django.utils import timezone

    old = prepared("partners", "csv")
    ExportJob.objects.filter(pk=old.pk).update(finished_at=timezone.now() - timedelta(days=8))
    lost = ExportJob.objects.create(requested_by=programme_admin, kind="people", format="csv")
    ExportJob.objects.filter(pk=lost.pk).update(created_at=timezone.now() - timedelta(minutes=10))

    assert services.sweep_exports() == {"requeued": 1, "expired": 1}

    old.refresh_from_db()
    assert old.status == ExportJob.Status.EXPIRED and not old.file
    assert ExportJob.objects.get(pk=lost.pk).status == ExportJob.Status.DONE


def test_figure_exports_as_excel(admin_client, programme):
    response = admin_client.get(reverse("dashboard:figure_export", args=["outcomes", "selection_by_call", "xlsx"]))

    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == [
        "Call",
        "Submitted",
        "Selected",
        "Waiting list",
        "Not selected",
        "Not decided yet",
        "Selection rate (%)",
    ]
    assert rows[1][:4] == ["Chang'e-7 payloads", 3, 2, 0]
    assert rows[1][4] + rows[1][5] == 1
    assert float(rows[1][6]) == pytest.approx(66.7)


def test_unknown_figure_or_export_is_missing(admin_client, db):
    assert admin_client.get(reverse("dashboard:figure_export", args=["partners", "nothing", "csv"])).status_code == 404
    assert admin_client.get(reverse("dashboard:figure_export", args=["nothing", "x", "csv"])).status_code == 404
    assert admin_client.get(reverse("dashboard:export_stream", args=["secrets"])).status_code == 404


def test_the_service_refuses_what_it_cannot_export(programme_admin, reviewer):
    with pytest.raises(DomainError):
        services.request_export(kind="secrets", file_format="csv", by=programme_admin)
    with pytest.raises(DomainError):
        services.request_export(kind="people", file_format="pdf", by=programme_admin)
    with pytest.raises(NotAllowed):
        services.request_export(kind="people", file_format="csv", by=reviewer)
    assert not ExportJob.objects.exists()


def test_exports_name_missions_and_platforms_in_the_language_they_are_made_in(admin_client, programme, programme_admin):
    from django.utils import translation

    from portal.accounts.models import User
    from proposals.models import Mission, Platform

    Mission.objects.filter(name="Chang'e-7").update(name_ru="Чанъэ-7")
    Platform.objects.filter(name="CE-7 lander").update(name_ru="Посадочный модуль Чанъэ-7")
    User.objects.filter(pk=programme_admin.pk).update(language="ru")
    try:
        bodies = {}
        for kind in ("proposals", "decisions"):
            response = admin_client.get(reverse("dashboard:export_stream", args=[kind]))
            bodies[kind] = b"".join(response.streaming_content).decode("utf-8")
    finally:
        translation.activate("en")
    for kind, body in bodies.items():
        assert "Чанъэ-7" in body and "Посадочный модуль Чанъэ-7" in body, kind
        assert "Chang'e-7" not in body and "CE-7 lander" not in body, kind
