from django.utils.translation import gettext_lazy as _
from django_countries.serializer_fields import CountryField
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from . import permissions
from .choices import Area, CooperationLevel, OrganisationKind
from .forms import validate_country_for_kind
from .models import DESCRIPTION_LIMIT, REASON_LIMIT, Invitation, Membership, Organisation, Registration


class RegistrationInputSerializer(serializers.ModelSerializer):
    country = CountryField(
        required=False,
        allow_blank=True,
        help_text=_("ISO 3166-1 alpha-2 code; empty for an international organisation."),
    )
    kind = serializers.ChoiceField(choices=OrganisationKind.choices)
    areas = serializers.MultipleChoiceField(choices=Area.choices, allow_empty=False)
    cooperation_levels = serializers.MultipleChoiceField(choices=CooperationLevel.choices, allow_empty=False)
    accept_terms = serializers.BooleanField(write_only=True, help_text=_("Must be true."))

    class Meta:
        model = Registration
        fields = [
            "name",
            "native_name",
            "kind",
            "country",
            "city",
            "website",
            "description",
            "areas",
            "cooperation_levels",
            "contact_name",
            "contact_position",
            "contact_email",
            "accept_terms",
        ]

    def validate_accept_terms(self, value):
        if not value:
            raise serializers.ValidationError(_("Please accept the terms to apply."))
        return value

    def validate(self, attrs):
        errors = {}
        validate_country_for_kind(attrs, lambda field, message: errors.setdefault(field, []).append(message))
        if errors:
            raise serializers.ValidationError(errors)
        attrs["areas"] = sorted(attrs["areas"])
        attrs["cooperation_levels"] = sorted(attrs["cooperation_levels"])
        return attrs


class RegistrationAcceptedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=Registration.Status.choices)
    detail = serializers.CharField()


class DuplicateFlagSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(
        choices=[
            ("name", _("Same name and country")),
            ("domain", _("Same email domain as a partner")),
            ("application", _("Same name and country as another application")),
        ]
    )
    name = serializers.CharField()
    id = serializers.IntegerField(help_text=_("The partner organisation or application it resembles."))


class RegistrationSerializer(serializers.ModelSerializer):
    country = CountryField()
    country_name = serializers.CharField(source="country.name")
    possible_duplicates = serializers.SerializerMethodField()

    class Meta:
        model = Registration
        fields = [
            "id",
            "status",
            "name",
            "native_name",
            "kind",
            "country",
            "country_name",
            "city",
            "website",
            "description",
            "areas",
            "cooperation_levels",
            "contact_name",
            "contact_position",
            "contact_email",
            "language",
            "submitted_at",
            "email_verified_at",
            "queued_at",
            "decided_at",
            "decision_reason",
            "organisation",
            "possible_duplicates",
        ]

    @extend_schema_field(DuplicateFlagSerializer(many=True))
    def get_possible_duplicates(self, registration):
        flags = getattr(registration, "duplicate_flags", [])
        return [{"reason": reason, "name": name, "id": pk} for reason, name, pk in flags]


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=4000)


ORGANISATION_PRIVATE_FIELDS = ("status", "status_reason", "description", "areas", "cooperation_levels", "email_domain")


class OrganisationSerializer(serializers.ModelSerializer):
    """Public directory fields for everyone; the rest only for administrators and the organisation's members."""

    PRIVATE_FIELDS = ORGANISATION_PRIVATE_FIELDS

    country = CountryField()
    country_name = serializers.CharField(source="country.name")
    joined_year = serializers.IntegerField(source="joined_on.year")
    status = serializers.ChoiceField(choices=Organisation.Status.choices, required=False)
    status_reason = serializers.CharField(required=False, max_length=REASON_LIMIT)
    description = serializers.CharField(required=False, max_length=DESCRIPTION_LIMIT)
    areas = serializers.ListField(child=serializers.ChoiceField(choices=Area.choices), required=False)
    cooperation_levels = serializers.ListField(
        child=serializers.ChoiceField(choices=CooperationLevel.choices), required=False
    )
    email_domain = serializers.CharField(required=False)

    class Meta:
        model = Organisation
        fields = [
            "id",
            "name",
            "native_name",
            "kind",
            "country",
            "country_name",
            "city",
            "website",
            "joined_on",
            "joined_year",
            *ORGANISATION_PRIVATE_FIELDS,
        ]

    def to_representation(self, organisation):
        data = super().to_representation(organisation)
        user = self.context["request"].user
        if not permissions.can_view_organisation_record(user, organisation):
            for field in self.PRIVATE_FIELDS:
                data.pop(field, None)
        return data


class MemberSerializer(serializers.ModelSerializer):
    email = serializers.EmailField(source="user.email")
    full_name = serializers.CharField(source="user.full_name")
    position = serializers.CharField(source="user.position")

    class Meta:
        model = Membership
        fields = ["id", "email", "full_name", "position", "role", "joined_at"]


class InvitationSerializer(serializers.ModelSerializer):
    status = serializers.ChoiceField(choices=Invitation.Status.choices)
    invited_by = serializers.EmailField(source="invited_by.email")

    class Meta:
        model = Invitation
        fields = ["id", "email", "status", "invited_by", "created_at", "expires_at", "accepted_at", "revoked_at"]


class InvitationCreateSerializer(serializers.Serializer):
    email = serializers.EmailField()
