"""A reviewer's own writing: abstracts pasted or read from a BibTeX, RIS or CSV file, kept on their profile."""

import csv
import io
import re

import bibtexparser
import rispy
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from portal.audit.services import record_event
from portal.errors import DomainError
from portal.transitions import refuse
from proposals.models import ReviewerPublication
from proposals.review import affinity, permissions

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_PUBLICATIONS = 500
TITLE_LENGTH = ReviewerPublication._meta.get_field("title").max_length
DOI_LENGTH = ReviewerPublication._meta.get_field("doi").max_length
_BLANK_LINES = re.compile(r"\n\s*\n")
_BRACES = re.compile(r"[{}]")


def _entry(title="", abstract="", year=None, doi=""):
    title = _BRACES.sub("", " ".join(str(title or "").split()))[:TITLE_LENGTH]
    abstract = _BRACES.sub("", str(abstract or "").strip())
    try:
        year = int(str(year).strip()[:4]) if year else None
    except ValueError:
        year = None
    if year is not None and not 1900 <= year <= 2100:
        year = None
    return {"title": title, "abstract": abstract, "year": year, "doi": str(doi or "").strip()[:DOI_LENGTH]}


def parse_pasted(text):
    """Abstracts pasted one after another, separated by a blank line."""
    return [_entry(abstract=block) for block in _BLANK_LINES.split(text or "") if block.strip()]


def parse_bibtex(text):
    parser = bibtexparser.bparser.BibTexParser(common_strings=True)
    parser.ignore_nonstandard_types = False
    try:
        database = bibtexparser.loads(text, parser=parser)
    except Exception as error:  # the parser raises many kinds on hostile input
        raise ValidationError(_("This BibTeX file could not be read: %(error)s") % {"error": str(error)[:200]})
    return [
        _entry(entry.get("title"), entry.get("abstract"), entry.get("year"), entry.get("doi"))
        for entry in database.entries
    ]


def parse_ris(text):
    try:
        entries = rispy.loads(text)
    except Exception as error:
        raise ValidationError(_("This RIS file could not be read: %(error)s") % {"error": str(error)[:200]})

    def first(value):
        return value[0] if isinstance(value, list) and value else value

    return [
        _entry(
            first(entry.get("title") or entry.get("primary_title")),
            first(entry.get("abstract") or entry.get("notes_abstract")),
            first(entry.get("year") or entry.get("publication_year")),
            first(entry.get("doi")),
        )
        for entry in entries
    ]


COLUMNS = ("title", "abstract", "year", "doi")


def parse_csv(text):
    """A CSV file with a header row naming at least `title` or `abstract` (and optionally `year`, `doi`)."""
    reader = csv.DictReader(io.StringIO(text))
    columns = {name.strip().lower(): name for name in reader.fieldnames or [] if name}
    if not ({"title", "abstract"} & columns.keys()):
        raise ValidationError(_("The CSV file needs a header row with a “title” or “abstract” column."))
    try:
        return [_entry(*(row.get(columns[key], "") if key in columns else "" for key in COLUMNS)) for row in reader]
    except csv.Error as error:
        raise ValidationError(_("This CSV file could not be read: %(error)s") % {"error": error})


PARSERS = {
    ReviewerPublication.Source.BIBTEX: parse_bibtex,
    ReviewerPublication.Source.RIS: parse_ris,
    ReviewerPublication.Source.CSV: parse_csv,
}


def parse_upload(upload):
    """The entries of an uploaded file, its format told by its name (.bib, .ris, .csv); raises ValidationError."""
    name = (upload.name or "").lower()
    source = {".bib": "bibtex", ".bibtex": "bibtex", ".ris": "ris", ".csv": "csv", ".txt": "csv"}.get(
        name[name.rfind(".") :] if "." in name else ""
    )
    if source is None:
        raise ValidationError(_("Upload a BibTeX (.bib), RIS (.ris) or CSV (.csv) file."))
    if upload.size > MAX_FILE_BYTES:
        raise ValidationError(_("The file is larger than 2 MB."))
    try:
        text = upload.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(_("The file is not UTF-8 text."))
    return source, PARSERS[source](text)


@transaction.atomic
def add_publications(*, profile, by, entries, source):
    """Add pieces of a reviewer's writing to their profile; entries with neither title nor abstract are skipped."""
    refuse(permissions.profile_refusal(by, profile))
    entries = [entry for entry in entries if entry["title"] or entry["abstract"]]
    if not entries:
        raise DomainError(_("Nothing to add: no title or abstract was found."), field="abstracts")
    if profile.publications.count() + len(entries) > MAX_PUBLICATIONS:
        raise DomainError(
            _("A profile holds at most %(count)s publications; remove some first.") % {"count": MAX_PUBLICATIONS},
            field="abstracts",
        )
    created = ReviewerPublication.objects.bulk_create(
        [ReviewerPublication(profile=profile, source=source, **entry) for entry in entries]
    )
    record_event(
        actor=by, action="reviewer.publications_added", obj=profile.user, data={"count": len(created), "source": source}
    )
    affinity.enqueue_all()
    return created


@transaction.atomic
def remove_publication(*, publication, by):
    """Remove one piece of writing from a reviewer's profile."""
    refuse(permissions.profile_refusal(by, publication.profile))
    user = publication.profile.user
    publication.delete()
    record_event(actor=by, action="reviewer.publication_removed", obj=user)
    affinity.enqueue_all()
