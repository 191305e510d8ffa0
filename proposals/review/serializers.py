"""API shapes for peer review. A reviewer's view of a proposal never carries the team on a dual-anonymous call."""

from django.conf import settings
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django_countries.serializer_fields import CountryField
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from partners.choices import Area
from partners.models import Organisation
from portal.rows import RowsMixin
from proposals.models import Conflict, Decision, Review, ReviewAssignment, ReviewerProfile
from proposals.review import selectors as review_selectors
from proposals.review.services import REVIEWER_FIELDS


class ReviewerSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(source="user_id", read_only=True)
    email = serializers.EmailField(source="user.email", read_only=True)
    full_name = serializers.CharField(source="user.full_name", read_only=True)
    expertise_areas = serializers.ListField(child=serializers.ChoiceField(choices=Area.choices))
    affiliation = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(), allow_null=True, required=False
    )
    country = CountryField(required=False, allow_blank=True)
    open_assignments = serializers.IntegerField(read_only=True, required=False)

    class Meta:
        model = ReviewerProfile
        fields = ["id", "email", "full_name", *REVIEWER_FIELDS, "open_assignments"]


class ReviewerInviteSerializer(ReviewerSerializer):
    """Invite a person as a reviewer: their account is created if needed and they are emailed."""

    email = serializers.EmailField()
    full_name = serializers.CharField(max_length=200)
    language = serializers.ChoiceField(
        choices=settings.LANGUAGES,
        required=False,
        help_text=_(
            "The language of a new reviewer's account and emails; by default the language of this request. "
            "An existing account keeps its own."
        ),
    )

    class Meta(ReviewerSerializer.Meta):
        fields = ["email", "full_name", "language", *REVIEWER_FIELDS]


class ConflictSerializer(serializers.Serializer):
    proposal = serializers.IntegerField(source="proposal.pk")
    reference = serializers.CharField(source="proposal.reference")
    reviewer = serializers.IntegerField(source="reviewer.pk")
    reviewer_name = serializers.CharField(source="reviewer.full_name")
    kind = serializers.ChoiceField(choices=[("automatic", _("automatic")), *Conflict.Kind.choices])
    reason = serializers.CharField()
    conflicted = serializers.BooleanField()


class ConflictChangeSerializer(serializers.Serializer):
    """Add a conflict (`conflicted: true`) or lift one (`false`), with a reason. A conflict the applicants proposed
    (kind `proposed`: they named the reviewer on their team) is confirmed by `true` and dismissed by `false`."""

    proposal = serializers.IntegerField()
    reviewer = serializers.IntegerField()
    conflicted = serializers.BooleanField()
    reason = serializers.CharField(max_length=4000)


class AssignmentAdminSerializer(RowsMixin, serializers.ModelSerializer):
    """An assignment as administrators see it."""

    # Written from a row of review_selectors.assignment_rows.
    reference = serializers.CharField(source="proposal.reference", read_only=True)
    reviewer_name = serializers.CharField(source="reviewer.full_name", read_only=True)
    review_status = serializers.SerializerMethodField()

    class Meta:
        model = ReviewAssignment
        fields = [
            "id",
            "proposal",
            "reference",
            "reviewer",
            "reviewer_name",
            "status",
            "match",
            "decline_reason",
            "responded_at",
            "review_status",
        ]

    def row_of(self, assignment):
        return review_selectors.assignment_rows(ReviewAssignment.objects.filter(pk=assignment.pk))[0]

    def get_review_status(self, row) -> str:
        return row["review__status"] or ""


class ManualAssignmentSerializer(serializers.Serializer):
    proposal = serializers.IntegerField()
    reviewer = serializers.IntegerField()


class ShortfallSerializer(serializers.Serializer):
    proposal = serializers.IntegerField(source="proposal.pk")
    reference = serializers.CharField(source="proposal.reference")
    missing = serializers.IntegerField()
    eligible = serializers.IntegerField(help_text=_("Reviewers free of conflicts with room left, in all."))


class AssignmentRunSerializer(serializers.Serializer):
    assigned = serializers.IntegerField()
    total_match = serializers.IntegerField()
    shortfalls = ShortfallSerializer(many=True)


