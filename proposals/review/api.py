"""Peer review over the API: reviewers, conflicts, assignments, reviews, ranking and decisions."""

from django.contrib.auth import get_user_model
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework import permissions as drf_permissions
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from partners.serializers import ReasonSerializer
from portal.api import ERRORS
from portal.permissions import permission_class
from proposals import calls
from proposals.models import Proposal, Review, ReviewAssignment
from proposals.review import permissions, scoring
from proposals.review import selectors as review_selectors
from proposals.review import services as review_services
from proposals.review.serializers import (
    AssignmentAdminSerializer,
    AssignmentDetailSerializer,
    AssignmentRunSerializer,
    AssignmentSerializer,
    ConflictChangeSerializer,
    ConflictSerializer,
    DecisionSerializer,
    ManifestSerializer,
    ManualAssignmentSerializer,
    OutcomeSerializer,
    RankingRowSerializer,
    ReleaseSerializer,
    ReviewCreateSerializer,
    ReviewerInviteSerializer,
    ReviewerSerializer,
    ReviewInputSerializer,
    ReviewSerializer,
)
from proposals.serializers import CallSerializer

User = get_user_model()

SORT = OpenApiParameter(
    "sort",
    str,
    enum=["weighted", "normalised", "spread", "reviews", "title"],
    description="Order of the rows; the default is the weighted score, best first.",
)


def _valid(serializer_class, request):
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _object_or_field_error(queryset, pk, field, message):
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise ValidationError({field: [message]})
    return found


ManagesReview = permission_class(permissions.can_manage_review)
Reviewers = permission_class(permissions.is_reviewer)


