"""What the portal reads and rewrites inside the PDFs teams attach: their metadata and their text."""

import io
import logging
import re

logger = logging.getLogger(__name__)

# Names are looked for in the first pages only: a title page, an author list or a letterhead sits there, and a
# long document would otherwise hold the upload for as long as its text takes to read.
TEXT_PAGES = 40
SHORTEST_NAME = 4


class UnreadablePdf(Exception):
    """The file starts and ends like a PDF, but its body cannot be parsed."""


def without_metadata(source):
    """The PDF read from the file object `source`, rewritten without its document information dictionary and
    without any XMP metadata stream (the document's own or its parts'), as bytes."""
    import pikepdf  # only where a copy is made: web processes that never make one do not load it

    source.seek(0)
    try:
        with pikepdf.open(source) as pdf:
            if "/Info" in pdf.trailer:
                del pdf.trailer["/Info"]
            for obj in pdf.objects:
                if isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)) and "/Metadata" in obj:
                    del obj["/Metadata"]
            copy = io.BytesIO()
            # Objects no longer referenced (the dictionary and the metadata streams) are not written out.
            pdf.save(copy, fix_metadata_version=False, deterministic_id=True)
    except (pikepdf.PdfError, ValueError, RuntimeError) as error:
        raise UnreadablePdf(str(error)) from error
    return copy.getvalue()


def text_of(source, pages=TEXT_PAGES):
    """The text of the PDF's first `pages` pages, or '' when it cannot be read."""
    import pypdf

    source.seek(0)
    try:
        reader = pypdf.PdfReader(source)
        return "\n".join((page.extract_text() or "") for page in reader.pages[:pages])
    except Exception as error:  # noqa: BLE001 - a broken or hostile file only goes without its warning
        logger.info("No text read from an attached PDF: %s", error)
        return ""
    finally:
        source.seek(0)


def _folded(text):
    return re.sub(r"\s+", " ", text).strip().casefold()


def names_in(text, names):
    """Those of `names` that `text` contains, ignoring case and how the words are spaced or broken over lines."""
    folded = _folded(text)
    found = []
    for name in names:
        wanted = _folded(name or "")
        if len(wanted) >= SHORTEST_NAME and wanted in folded and name not in found:
            found.append(name)
    return found
