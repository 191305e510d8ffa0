from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


class TokenRequestSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)
    otp = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=64,
        help_text=_(
            "For accounts with a second factor: the 6-digit code of the authenticator app, or an unused recovery code."
        ),
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text=_("Send as `Authorization: Token <token>`."))
    expires_at = serializers.DateTimeField(help_text=_("After this moment the token is refused: ask for a new one."))


class MembershipSummarySerializer(serializers.Serializer):
    organisation_id = serializers.IntegerField()
    organisation_name = serializers.CharField(source="organisation.name")
    role = serializers.CharField()


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    full_name = serializers.CharField()
    position = serializers.CharField()
    language = serializers.CharField()
    time_zone = serializers.CharField()
    is_programme_admin = serializers.BooleanField()
    is_reviewer = serializers.BooleanField()
    membership = MembershipSummarySerializer(source="partner_membership", allow_null=True)
