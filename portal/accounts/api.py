from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.authtoken.models import Token
from rest_framework.decorators import api_view, permission_classes, throttle_classes
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response

from portal.api import ClientRateThrottle

from .serializers import MeSerializer, TokenRequestSerializer, TokenSerializer


class TokenThrottle(ClientRateThrottle):
    scope = "token"


@extend_schema(
    summary="Exchange email and password for an API token",
    request=TokenRequestSerializer,
    responses={
        200: TokenSerializer,
        400: OpenApiResponse(description="Missing or malformed fields, or wrong email or password."),
        403: OpenApiResponse(description="Too many failed attempts: locked for a while."),
        429: OpenApiResponse(description="Too many requests."),
    },
    auth=[],
)
@api_view(["POST"])
@permission_classes([AllowAny])
@throttle_classes([TokenThrottle])
def obtain_token(request):
    serializer = TokenRequestSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    django_request = request._request
    user = authenticate(
        request=django_request,
        username=serializer.validated_data["email"].lower(),
        password=serializer.validated_data["password"],
    )
    if getattr(django_request, "axes_locked_out", False):
        return Response(
            {"detail": _("Too many failed sign-ins: this account is locked for 15 minutes.")},
            status=status.HTTP_403_FORBIDDEN,
        )
    if user is None or not user.is_active:
        return Response(
            {"non_field_errors": [_("The email address or the password is wrong.")]},
            status=status.HTTP_400_BAD_REQUEST,
        )
    token, _created = Token.objects.get_or_create(user=user)
    return Response({"token": token.key})


@extend_schema(summary="The signed-in person, their roles and organisation", responses={200: MeSerializer})
@api_view(["GET"])
@permission_classes([IsAuthenticated])
def me(request):
    return Response(MeSerializer(request.user).data)