@extend_schema_view(
    list=extend_schema(summary="The reviewer pool with each reviewer's open assignments (administrators)"),
    retrieve=extend_schema(summary="One reviewer (administrators)", responses={200: ReviewerSerializer, **ERRORS}),
    create=extend_schema(
        summary="Invite a reviewer by email (administrators)",
        request=ReviewerInviteSerializer,
        responses={201: ReviewerSerializer, **ERRORS},
    ),
    partial_update=extend_schema(
        summary="Change a reviewer's profile (administrators)",
        request=ReviewerSerializer,
        responses={200: ReviewerSerializer, **ERRORS},
    ),
)
class ReviewerViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = ReviewerSerializer
    permission_classes = [ManagesReview]
    http_method_names = ["get", "post", "patch", "head", "options"]
    lookup_field = "user_id"
    lookup_url_kwarg = "id"
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        return review_selectors.reviewers()

    def _output(self, user_id):
        return ReviewerSerializer(self.get_queryset().get(user_id=user_id)).data

    def create(self, request, *args, **kwargs):
        data = dict(_valid(ReviewerInviteSerializer, request))
        email, full_name, language = data.pop("email"), data.pop("full_name"), data.pop("language", None)
        profile = review_services.invite_reviewer(
            email=email, full_name=full_name, by=request.user, profile=data, language=language
        )
        return Response(self._output(profile.user_id), status=status.HTTP_201_CREATED)

    def _update(self, request, profile):
        serializer = ReviewerSerializer(profile, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        review_services.update_reviewer_profile(profile=profile, by=request.user, data=serializer.validated_data)
        return Response(self._output(profile.user_id))

    def partial_update(self, request, *args, **kwargs):
        return self._update(request, self.get_object())

    @extend_schema(methods=["GET"], summary="Your own reviewer profile", responses={200: ReviewerSerializer, **ERRORS})
    @extend_schema(
        methods=["PATCH"],
        summary="Change your expertise areas, keywords or load per call",
        request=ReviewerSerializer,
        responses={200: ReviewerSerializer, **ERRORS},
    )
    @action(detail=False, methods=["get", "patch"], permission_classes=[Reviewers])
    def me(self, request):
        profile = self.get_queryset().filter(user=request.user).first()
        if profile is None:
            raise Http404
        if request.method == "GET":
            return Response(ReviewerSerializer(profile).data)
        return self._update(request, profile)


class CallReviewActions:
    """The review stage of a call, for administrators; mixed into the call endpoints."""

    @extend_schema(summary="Move a closed call into review", request=None, responses={200: CallSerializer, **ERRORS})
    @action(detail=True, methods=["post"], url_path="start-review", permission_classes=[ManagesReview])
    def start_review(self, request, pk=None):
        calls.start_review(call=self.get_object(), by=request.user)
        return Response(CallSerializer(self.get_object()).data)

    @extend_schema(
        methods=["GET"],
        summary="Reviewer–proposal pairs: automatic, declared, added and lifted conflicts, and those the applicants "
        "proposed (not conflicted until confirmed)",
        responses={200: ConflictSerializer(many=True)},
    )
    @extend_schema(
        methods=["POST"],
        summary="Add a conflict or lift one, or confirm or dismiss a proposed one, with a reason (audited)",
        request=ConflictChangeSerializer,
        responses={200: ConflictSerializer(many=True), **ERRORS},
    )
    @action(detail=True, methods=["get", "post"], filterset_class=None, permission_classes=[ManagesReview])
    def conflicts(self, request, pk=None):
        call = self.get_object()
        if request.method == "POST":
            data = _valid(ConflictChangeSerializer, request)
            review_services.set_conflict(
                proposal=self._proposal_of(call, data["proposal"]),
                reviewer=self._reviewer(data["reviewer"]),
                by=request.user,
                conflicted=data["conflicted"],
                reason=data["reason"],
            )
        page = self.paginate_queryset(review_selectors.conflict_pairs(call))
        return self.get_paginated_response(ConflictSerializer(page, many=True).data)

    def _proposal_of(self, call, pk):
        return _object_or_field_error(
            Proposal.objects.filter(call=call), pk, "proposal", _("No such proposal in this call.")
        )

    def _reviewer(self, pk):
        return _object_or_field_error(User.objects.filter(is_reviewer=True), pk, "reviewer", _("No such reviewer."))

    @extend_schema(
        methods=["GET"], summary="The call's assignments", responses={200: AssignmentAdminSerializer(many=True)}
    )
    @extend_schema(
        methods=["POST"],
        summary="Run the automatic assignment: fill every open slot with the best expertise match",
        description=(
            "Optimal for the whole call (a min-cost flow): each proposal gets the call's number of reviewers, "
            "no reviewer exceeds their load, no conflicted reviewer is chosen. Proposals that cannot be "
            "filled are listed in `shortfalls` with the number of eligible reviewers."
        ),
        request=None,
        responses={200: AssignmentRunSerializer, **ERRORS},
    )
    @action(detail=True, methods=["get", "post"], filterset_class=None, permission_classes=[ManagesReview])
    def assignments(self, request, pk=None):
        call = self.get_object()
        if request.method == "POST":
            result = review_services.assign_reviewers(call=call, by=request.user)
            return Response(
                AssignmentRunSerializer(
                    {"assigned": len(result.pairs), "total_match": result.total_match, "shortfalls": result.shortfalls}
                ).data
            )
        page = self.paginate_queryset(review_selectors.assignment_rows(review_selectors.call_assignments(call)))
        return self.get_paginated_response(AssignmentAdminSerializer(page, many=True).data)

    @extend_schema(
        summary="Assign one reviewer by hand (same conflict and load checks)",
        request=ManualAssignmentSerializer,
        responses={201: AssignmentAdminSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="assignments/manual", permission_classes=[ManagesReview])
    def add_assignment(self, request, pk=None):
        call = self.get_object()
        data = _valid(ManualAssignmentSerializer, request)
        assignment = review_services.add_assignment(
            proposal=self._proposal_of(call, data["proposal"]),
            reviewer=self._reviewer(data["reviewer"]),
            by=request.user,
        )
        return Response(AssignmentAdminSerializer(assignment).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Take an assignment back (not once its review is submitted)",
        request=None,
        responses={204: None, **ERRORS},
    )
    @action(
        detail=True,
        methods=["delete"],
        url_path=r"assignments/(?P<assignment_id>[0-9]+)",
        permission_classes=[ManagesReview],
    )
    def remove_assignment(self, request, pk=None, assignment_id=None):
        call = self.get_object()
        assignment = ReviewAssignment.objects.filter(proposal__call=call, pk=assignment_id).first()
        if assignment is None:
            raise Http404
        review_services.remove_assignment(assignment=assignment, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="The ranking: weighted and normalised scores, reviews in, disagreement, decisions",
        parameters=[SORT],
        responses={200: RankingRowSerializer(many=True), **ERRORS},
    )
    @action(detail=True, methods=["get"], filterset_class=None, permission_classes=[ManagesReview])
    def ranking(self, request, pk=None):
        call = self.get_object()
        rows = review_selectors.ranked_rows(call, request.query_params.get("sort"), values=True)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(RankingRowSerializer(page, many=True).data)

    @extend_schema(
        summary="The mission manifest: selected payloads' mass, power and data per platform against its budgets",
        responses={200: ManifestSerializer(many=True), **ERRORS},
    )
    # One row per platform of the call: a short list, answered whole.
    @action(
        detail=True, methods=["get"], pagination_class=None, filterset_class=None, permission_classes=[ManagesReview]
    )
    def manifest(self, request, pk=None):
        return Response(ManifestSerializer(scoring.manifest(self.get_object()), many=True).data)

    @extend_schema(
        summary="Release the decisions: email every team its outcome; the call becomes decided",
        description=(
            "Refused with 409 while a proposal is undecided, or while a proposal has fewer submitted reviews than "
            "the call's `reviewers_per_proposal` — unless `override` is true and a `reason` is given, which is "
            "kept in the audit log. Review assignments still open on the call are closed."
        ),
        request=ReleaseSerializer,
        responses={200: CallSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="release-decisions", permission_classes=[ManagesReview])
    def release_decisions(self, request, pk=None):
        data = _valid(ReleaseSerializer, request)
        calls.release_decisions(
            call=self.get_object(), by=request.user, override_reason=data["reason"] if data["override"] else ""
        )
        return Response(CallSerializer(self.get_object()).data)


class ProposalReviewActions:
    """Decisions and outcomes on a proposal; mixed into the proposal endpoints."""

    @extend_schema(
        summary="Decide: selected, selectable (waitlist) or not selected, with a note (administrators)",
        description="A selection that would exceed a platform's budget is refused with the figures.",
        request=DecisionSerializer,
        responses={200: DecisionSerializer, **ERRORS},
    )
    @action(detail=True, methods=["put"], permission_classes=[ManagesReview])
    def decision(self, request, pk=None):
        proposal = self.get_object()
        data = _valid(DecisionSerializer, request)
        review_services.decide(proposal=proposal, by=request.user, outcome=data["outcome"], note=data.get("note", ""))
        proposal.decision.refresh_from_db()
        return Response(DecisionSerializer(proposal.decision).data)

    @extend_schema(
        summary="The outcome and the reviewers' comments, once the call's decisions are released",
        responses={200: OutcomeSerializer, 404: ERRORS[404]},
    )
    @action(detail=True, methods=["get"])
    def outcome(self, request, pk=None):
        outcome = review_selectors.released_outcome(self.get_object())
        if outcome is None:
            raise Http404
        return Response(OutcomeSerializer(outcome).data)


@extend_schema_view(
    list=extend_schema(summary="Your review assignments"),
    retrieve=extend_schema(
        summary="One assignment with the submitted proposal to review",
        responses={200: AssignmentDetailSerializer, 404: ERRORS[404]},
    ),
)
class AssignmentViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = AssignmentSerializer
    permission_classes = [drf_permissions.IsAuthenticated]
    queryset = ReviewAssignment.objects.none()
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        return review_selectors.reviewer_assignments(self.request.user)

    def get_serializer_class(self):
        return AssignmentDetailSerializer if self.action == "retrieve" else AssignmentSerializer

    def get_object(self):
        return review_selectors.get_assignment_for(
            user=self.request.user, pk=self.kwargs["pk"], for_reading=self.action == "retrieve"
        )

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(review_selectors.assignment_rows(self.filter_queryset(self.get_queryset())))
        return self.get_paginated_response(AssignmentSerializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        assignment = self.get_object()
        return Response(AssignmentDetailSerializer(self._row(assignment.pk), context={"assignment": assignment}).data)

    def _row(self, pk):
        return review_selectors.assignment_rows(self.get_queryset().filter(pk=pk))[0]

    def _answer(self, request, accept, reason=""):
        assignment = review_services.respond_to_assignment(
            assignment=self.get_object(), by=request.user, accept=accept, reason=reason
        )
        return Response(AssignmentSerializer(self._row(assignment.pk)).data)

    @extend_schema(summary="Accept the assignment", request=None, responses={200: AssignmentSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._answer(request, accept=True)

    @extend_schema(
        summary="Decline, saying why; the slot is offered to another reviewer",
        request=ReasonSerializer,
        responses={200: AssignmentSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        return self._answer(request, accept=False, reason=_valid(ReasonSerializer, request)["reason"])

    @extend_schema(
        summary="Declare a conflict of interest; the proposal leaves your assignments",
        request=ReasonSerializer,
        responses={204: None, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def conflict(self, request, pk=None):
        reason = _valid(ReasonSerializer, request)["reason"]
        review_services.declare_conflict(assignment=self.get_object(), reviewer=request.user, reason=reason)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    list=extend_schema(summary="Reviews: your own; administrators see every review"),
    retrieve=extend_schema(summary="One review", responses={200: ReviewSerializer, 404: ERRORS[404]}),
    create=extend_schema(
        summary="Start (or save) the draft review of one of your accepted assignments",
        request=ReviewCreateSerializer,
        responses={201: ReviewSerializer, **ERRORS},
    ),
    update=extend_schema(
        summary="Save the draft; fields left out keep their saved values (until the review deadline)",
        request=ReviewInputSerializer,
        responses={200: ReviewSerializer, **ERRORS},
    ),
)
class ReviewViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = ReviewSerializer
    permission_classes = [drf_permissions.IsAuthenticated]
    queryset = Review.objects.none()
    http_method_names = ["get", "post", "put", "head", "options"]
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        return review_selectors.reviews_visible_to(self.request.user)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(review_selectors.review_rows(self.filter_queryset(self.get_queryset())))
        return self.get_paginated_response(ReviewSerializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        return Response(self._output(self.kwargs["pk"]))

    def _output(self, pk):
        """The review's answer, read as a row through the person's scope: a missing or hidden one is a 404."""
        rows = review_selectors.review_rows(self.get_queryset().filter(pk=pk))[:1]
        if not rows:
            raise Http404
        return ReviewSerializer(rows[0]).data

    def _save(self, request, assignment, data, submit=False):
        review = review_services.save_review(assignment=assignment, by=request.user, data=data, submit=submit)
        return self._output(review.pk)

    def create(self, request, *args, **kwargs):
        data = dict(_valid(ReviewCreateSerializer, request))
        assignment = _object_or_field_error(
            review_selectors.reviewer_assignments(request.user),
            data.pop("assignment"),
            "assignment",
            _("No such assignment of yours."),
        )
        return Response(self._save(request, assignment, data), status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        review = self.get_object()
        return Response(self._save(request, review.assignment, _valid(ReviewInputSerializer, request)))

    @extend_schema(
        summary="Submit the review (with any last changes in the body); every criterion must be graded",
        request=ReviewInputSerializer,
        responses={200: ReviewSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        review = self.get_object()
        return Response(self._save(request, review.assignment, _valid(ReviewInputSerializer, request), submit=True))