class ProposalForReviewSerializer(serializers.Serializer):
    """The submitted version the reviewer reads; on a dual-anonymous call `content` has no team fields."""

    id = serializers.IntegerField()
    reference = serializers.CharField()
    call = serializers.IntegerField(source="call_id")
    call_title = serializers.CharField(source="call.title")
    anonymity = serializers.CharField(source="call.anonymity")
    review_deadline = serializers.DateTimeField(source="call.review_deadline")
    version = serializers.SerializerMethodField()
    content = serializers.SerializerMethodField()

    def _material(self, proposal):
        return review_selectors.review_material(self.context["assignment"])

    def get_version(self, proposal) -> int | None:
        version = self._material(proposal)["version"]
        return version.number if version else None

    @extend_schema_field(serializers.DictField())
    def get_content(self, proposal):
        return self._material(proposal)["content"]


class AssignmentSerializer(RowsMixin, serializers.ModelSerializer):
    """One of your assignments. `proposal` gives the call and reference; the full text is on the detail."""

    # Written from a row of review_selectors.assignment_rows.
    reference = serializers.CharField(source="proposal.reference", read_only=True)
    title = serializers.CharField(source="proposal.title", read_only=True)
    title_native = serializers.CharField(source="proposal.title_native", read_only=True)
    call = serializers.IntegerField(source="proposal.call_id", read_only=True)
    review_deadline = serializers.DateTimeField(source="proposal.call.review_deadline", read_only=True)
    review = serializers.SerializerMethodField()

    class Meta:
        model = ReviewAssignment
        fields = [
            "id",
            "reference",
            "title",
            "title_native",
            "call",
            "review_deadline",
            "status",
            "decline_reason",
            "review",
        ]

    def row_of(self, assignment):
        return review_selectors.assignment_rows(ReviewAssignment.objects.filter(pk=assignment.pk))[0]

    def get_review(self, row) -> int | None:
        return row["review"]


class AssignmentDetailSerializer(AssignmentSerializer):
    # The assignment itself is in the context as "assignment": the proposal's text is read through it.
    proposal = serializers.SerializerMethodField()

    class Meta(AssignmentSerializer.Meta):
        fields = [*AssignmentSerializer.Meta.fields, "proposal"]

    @extend_schema_field(ProposalForReviewSerializer)
    def get_proposal(self, row):
        assignment = self.context["assignment"]
        return ProposalForReviewSerializer(assignment.proposal, context={"assignment": assignment}).data


class ReviewSerializer(RowsMixin, serializers.ModelSerializer):
    """A review. `scores` maps each criterion key of the call to a grade: 5 Excellent, 4 Very good, 3 Good,
    2 Fair, 1 Poor. Reviewers see their own; administrators see every review with its reviewer."""

    # Written from a row of review_selectors.review_rows.
    assignment = serializers.PrimaryKeyRelatedField(read_only=True)
    reference = serializers.CharField(read_only=True)
    reviewer_name = serializers.CharField(read_only=True)
    scores = serializers.DictField(child=serializers.IntegerField(min_value=1, max_value=5))
    grades = serializers.SerializerMethodField()

    class Meta:
        model = Review
        fields = [
            "id",
            "assignment",
            "reference",
            "reviewer_name",
            "scores",
            "grades",
            "strengths",
            "weaknesses",
            "confidential_comment",
            "technical_assessment",
            "technical_notes",
            "status",
            "submitted_at",
            "updated_at",
        ]
        read_only_fields = ["status", "submitted_at", "updated_at"]

    def row_of(self, review):
        return review_selectors.review_rows(Review.objects.filter(pk=review.pk))[0]

    @extend_schema_field(serializers.DictField(child=serializers.CharField()))
    def get_grades(self, row):
        return {key: self._grade_labels.get(value, "") for key, value in row["scores"].items()}

    @cached_property
    def _grade_labels(self):
        """The grades' names, translated once for a whole page."""
        return {value: str(label) for value, label in Review.GRADES.items()}


