from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, parsers, status, viewsets
from rest_framework import permissions as drf_permissions
from rest_framework.decorators import action
from rest_framework.response import Response

from portal.api import ERRORS
from portal.permissions import permission_class
from proposals.review.api import CallReviewActions, ProposalReviewActions
from proposals.review.bids_api import CallBidActions

from . import calls, permissions, selectors, services
from .filters import CallFilter, ProposalFilter
from .models import Attachment
from .serializers import (
    AttachmentSerializer,
    AttachmentUploadSerializer,
    CallSerializer,
    CallWriteSerializer,
    ComplianceSerializer,
    MissionSerializer,
    ProposalSerializer,
    ProposalWriteSerializer,
    ShortlistSerializer,
    VersionSerializer,
    WithdrawalSerializer,
)

ManagesCalls = permission_class(permissions.can_manage_calls)


@extend_schema_view(
    list=extend_schema(summary="Missions of the programme", auth=[]),
    retrieve=extend_schema(summary="One mission", auth=[]),
)
class MissionViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = MissionSerializer
    permission_classes = [drf_permissions.AllowAny]
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        return selectors.missions().order_by("target_launch_year", "name")


@extend_schema_view(
    list=extend_schema(summary="Calls for proposals (published ones for everyone; drafts too for administrators)"),
    retrieve=extend_schema(summary="One call", responses={200: CallSerializer, 404: ERRORS[404]}),
    create=extend_schema(
        summary="Create a call as a draft (administrators)",
        request=CallWriteSerializer,
        responses={201: CallSerializer, **ERRORS},
    ),
    partial_update=extend_schema(
        summary="Change a call (administrators; platforms only while a draft)",
        request=CallWriteSerializer,
        responses={200: CallSerializer, **ERRORS},
    ),
)
class CallViewSet(
    CallBidActions,
    CallReviewActions,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = CallSerializer
    # Administrators' work, but for reading and for the actions that say otherwise (bids: reviewers).
    permission_classes = [ManagesCalls]
    filterset_class = CallFilter
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        return selectors.calls_visible_to(self.request.user).order_by("deadline", "pk")

    def get_permissions(self):
        if self.action in ("list", "retrieve"):
            return [drf_permissions.AllowAny()]
        return super().get_permissions()

    def _write(self, request, call=None):
        serializer = CallWriteSerializer(call, data=request.data, partial=call is not None)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        platforms = data.pop("platforms", None)
        platforms = [dict(platform) for platform in platforms] if platforms is not None else None
        if call is None:
            call = calls.create_call(data=data, platforms=platforms or [], by=request.user)
        else:
            call = calls.update_call(call=call, data=data, platforms=platforms, by=request.user)
        return CallSerializer(selectors.calls_visible_to(request.user).get(pk=call.pk)).data

    def create(self, request, *args, **kwargs):
        return Response(self._write(request), status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        return Response(self._write(request, self.get_object()))

    @extend_schema(summary="Open a draft call", request=None, responses={200: CallSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def open(self, request, pk=None):
        calls.open_call(call=self.get_object(), by=request.user)
        return Response(CallSerializer(self.get_queryset().get(pk=pk)).data)

    @extend_schema(summary="Close an open call", request=None, responses={200: CallSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        calls.close_call(call=self.get_object(), by=request.user)
        return Response(CallSerializer(self.get_queryset().get(pk=pk)).data)


@extend_schema_view(
    list=extend_schema(summary="Proposals you may see: your organisation's, those you are on the team of"),
    retrieve=extend_schema(summary="One proposal", responses={200: ProposalSerializer, 404: ERRORS[404]}),
    create=extend_schema(
        summary="Start a draft proposal for your organisation",
        request=ProposalWriteSerializer,
        responses={201: ProposalSerializer, **ERRORS},
    ),
    partial_update=extend_schema(
        summary="Save changes to a draft",
        request=ProposalWriteSerializer,
        responses={200: ProposalSerializer, **ERRORS},
    ),
)
class ProposalViewSet(
    ProposalReviewActions,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = ProposalSerializer
    permission_classes = [drf_permissions.IsAuthenticated]
    filterset_class = ProposalFilter
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]
    # A non-numeric id is simply not found (404), never a database error.
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        return selectors.proposals_visible_to(self.request.user).order_by("-updated_at", "-pk")

    def get_object(self):
        return selectors.get_proposal_for(user=self.request.user, pk=self.kwargs["pk"])

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(selectors.proposal_rows(self.filter_queryset(self.get_queryset())))
        return self.get_paginated_response(ProposalSerializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        return Response(self._output(self.kwargs["pk"]))

    def _output(self, pk):
        """The proposal's answer, read as a row through the person's scope: a missing or hidden one is a 404."""
        rows = selectors.proposal_rows(self.get_queryset().filter(pk=pk))[:1]
        if not rows:
            raise Http404
        return ProposalSerializer(rows[0]).data

    def create(self, request, *args, **kwargs):
        serializer = ProposalWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        call = data.pop("call")
        team = data.pop("team", None)
        proposal = services.create_proposal(call=call, by=request.user, data=data, team=team)
        return Response(self._output(proposal.pk), status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        proposal = self.get_object()
        serializer = ProposalWriteSerializer(proposal, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        team = data.pop("team", None)
        services.update_proposal(proposal=proposal, by=request.user, data=data, team=team)
        return Response(self._output(proposal.pk))

    @extend_schema(
        summary="Submit: freeze a new version and email the team a receipt",
        request=None,
        responses={201: VersionSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        version = services.submit_proposal(proposal=self.get_object(), by=request.user)
        return Response(VersionSerializer(version).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Withdraw a submitted proposal (before the deadline)",
        request=WithdrawalSerializer,
        responses={200: ProposalSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        reason = WithdrawalSerializer(data=request.data)
        reason.is_valid(raise_exception=True)
        services.withdraw_proposal(
            proposal=self.get_object(), by=request.user, reason=reason.validated_data.get("reason", "")
        )
        return Response(self._output(pk))

    @extend_schema(summary="Submitted versions, newest first", responses={200: VersionSerializer(many=True)})
    @action(detail=True, methods=["get"], filterset_class=None)
    def versions(self, request, pk=None):
        proposal = self.get_object()
        page = self.paginate_queryset(selectors.proposal_versions(proposal=proposal))
        return self.get_paginated_response(VersionSerializer(page, many=True).data)

    @extend_schema(
        methods=["GET"], summary="Files attached to the draft", responses={200: AttachmentSerializer(many=True)}
    )
    @extend_schema(
        methods=["POST"],
        summary="Attach a PDF (multipart/form-data)",
        request={"multipart/form-data": AttachmentUploadSerializer},
        responses={201: AttachmentSerializer, **ERRORS},
    )
    @action(
        detail=True,
        methods=["get", "post"],
        parser_classes=[parsers.MultiPartParser, parsers.FormParser],
        filterset_class=None,
    )
    def attachments(self, request, pk=None):
        proposal = self.get_object()
        if request.method == "GET":
            page = self.paginate_queryset(selectors.proposal_attachments(proposal=proposal))
            return self.get_paginated_response(
                AttachmentSerializer(page, many=True, context=self.get_serializer_context()).data
            )
        upload = AttachmentUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        attachment = services.add_attachment(
            proposal=proposal, by=request.user, upload=upload.validated_data["file"], kind=upload.validated_data["kind"]
        )
        return Response(
            AttachmentSerializer(attachment, context=self.get_serializer_context()).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(summary="Remove a file from the draft", request=None, responses={204: None, **ERRORS})
    @action(detail=True, methods=["delete"], url_path=r"attachments/(?P<attachment_id>[0-9]+)")
    def remove_attachment(self, request, pk=None, attachment_id=None):
        proposal = self.get_object()
        attachment = Attachment.objects.filter(proposal=proposal, pk=attachment_id, removed_at__isnull=True).first()
        if attachment is None:
            raise Http404
        services.remove_attachment(attachment=attachment, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Shortlist a letter of intent, or not (administrators)",
        request=ShortlistSerializer,
        responses={200: ProposalSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], permission_classes=[ManagesCalls])
    def shortlist(self, request, pk=None):
        body = ShortlistSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.shortlist_letter(
            proposal=self.get_object(),
            by=request.user,
            shortlisted=body.validated_data["shortlisted"],
            reason=body.validated_data.get("reason", ""),
        )
        return Response(self._output(pk))

    @extend_schema(
        summary="Record the compliance check (administrators, after the call closes)",
        request=ComplianceSerializer,
        responses={200: ProposalSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], permission_classes=[ManagesCalls])
    def compliance(self, request, pk=None):
        body = ComplianceSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.record_compliance(
            proposal=self.get_object(),
            by=request.user,
            eligible=body.validated_data["eligible"],
            reason=body.validated_data.get("reason", ""),
        )
        return Response(self._output(pk))
