"""Conventions shared by every endpoint: pagination, error bodies and the error responses they document."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import JsonResponse
from django.utils.translation import gettext_lazy as _
from django.views.defaults import page_not_found
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import exception_handler as drf_exception_handler

from portal.client import client_address
from portal.errors import DomainError


class Pagination(PageNumberPagination):
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 200


class ClientRateThrottle(SimpleRateThrottle):
    """Counts requests per client address (portal.client.client_address), signed in or not."""

    def get_ident(self, request):
        return client_address(request)

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


def exception_handler(exc, context):
    """Domain errors become JSON: 400 with the field named, 403, or 409 for a refused transition."""
    if isinstance(exc, DomainError):
        body = {"detail": exc.message}
        if exc.field:
            body[exc.field] = [exc.message]
        return Response(body, status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "message_dict"):
            return Response(exc.message_dict, status=status.HTTP_400_BAD_REQUEST)
        return Response({"detail": exc.messages}, status=status.HTTP_400_BAD_REQUEST)
    return drf_exception_handler(exc, context)


def not_found(request, exception=None):
    """An address under /api/ that matches no route answers like any other API 404: JSON, not a page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": str(_("Not found."))}, status=status.HTTP_404_NOT_FOUND)
    return page_not_found(request, exception)


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text=_("What went wrong, for a person to read."))


INVALID = OpenApiResponse(
    response=OpenApiTypes.OBJECT,
    description="Invalid input: each field in error maps to a list of messages "
    "(`non_field_errors` or `detail` for the request as a whole).",
)
UNAUTHENTICATED = OpenApiResponse(response=ErrorSerializer, description="Credentials missing or not valid.")
FORBIDDEN = OpenApiResponse(
    response=ErrorSerializer,
    description="Not allowed to you (or, signed in with a session, a change sent without its CSRF token).",
)
NOT_FOUND = OpenApiResponse(response=ErrorSerializer, description="Not found, or not visible to you; or no such page.")
CONFLICT = OpenApiResponse(response=ErrorSerializer, description="Not allowed from the current state.")
UNSUPPORTED_MEDIA_TYPE = OpenApiResponse(
    response=ErrorSerializer,
    description="The body is in a format this operation does not read (see its content types).",
)
THROTTLED = OpenApiResponse(response=ErrorSerializer, description="Too many requests: try again later.")

# What an operation that changes state declares with `responses={..., **ERRORS}`; portal.api_schema adds
# to every operation the errors that follow from its view (authentication, permissions, throttles, pages).
ERRORS = {400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND, 409: CONFLICT}