class ReviewInputSerializer(serializers.Serializer):
    """The fields a reviewer writes; fields left out keep their saved values."""

    scores = serializers.DictField(child=serializers.IntegerField(min_value=1, max_value=5), required=False)
    strengths = serializers.CharField(max_length=20000, required=False, allow_blank=True)
    weaknesses = serializers.CharField(max_length=20000, required=False, allow_blank=True)
    confidential_comment = serializers.CharField(max_length=20000, required=False, allow_blank=True)
    technical_assessment = serializers.ChoiceField(
        choices=[("", "—"), *Review.Technical.choices], required=False, allow_blank=True
    )
    technical_notes = serializers.CharField(max_length=20000, required=False, allow_blank=True)


class ReviewCreateSerializer(ReviewInputSerializer):
    assignment = serializers.IntegerField(help_text=_("One of your accepted assignments."))


class RankingRowSerializer(RowsMixin, serializers.Serializer):
    # Written from a row of review_selectors.ranked_rows(values=True).
    rank = serializers.IntegerField()
    proposal = serializers.IntegerField(source="proposal.pk")
    reference = serializers.CharField(source="proposal.reference")
    title = serializers.CharField(source="proposal.title")
    title_native = serializers.CharField(source="proposal.title_native")
    organisation = serializers.CharField(source="proposal.organisation.name")
    country = CountryField(source="proposal.organisation.country")
    reviews = serializers.IntegerField()
    weighted = serializers.FloatField(allow_null=True, help_text=_("Mean of the reviews' weighted grades (1–5)."))
    normalised = serializers.FloatField(
        allow_null=True, help_text=_("Mean of the reviewers' z-scores across their assignments in the call.")
    )
    spread = serializers.FloatField()
    disagreement = serializers.BooleanField()
    decision = serializers.CharField(source="decision.outcome", default="", allow_blank=True)


class FigureSerializer(serializers.Serializer):
    label = serializers.CharField()
    used = serializers.DecimalField(max_digits=12, decimal_places=2)
    budget = serializers.DecimalField(max_digits=12, decimal_places=2)
    unit = serializers.CharField()
    over = serializers.BooleanField()


class ManifestSerializer(serializers.Serializer):
    platform = serializers.IntegerField(source="platform.pk")
    name = serializers.CharField(source="platform.name")
    payloads = serializers.IntegerField()
    figures = FigureSerializer(many=True)


class DecisionSerializer(serializers.ModelSerializer):
    warning = serializers.SerializerMethodField(
        help_text="Set when the proposal has fewer submitted reviews than the call requires."
    )

    class Meta:
        model = Decision
        fields = ["outcome", "note", "decided_at", "released_at", "warning"]
        read_only_fields = ["decided_at", "released_at"]
        extra_kwargs = {"note": {"required": False, "allow_blank": True}}

    def get_warning(self, decision) -> str:
        proposal = decision.proposal
        reviews = review_selectors.review_count(proposal)
        required = proposal.call.reviewers_per_proposal
        if reviews >= required:
            return ""
        return _("%(ref)s has %(reviews)s of the %(required)s submitted reviews the call requires.") % {
            "ref": proposal.reference,
            "reviews": reviews,
            "required": required,
        }


class OutcomeReviewSerializer(serializers.Serializer):
    reviewer = serializers.CharField(help_text=_("'Reviewer 1', 'Reviewer 2'…: reviewers are never named."))
    strengths = serializers.CharField()
    weaknesses = serializers.CharField()


class OutcomeSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Decision.Outcome.choices, source="decision.outcome")
    note = serializers.CharField(source="decision.note")
    released_at = serializers.DateTimeField(source="decision.released_at")
    reviews = OutcomeReviewSerializer(many=True)


class ReleaseSerializer(serializers.Serializer):
    """Releasing with fewer reviews than the call requires needs `override` and a `reason` (kept in the audit)."""

    override = serializers.BooleanField(required=False, default=False)
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)

    def validate(self, data):
        if data["override"] and not data["reason"].strip():
            raise serializers.ValidationError({"reason": [_("Say why the decisions go out without every review.")]})
        return data
