"""Stored files handed to the one person a view has already checked.

Every download goes through the portal: the view looks the file up through the person's scope, then the file
is streamed from the storage in chunks, whichever node answers and whichever node or worker wrote it. No
object URL (public or presigned) ever leaves the portal, so the object store can stay unreachable from the
internet, and access ends the moment a permission does (a presigned link would stay valid for its lifetime,
for whoever holds it).
"""

import logging

from django.http import FileResponse, Http404

logger = logging.getLogger(__name__)


def file_response(field_file, *, filename, content_type=None):
    """A streamed download of `field_file`; 404 if the storage has lost it (logged: that is an operator's fault)."""
    try:
        stream, size = _open(field_file)
    except FileNotFoundError:
        logger.error("Stored file %s is missing from %s", field_file.name, type(field_file.storage).__name__)
        raise Http404 from None
    response = FileResponse(stream, as_attachment=True, filename=filename, content_type=content_type)
    if size is not None:
        response["Content-Length"] = str(size)
    return response


def _open(field_file):
    """(a readable stream, its size or None): an object store's body is read as it arrives, never spooled."""
    storage = field_file.storage
    if not hasattr(storage, "bucket"):  # the filesystem, or memory in tests
        return field_file.open("rb"), None
    from botocore.exceptions import ClientError

    stored = storage.open(field_file.name, "rb")  # asks the store for the object's size; missing: FileNotFoundError
    try:
        body = stored.obj.get()["Body"]
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
            raise FileNotFoundError(field_file.name) from error
        raise
    return body, stored.obj.content_length
