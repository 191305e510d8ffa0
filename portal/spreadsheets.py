"""Every CSV and Excel file the portal writes, written one way.

- A CSV file starts with the UTF-8 byte-order mark, so spreadsheet programs (Excel on Windows above all) read
  Chinese, Russian and Arabic names as written rather than as mojibake.
- Text a spreadsheet would run as a formula (a title such as `=HYPERLINK(...)`) is kept as text.
- Times are UTC. In CSV they are ISO 8601 to the second with the zone named, 2026-03-31T15:59:00Z; in Excel they are
  date cells (Excel has no time zones; the column headings say UTC).
- Numbers stay numbers in the machine's notation (5.00, never "5,00" or "5 kg"), whatever the reader's language.
- Rows are written one at a time: a streamed CSV or an Excel file written by openpyxl's write-only mode never holds
  the whole export in memory.
"""

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import translation
from openpyxl import Workbook

BOM = "\ufeff"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# How often a long export reports the rows it has written.
PROGRESS_EVERY = 2000


def safe_text(value):
    """Text that a spreadsheet would run as a formula is kept as text by a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def iso_time(moment):
    """An aware moment as ISO 8601 in UTC to the second: 2026-03-31T15:59:00Z."""
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _csv_cell(value):
    # Most cells are text; they are tested first, as this runs for every cell of a large export.
    if isinstance(value, str):
        return safe_text(value)
    if value is None:
        return ""
    if isinstance(value, int | Decimal | float):
        return value
    if isinstance(value, datetime):
        return iso_time(value)
    if isinstance(value, date):
        return value.isoformat()
    return safe_text(str(value))


def _xlsx_cell(value):
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None, microsecond=0)
    if value is None or isinstance(value, date | int | float | Decimal):
        return value
    return safe_text(str(value))


class _Echo:
    """A file that hands back what is written to it, so csv.writer produces one line at a time."""

    def write(self, value):
        return value


def csv_lines(header, rows):
    """The CSV text one line at a time: the byte-order mark and the header first, then a line per row."""
    writer = csv.writer(_Echo())
    yield BOM + writer.writerow([str(label) for label in header])
    for row in rows:
        yield writer.writerow([_csv_cell(value) for value in row])


def _in_language(language, lines):
    """A streamed file is read after its view has returned: its rows are written in the requester's language,
    whatever language is active by then."""
    with translation.override(language):
        yield from lines


def _attachment(response, filename):
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_response(filename, header, rows):
    """A CSV download streamed while `rows` are read, in the language of the request that asked for it."""
    lines = _in_language(translation.get_language(), csv_lines(header, rows))
    return _attachment(StreamingHttpResponse(lines, content_type=CSV_CONTENT_TYPE), filename)


def xlsx_response(filename, title, header, rows):
    """An Excel download with one sheet, built in memory: for tables of a few thousand rows at most."""
    content = io.BytesIO()
    write_xlsx(content, title, header, rows)
    return _attachment(HttpResponse(content.getvalue(), content_type=XLSX_CONTENT_TYPE), filename)


def _counted(rows, on_progress, every):
    done = 0
    for row in rows:
        yield row
        done += 1
        if on_progress and done % every == 0:
            on_progress(done)
    if on_progress:
        on_progress(done)


def write_csv(target, header, rows, *, on_progress=None, every=PROGRESS_EVERY):
    """Write CSV to a text file; `on_progress(rows_written)` is called every `every` rows and at the end."""
    for line in csv_lines(header, _counted(rows, on_progress, every)):
        target.write(line)


def write_xlsx(target, title, header, rows, *, on_progress=None, every=PROGRESS_EVERY):
    """Write an Excel workbook with one sheet named `title`; openpyxl's write-only mode keeps rows on disk, not in
    memory. `on_progress` as for write_csv."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(title)[:31])
    sheet.append([str(label) for label in header])
    for row in _counted(rows, on_progress, every):
        sheet.append([_xlsx_cell(value) for value in row])
    workbook.save(target)
