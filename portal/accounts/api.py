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
from portal.security import selectors as security_selectors
from portal.security import services as security_services

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
            400: OpenApiResponse(
                description="Missing or malformed fields, wrong email or password, or a missing or wrong `otp` "
                "for an account with a second factor."
            ),
            403: OpenApiResponse(
                description="Too many failed attempts: locked for a while; or a role that requires a second "
                "factor whose time to set one up is over."
            ),
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
        refusal = self._second_factor_refusal(django_request, user, serializer.validated_data.get("otp", ""))
        if refusal is not None:
            return refusal
        token, created = Token.objects.get_or_create(user=user)
        if token_expires_at(token) <= timezone.now():
            token.delete()
            token, created = Token.objects.create(user=user), True
        if created:
            security_services.record_token(token=token, request=django_request)
        return Response(TokenSerializer({"token": token.key, "expires_at": token_expires_at(token)}).data)

    @staticmethod
    def _second_factor_refusal(django_request, user, code):
        """A token only after the second factor, for people who have one (a wrong code counts as a failed
        sign-in); none for a role that requires one whose time to set it up is over."""
        if security_selectors.has_second_factor(user):
            if not code:
                return Response(
                    {"otp": [_("This account has a second factor: send the code of its authenticator app.")]},
                    status=status.HTTP_400_BAD_REQUEST,
                )
            device = security_services.check_second_factor(request=django_request, user=user, code=code)
            if getattr(django_request, "axes_locked_out", False):
                return Response(
                    {"detail": _("Too many failed sign-ins: this account is locked for 15 minutes.")},
                    status=status.HTTP_403_FORBIDDEN,
                )
            if device is None:
                return Response(
                    {"otp": [_("That code is not right, or it has already been used.")]},
                    status=status.HTTP_400_BAD_REQUEST,
                )
            return None
        if security_selectors.second_factor_overdue(user):
            return Response(
                {"detail": _("Your role requires a second factor: set one up on the portal's Security page first.")},
                status=status.HTTP_403_FORBIDDEN,
            )
        return None

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
