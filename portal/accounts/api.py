from django.contrib.auth import authenticate
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.authtoken.models import Token
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api import ClientRateThrottle

from .authentication import token_expires_at
from .serializers import MeSerializer, TokenRequestSerializer, TokenSerializer


class TokenThrottle(ClientRateThrottle):
    scope = "token"


class TokenView(APIView):
    """API tokens: asked for with email and password, ended by their owner."""

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "POST" else [IsAuthenticated()]

    def get_throttles(self):
        return [TokenThrottle()] if self.request.method == "POST" else []

    @extend_schema(
        summary="Exchange email and password for an API token",
        description="The same token is given until it expires or ends; then a new one.",
        request=TokenRequestSerializer,
        responses={
            200: TokenSerializer,
            400: OpenApiResponse(description="Missing or malformed fields, or wrong email or password."),
            403: OpenApiResponse(description="Too many failed attempts: locked for a while."),
            429: OpenApiResponse(description="Too many requests."),
        },
        auth=[],
    )
    def post(self, request):
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
        if token_expires_at(token) <= timezone.now():
            token.delete()
            token = Token.objects.create(user=user)
        return Response(TokenSerializer({"token": token.key, "expires_at": token_expires_at(token)}).data)

    @extend_schema(
        summary="End your API token",
        description="The token stops working at once; asking again gives a new one.",
        request=None,
        responses={204: OpenApiResponse(description="The token has ended.")},
    )
    def delete(self, request):
        Token.objects.filter(user=request.user).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(summary="The signed-in person, their roles and organisation", responses={200: MeSerializer})
@api_view(["GET"])
@permission_classes([IsAuthenticated])
def me(request):
    return Response(MeSerializer(request.user).data)
