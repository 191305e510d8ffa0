"""How the API reads a request's body (REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"])."""

import io

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing with a 400 what it would otherwise fail on with a 500: a body nested deeper
    than any request of the API (Python's parser gives up past about a thousand levels, and what is read must
    still be walked), or larger than DATA_UPLOAD_MAX_MEMORY_SIZE (DRF reads a JSON body whole, unbounded)."""

    max_depth = 32

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        body = stream.read() if limit is None else stream.read(limit + 1)
        if limit is not None and len(body) > limit:
            raise ParseError(_("The body is too large: at most %(limit)d bytes.") % {"limit": limit})
        too_deep = ParseError(_("The JSON is nested too deeply: at most %(depth)d levels.") % {"depth": self.max_depth})
        try:
            data = super().parse(io.BytesIO(body), media_type, parser_context)
        except RecursionError:
            raise too_deep
        if _depth_exceeds(data, self.max_depth):
            raise too_deep
        return data


def _depth_exceeds(data, limit):
    """True if `data` has lists or objects nested more than `limit` levels deep (walked without recursion)."""
    pending = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, dict):
            value = list(value.values())
        if isinstance(value, list):
            if depth > limit:
                return True
            pending.extend((item, depth + 1) for item in value)
    return False
