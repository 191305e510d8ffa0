"""The one writer of CSV and Excel files: what every download the portal offers can rely on."""

import csv
import io
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook

from portal import spreadsheets
from tests.helpers import csv_rows, csv_text

BEIJING = ZoneInfo("Asia/Shanghai")
# Half past four in the afternoon in Beijing, with microseconds the files leave out.
MOMENT = datetime(2026, 3, 31, 16, 30, 5, 123456, tzinfo=BEIJING)
HEADER = ["Title", "Mass (kg)", "Submitted (UTC)", "Joined", "Note"]
ROW = ["月球科研站 Лунная станция", Decimal("5.00"), MOMENT, date(2023, 9, 15), None]


def workbook_rows(content):
    sheet = load_workbook(io.BytesIO(content), read_only=True).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_a_csv_download_starts_with_the_byte_order_mark_and_reads_back_in_any_script():
    response = spreadsheets.csv_response("moon.csv", HEADER, [ROW])

    assert response["Content-Disposition"] == 'attachment; filename="moon.csv"'
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")
    header, row = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert header == HEADER
    assert row == ["月球科研站 Лунная станция", "5.00", "2026-03-31T08:30:05Z", "2023-09-15", ""]


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_text_a_spreadsheet_would_run_is_kept_as_text(start):
    text = f'{start}HYPERLINK("http://evil.example","Click")'

    [_header, [csv_cell]] = list(
        csv.reader(io.StringIO(csv_text(spreadsheets.csv_response("x.csv", ["Title"], [[text]]))))
    )
    [_header, [xlsx_cell]] = workbook_rows(_xlsx(["Title"], [[text]]))

    assert csv_cell == "'" + text == xlsx_cell


def test_numbers_stay_numbers_even_negative_ones():
    rows = [[-5, Decimal("-1.50"), 0.25, "-3"]]

    [_header, row] = csv_rows(spreadsheets.csv_response("x.csv", ["a", "b", "c", "d"], rows))
    [_header, cells] = workbook_rows(_xlsx(["a", "b", "c", "d"], rows))

    assert row == ["-5", "-1.50", "0.25", "'-3"], "a number is written as one; text that starts with - is text"
    assert cells == [-5, -1.5, 0.25, "'-3"]


def test_times_are_utc_to_the_second_with_the_zone_named_and_excel_cells_are_dates():
    [_header, row] = csv_rows(spreadsheets.csv_response("x.csv", HEADER, [ROW]))
    [header, cells] = workbook_rows(_xlsx(HEADER, [ROW]))

    assert row[2] == "2026-03-31T08:30:05Z"
    assert datetime.fromisoformat(row[2]) == MOMENT.replace(microsecond=0)
    assert header == HEADER
    assert cells == ["月球科研站 Лунная станция", 5, datetime(2026, 3, 31, 8, 30, 5), datetime(2023, 9, 15)]


def test_a_streamed_csv_keeps_the_requesters_language_while_its_rows_are_read():
    with translation.override("ru"):
        response = spreadsheets.csv_response(
            "x.csv", [gettext_lazy("Title")], ([gettext_lazy("Selected")] for _ in "x")
        )

    with translation.override("en"):
        header, row = csv_rows(response)

    assert (header, row) == (["Название"], ["Отобрано"])


def test_the_background_writers_report_their_progress():
    progress = []
    target = io.StringIO()

    spreadsheets.write_csv(target, ["n"], ([n] for n in range(5)), on_progress=progress.append, every=2)

    assert progress == [2, 4, 5]
    assert target.getvalue().startswith(spreadsheets.BOM + "n\r\n0\r\n")


def _xlsx(header, rows):
    response = spreadsheets.xlsx_response("x.xlsx", "Sheet", header, rows)
    assert response["Content-Type"] == spreadsheets.XLSX_CONTENT_TYPE
    return response.content
