"""The OpenAPI schema class: each operation documents the errors the API's conventions can give it.

Not in portal.api: DRF imports that module (for the pagination class) while it loads its generic views, which
drf-spectacular's schema class imports in turn.
"""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import SAFE_METHODS, AllowAny

from portal.api import FORBIDDEN, INVALID, NOT_FOUND, THROTTLED, UNAUTHENTICATED, UNSUPPORTED_MEDIA_TYPE

CONVENTIONAL_ERRORS = {
    400: INVALID,
    401: UNAUTHENTICATED,
    403: FORBIDDEN,
    404: NOT_FOUND,
    415: UNSUPPORTED_MEDIA_TYPE,
    429: THROTTLED,
}


class AutoSchema(SpectacularAutoSchema):
    """Each operation documents the errors the API's conventions can give it, besides its own responses.

    Which ones follow from the view: authentication (401), permissions or CSRF (403), an id in the path or
    a page number (404), a body in a format it does not parse (415), a throttle (429). Every operation may answer
    400: a path or parameter holding characters no text may hold (a NUL byte) is refused before any view runs.
    """

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction == "response":
            for code in self._conventional_error_codes():
                if str(code) not in responses:
                    responses[str(code)] = self._get_response_for_code(CONVENTIONAL_ERRORS[code], str(code))
        return responses

    def _conventional_error_codes(self):
        view, codes = self.view, {400}
        if view.get_authenticators():
            codes.add(401)
        unsafe = self.method not in SAFE_METHODS
        session = any(isinstance(authenticator, SessionAuthentication) for authenticator in view.get_authenticators())
        if (unsafe and session) or not all(isinstance(rule, AllowAny) for rule in view.get_permissions()):
            codes.add(403)
        listed = self.method == "GET" and self._is_list_view() and self._get_paginator() is not None
        if "{" in self.path or listed:
            codes.add(404)
        if unsafe and self.get_request_serializer() is not None:
            codes.add(415)
        if view.get_throttles():
            codes.add(429)
        return sorted(codes)
