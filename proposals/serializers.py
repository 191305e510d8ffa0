from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from django_countries.serializer_fields import CountryField
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from partners.choices import Area, OrganisationKind

from . import calls, services
from .models import Attachment, Call, Mission, Platform, Proposal, ProposalVersion, TeamMember

User = get_user_model()


# Text given in several languages comes as one field per language: `title` in English (always given), and
# `title_zh_hans` and `title_ru` in Chinese and Russian, empty where the call has none (a reader is then shown the
# English). The answer is the same whatever the request's language.
IN_CHINESE = _("In Chinese; empty where there is none and the English one applies.")
IN_RUSSIAN = _("In Russian; empty where there is none and the English one applies.")

TRANSLATION_HELP = {
    f"{name}_{suffix}": {"help_text": help_text}
    for name in ("title", "summary", "description")
    for suffix, help_text in (("zh_hans", IN_CHINESE), ("ru", IN_RUSSIAN))
}


class MissionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Mission
        fields = ["id", "name", "name_zh_hans", "name_ru", "phase", "target_launch_year", "description"]
        extra_kwargs = {"name_zh_hans": {"help_text": IN_CHINESE}, "name_ru": {"help_text": IN_RUSSIAN}}


class PlatformSerializer(serializers.ModelSerializer):
    class Meta:
        model = Platform
        exclude = ["call"]
        extra_kwargs = {"name_zh_hans": {"help_text": IN_CHINESE}, "name_ru": {"help_text": IN_RUSSIAN}}


class CriterionSerializer(serializers.Serializer):
    key = serializers.SlugField(max_length=50)
    name = serializers.CharField(max_length=100, help_text=_("In English."))
    name_zh_hans = serializers.CharField(max_length=100, required=False, default="", help_text=IN_CHINESE)
    name_ru = serializers.CharField(max_length=100, required=False, default="", help_text=IN_RUSSIAN)
    weight = serializers.IntegerField(min_value=0, max_value=100)


class CallSerializer(serializers.ModelSerializer):
    mission = MissionSerializer(read_only=True)
    platforms = PlatformSerializer(many=True, read_only=True)
    criteria = CriterionSerializer(many=True, read_only=True)
    eligible_kinds = serializers.ListField(child=serializers.ChoiceField(choices=OrganisationKind.choices))
    eligible_countries = serializers.ListField(child=serializers.CharField(max_length=2))

    class Meta:
        model = Call
        fields = [
            "id",
            "reference",
            "title",
            "title_zh_hans",
            "title_ru",
            "summary",
            "summary_zh_hans",
            "summary_ru",
            "mission",
            "description",
            "description_zh_hans",
            "description_ru",
            "status",
            "eligible_kinds",
            "eligible_countries",
            "has_letter_stage",
            "letter_deadline",
            "deadline",
            "time_zone",
            "criteria",
            "reviewers_per_proposal",
            "conflict_policy",
            "anonymity",
            "review_deadline",
            "platforms",
            "opened_at",
            "closed_at",
        ]
        read_only_fields = fields
        extra_kwargs = TRANSLATION_HELP


class CallWriteSerializer(serializers.ModelSerializer):
    """Create or change a call; `platforms`, when given, replaces the offered platforms (drafts only)."""

    mission = serializers.PrimaryKeyRelatedField(queryset=Mission.objects.all())
    platforms = PlatformSerializer(many=True, required=False)
    criteria = CriterionSerializer(many=True, required=False)
    eligible_kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=OrganisationKind.choices), required=False
    )
    eligible_countries = serializers.ListField(
        child=serializers.CharField(max_length=2), required=False, help_text=_("ISO 3166-1 alpha-2 codes; empty: all.")
    )

    class Meta:
        model = Call
        fields = [*calls.CALL_FIELDS, "platforms"]
        extra_kwargs = TRANSLATION_HELP

    def validate_criteria(self, criteria):
        total = sum(criterion["weight"] for criterion in criteria)
        if criteria and total != 100:
            raise serializers.ValidationError(
                _("The weights add up to %(total)s; they must add up to 100.") % {"total": total}
            )
        return [dict(criterion) for criterion in criteria]

    def validate_time_zone(self, value):
        import zoneinfo

        if value not in zoneinfo.available_timezones():
            raise serializers.ValidationError(_("Unknown time zone."))
        return value

    def validate_eligible_countries(self, codes):
        from django_countries import countries

        unknown = [code for code in codes if code.upper() not in dict(countries)]
        if unknown:
            raise serializers.ValidationError(_("Unknown country codes: %(codes)s") % {"codes": ", ".join(unknown)})
        return [code.upper() for code in codes]

    def validate(self, data):
        letter = data.get("letter_deadline", getattr(self.instance, "letter_deadline", None))
        deadline = data.get("deadline", getattr(self.instance, "deadline", None))
        has_letter = data.get("has_letter_stage", getattr(self.instance, "has_letter_stage", False))
        if has_letter and not letter:
            raise serializers.ValidationError({"letter_deadline": _("A letter-of-intent stage needs a deadline.")})
        if has_letter and letter and deadline and letter >= deadline:
            raise serializers.ValidationError(
                {"letter_deadline": _("The letter-of-intent deadline must come before the proposal deadline.")}
            )
        return data


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    full_name = serializers.CharField()


class OrganisationBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    native_name = serializers.CharField(help_text=_("The name in the organisation's own language; may be empty."))
    country = CountryField()
    kind = serializers.CharField()


class TeamMemberSerializer(serializers.Serializer):
    """A co-investigator. On input, an email invites the person (a colleague of the lead organisation, or someone
    already on this team, is linked at once); without one, name, organisation and country describe someone
    outside the portal. An invited person's entry shows only the email typed until they accept."""

    email = serializers.EmailField(required=False, allow_blank=True)
    full_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    organisation_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    country = CountryField(required=False, allow_blank=True)
    role = serializers.CharField(max_length=100, required=False, allow_blank=True)
    is_portal_user = serializers.SerializerMethodField()
    status = serializers.ChoiceField(choices=TeamMember.Status.choices, read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    def get_is_portal_user(self, member) -> bool:
        return getattr(member, "user_id", None) is not None

    def validate(self, data):
        data["email"] = (data.get("email") or "").strip()
        if not data["email"] and not (data.get("full_name") and data.get("organisation_name")):
            raise serializers.ValidationError(
                _("Give the person's email to invite them, or their name and organisation.")
            )
        return data


class AttachmentSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()
    warning = serializers.SerializerMethodField(
        help_text=_("On a dual-anonymous call, the team's names the file's text contains; empty otherwise.")
    )

    class Meta:
        model = Attachment
        fields = ["id", "kind", "original_name", "size", "sha256", "uploaded_at", "download_url", "warning"]

    def get_warning(self, attachment) -> str:
        return services.attachment_warning(attachment)

    def get_download_url(self, attachment) -> str:
        from django.urls import reverse

        request = self.context.get("request")
        path = reverse("proposals:attachment_download", args=[attachment.pk])
        return request.build_absolute_uri(path) if request else path


class AttachmentUploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    kind = serializers.ChoiceField(choices=Attachment.Kind.choices, default=Attachment.Kind.TECHNICAL)


class ProposalSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    organisation = OrganisationBriefSerializer(read_only=True)
    principal_investigator = PersonSerializer(read_only=True)
    team = TeamMemberSerializer(many=True, read_only=True)
    areas = serializers.ListField(child=serializers.ChoiceField(choices=Area.choices), read_only=True)
    deadline = serializers.DateTimeField(read_only=True)
    resource_problems = serializers.SerializerMethodField()
    pending_changes = serializers.SerializerMethodField(
        help_text=(
            "Changes the team saved to a submitted proposal before its deadline: they wait beside the submitted "
            "version, which the other fields show and which stays the one under consideration until the team "
            "submits again. Null when there are none."
        )
    )

    class Meta:
        model = Proposal
        fields = [
            "id",
            "reference",
            "call",
            "organisation",
            "principal_investigator",
            "team",
            *services.PROPOSAL_FIELDS,
            "status",
            "stage",
            "shortlist",
            "compliance",
            "compliance_reason",
            "deadline",
            "submitted_at",
            "updated_at",
            "resource_problems",
            "pending_changes",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.DictField(child=serializers.CharField()))
    def get_resource_problems(self, proposal):
        return services.resource_problems(proposal)

    @extend_schema_field(serializers.JSONField(allow_null=True))
    def get_pending_changes(self, proposal):
        return proposal.pending_changes if proposal.has_pending_changes else None


class ProposalWriteSerializer(serializers.ModelSerializer):
    """Fields of a draft. On create `call` is required; a PATCH may send any subset.
    `team`, when given, replaces the co-investigators."""

    call = serializers.PrimaryKeyRelatedField(queryset=Call.objects.exclude(status=Call.Status.DRAFT))
    principal_investigator = serializers.PrimaryKeyRelatedField(queryset=User.objects.all(), required=False)
    platform = serializers.PrimaryKeyRelatedField(queryset=Platform.objects.all(), required=False, allow_null=True)
    areas = serializers.ListField(child=serializers.ChoiceField(choices=Area.choices), required=False)
    team = TeamMemberSerializer(many=True, required=False)

    class Meta:
        model = Proposal
        fields = ["call", "principal_investigator", "team", *services.PROPOSAL_FIELDS]
        extra_kwargs = {"title": {"required": True}}

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None:
            fields["call"].read_only = True
        return fields


class VersionSerializer(serializers.ModelSerializer):
    submitted_by = serializers.CharField(source="submitted_by.full_name", read_only=True)

    class Meta:
        model = ProposalVersion
        fields = ["number", "stage", "submitted_at", "submitted_by", "content_hash", "content"]


class WithdrawalSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=4000, required=False, allow_blank=True)


class ComplianceSerializer(serializers.Serializer):
    eligible = serializers.BooleanField()
    reason = serializers.CharField(max_length=4000, required=False, allow_blank=True)


class ShortlistSerializer(serializers.Serializer):
    shortlisted = serializers.BooleanField()
    reason = serializers.CharField(max_length=4000, required=False, allow_blank=True)
