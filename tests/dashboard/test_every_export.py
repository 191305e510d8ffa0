"""Every CSV and Excel download the portal offers, held to the same promises: the byte-order mark that lets Excel on
Windows read Chinese and Russian, no cell a spreadsheet would run, times in UTC to the second with the zone named,
and an Excel file with the same rows as the CSV."""

import io
import re
from datetime import UTC, datetime

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from partners.models import Organisation
from portal.accounts.models import User
from portal.dashboard import services
from portal.dashboard.exports import EXPORTS
from proposals.models import Call, Proposal
from tests.helpers import csv_rows

CHINESE = "嫦娥七号 月球科研站"
FORMULA = '=HYPERLINK("http://evil.example","Click")'
# A name that is both written in Chinese and would run as a formula in a spreadsheet.
HOSTILE = f"{FORMULA} {CHINESE}"
ISO_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def downloads(programme):
    """Every CSV download, by name: the administrators' exports, a dashboard figure, and the calls' lists."""
    x, z = programme.calls.x, programme.calls.z
    return {
        **{kind: reverse("dashboard:export_stream", args=[kind]) for kind in EXPORTS},
        "figure": reverse("dashboard:figure_export", args=["outcomes", "selection_by_call", "csv"]),
        "submissions": reverse("proposals:call_submissions", args=[x.pk]) + "?format=csv",
        "ranking": reverse("proposals:call_ranking", args=[x.pk]) + "?format=csv",
        "assignments": reverse("proposals:call_assignments_export", args=[z.pk]),
    }


@pytest.fixture
def admin_client(client, programme_admin):
    client.force_login(programme_admin)
    return client


@pytest.fixture
def written_in_chinese(programme, programme_admin):
    """Titles, names and a person written in Chinese, and looking like a formula, wherever the downloads show them."""
    Proposal.objects.update(title=HOSTILE, title_native=CHINESE)
    Organisation.objects.update(native_name=HOSTILE)
    Call.objects.update(title=HOSTILE)
    User.objects.filter(pk=programme_admin.pk).update(full_name=HOSTILE)
    return programme


@pytest.mark.parametrize(
    "name",
    ["partners", "people", "proposals", "reviews", "decisions", "figure", "submissions", "ranking", "assignments"],
)
def test_every_csv_download_starts_with_the_byte_order_mark_keeps_chinese_text_and_runs_no_formula(
    admin_client, written_in_chinese, name
):
    url = downloads(written_in_chinese)[name]

    # csv_rows checks the mark and reads the file as Excel does (utf-8-sig).
    header, *rows = csv_rows(admin_client.get(url))

    assert not header[0].startswith("\ufeff")
    cells = [cell for row in rows for cell in row]
    assert "'" + HOSTILE in cells, f"{name}: the Chinese name did not come back, or not kept as text"
    assert not any(cell.startswith("=") for cell in cells), f"{name}: a cell would run as a formula"


@pytest.mark.parametrize(
    ("name", "columns"),
    [
        ("people", ["Account created (UTC)"]),
        ("proposals", ["Submitted (UTC)"]),
        ("reviews", ["Submitted (UTC)"]),
        ("decisions", ["Decided (UTC)"]),
        ("submissions", ["Submitted at (UTC)"]),
    ],
)
def test_times_are_iso_8601_to_the_second_with_the_zone(admin_client, programme, name, columns):
    header, *rows = csv_rows(admin_client.get(downloads(programme)[name]))

    for column in columns:
        times = [row[header.index(column)] for row in rows if row[header.index(column)]]
        assert times, f"{name}: no {column}"
        assert all(ISO_TIME.match(time) for time in times), times


def test_the_submitted_time_is_the_proposals_own_to_the_second(admin_client, programme):
    p1 = programme.proposals.p1
    header, *rows = csv_rows(admin_client.get(downloads(programme)["submissions"]))

    [row] = [row for row in rows if row[0] == p1.reference]
    written = datetime.fromisoformat(row[header.index("Submitted at (UTC)")])
    assert written == p1.submitted_at.astimezone(UTC).replace(microsecond=0)


def _same(text, cell):
    """Whether a CSV cell and the Excel cell beside it hold the same value."""
    if cell is None or cell == "":
        return text == ""
    if isinstance(cell, datetime):
        return text in (cell.strftime("%Y-%m-%dT%H:%M:%SZ"), cell.date().isoformat())
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        return text != "" and float(text) == pytest.approx(cell)
    return text == str(cell)


def _workbook_rows(content):
    sheet = load_workbook(io.BytesIO(content), read_only=True).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def _assert_same_rows(csv_rows_, workbook_rows):
    assert len(csv_rows_) == len(workbook_rows)
    for text_row, cell_row in zip(csv_rows_, workbook_rows, strict=True):
        cell_row = cell_row + [None] * (len(text_row) - len(cell_row))  # Excel drops empty cells at a row's end
        assert all(_same(text, cell) for text, cell in zip(text_row, cell_row, strict=True)), (text_row, cell_row)


@pytest.mark.parametrize("kind", ["partners", "people", "proposals", "reviews", "decisions"])
def test_an_excel_export_has_the_same_rows_as_the_csv(
    admin_client, written_in_chinese, programme_admin, django_capture_on_commit_callbacks, kind
):
    from django.core.files.storage import default_storage

    with django_capture_on_commit_callbacks(execute=True):
        job = services.request_export(kind=kind, file_format="xlsx", by=programme_admin)
    job.refresh_from_db()
    with default_storage.open(job.file.name, "rb") as stored:
        workbook = _workbook_rows(stored.read())

    _assert_same_rows(csv_rows(admin_client.get(downloads(written_in_chinese)[kind])), workbook)


@pytest.mark.parametrize(
    ("csv_url", "xlsx_url"),
    [
        (
            lambda programme: reverse("proposals:call_ranking", args=[programme.calls.x.pk]) + "?format=csv",
            lambda programme: reverse("proposals:call_ranking", args=[programme.calls.x.pk]) + "?format=xlsx",
        ),
        (
            lambda programme: reverse("dashboard:figure_export", args=["outcomes", "selection_by_call", "csv"]),
            lambda programme: reverse("dashboard:figure_export", args=["outcomes", "selection_by_call", "xlsx"]),
        ),
    ],
    ids=["ranking", "figure"],
)
def test_a_downloaded_excel_file_has_the_same_rows_as_the_csv(admin_client, written_in_chinese, csv_url, xlsx_url):
    text = csv_rows(admin_client.get(csv_url(written_in_chinese)))
    workbook = _workbook_rows(admin_client.get(xlsx_url(written_in_chinese)).content)

    _assert_same_rows(text, workbook)
    assert "'" + HOSTILE in [cell for row in workbook for cell in row]
