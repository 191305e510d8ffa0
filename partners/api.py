from django.http import Http404
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework import permissions as drf_permissions
from rest_framework.decorators import action
from rest_framework.response import Response

from portal.api import ERRORS, ClientRateThrottle
from portal.permissions import permission_class

from . import permissions, selectors, services
from .filters import DirectoryFilter, OrganisationFilter, RegistrationFilter
from .models import Invitation
from .serializers import (
    InvitationCreateSerializer,
    InvitationSerializer,
    MemberSerializer,
    OrganisationSerializer,
    ReasonSerializer,
    RegistrationAcceptedSerializer,
    RegistrationInputSerializer,
    RegistrationSerializer,
)


class RegistrationThrottle(ClientRateThrottle):
    scope = "registration"


DecidesRegistrations = permission_class(permissions.can_decide_registrations)
SuspendsOrganisations = permission_class(permissions.can_suspend_organisations)


@extend_schema_view(
    list=extend_schema(summary="Applications to join (programme administrators)"),
    retrieve=extend_schema(summary="One application (programme administrators)"),
)
class RegistrationViewSet(
    mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = RegistrationSerializer
    filterset_class = RegistrationFilter
    # A non-numeric id is simply not found (404), never a database error.
    lookup_value_regex = "[0-9]+"
    ordering_fields = ["submitted_at", "queued_at", "name"]

    def get_queryset(self):
        return selectors.registration_queue()

    def get_permissions(self):
        if self.action == "create":
            return [drf_permissions.AllowAny()]
        return [DecidesRegistrations()]

    def get_throttles(self):
        if self.action == "create":
            return [RegistrationThrottle()]
        return super().get_throttles()

    def get_object(self):
        registration = self.get_queryset().filter(pk=self.kwargs["pk"]).first()
        if registration is None:
            raise Http404
        return selectors.attach_duplicate_flags([registration])[0]

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = selectors.attach_duplicate_flags(self.paginate_queryset(queryset))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        summary="Apply to join the ILRS programme (public)",
        request=RegistrationInputSerializer,
        responses={201: RegistrationAcceptedSerializer, 400: ERRORS[400]},
        auth=[],
    )
    def create(self, request, *args, **kwargs):
        serializer = RegistrationInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        registration = services.submit_registration(data=serializer.validated_data, language=get_language())
        body = {
            "id": registration.pk,
            "status": registration.status,
            "detail": _("We have emailed %(email)s a link to confirm the address.")
            % {"email": registration.contact_email},
        }
        return Response(body, status=status.HTTP_201_CREATED)

    def _decide(self, request, service, needs_reason):
        registration = self.get_object()
        kwargs = {}
        if needs_reason:
            reason = ReasonSerializer(data=request.data)
            reason.is_valid(raise_exception=True)
            kwargs["reason"] = reason.validated_data["reason"]
        service(registration=registration, by=request.user, **kwargs)
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(summary="Approve an application", request=None, responses={200: RegistrationSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._decide(request, services.approve_registration, needs_reason=False)

    @extend_schema(
        summary="Reject an application", request=ReasonSerializer, responses={200: RegistrationSerializer, **ERRORS}
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._decide(request, services.reject_registration, needs_reason=True)

    @extend_schema(
        summary="Send an application back for changes",
        request=ReasonSerializer,
        responses={200: RegistrationSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="request-changes")
    def request_changes(self, request, pk=None):
        return self._decide(request, services.request_registration_changes, needs_reason=True)


@extend_schema_view(
    list=extend_schema(
        summary="Partner organisations",
        auth=[],
        description="Public directory fields for everyone; full records for programme "
        "administrators and the organisation's own members.",
    ),
    retrieve=extend_schema(summary="One partner organisation", auth=[]),
)
class OrganisationViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = OrganisationSerializer
    filterset_class = OrganisationFilter
    ordering_fields = ["name", "joined_on"]
    lookup_value_regex = "[0-9]+"

    def get_permissions(self):
        if self.action in ("list", "retrieve"):
            return [drf_permissions.AllowAny()]
        # The actions' own permission_classes (suspend, reinstate: administrators only) apply.
        return super().get_permissions()

    def get_queryset(self):
        return selectors.organisations_listed_to(self.request.user).order_by("name")

    def filter_queryset(self, queryset):
        if self.filterset_class is OrganisationFilter and not permissions.is_programme_admin(self.request.user):
            # Searching by a private field (the email domain) would reveal it; others search public fields only.
            self.filterset_class = DirectoryFilter
        return super().filter_queryset(queryset)

    def _record(self, pk):
        return selectors.get_organisation_for(user=self.request.user, pk=pk)

    def _managed(self, pk):
        return selectors.get_organisation_for(user=self.request.user, pk=pk, for_management=True)

    @extend_schema(
        summary="Suspend an organisation (programme administrators)",
        request=ReasonSerializer,
        responses={200: OrganisationSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], permission_classes=[SuspendsOrganisations])
    def suspend(self, request, pk=None):
        return self._change_status(request, pk, services.suspend_organisation)

    @extend_schema(
        summary="Reinstate a suspended organisation (programme administrators)",
        request=ReasonSerializer,
        responses={200: OrganisationSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], permission_classes=[SuspendsOrganisations])
    def reinstate(self, request, pk=None):
        return self._change_status(request, pk, services.reinstate_organisation)

    def _change_status(self, request, pk, service):
        organisation = self._record(pk)
        reason = ReasonSerializer(data=request.data)
        reason.is_valid(raise_exception=True)
        organisation = service(organisation=organisation, by=request.user, reason=reason.validated_data["reason"])
        return Response(self.get_serializer(organisation).data)

    @extend_schema(
        summary="Members of an organisation (its members and administrators)",
        responses={200: MemberSerializer(many=True), 404: ERRORS[404]},
    )
    @action(detail=True, methods=["get"], filterset_class=None, ordering_fields=None)
    def members(self, request, pk=None):
        organisation = self._record(pk)
        page = self.paginate_queryset(selectors.organisation_members(organisation=organisation))
        return self.get_paginated_response(MemberSerializer(page, many=True).data)

    @extend_schema(
        methods=["get"],
        summary="Invitations sent by an organisation (its partner admin)",
        responses={200: InvitationSerializer(many=True), 404: ERRORS[404]},
    )
    @extend_schema(
        methods=["post"],
        summary="Invite a colleague by email (partner admin)",
        request=InvitationCreateSerializer,
        responses={201: InvitationSerializer, **ERRORS},
    )
    @action(detail=True, methods=["get", "post"], filterset_class=None, ordering_fields=None)
    def invitations(self, request, pk=None):
        organisation = self._managed(pk)
        if request.method == "GET":
            page = self.paginate_queryset(selectors.organisation_invitations(organisation=organisation))
            return self.get_paginated_response(InvitationSerializer(page, many=True).data)
        serializer = InvitationCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        invitation = services.invite_member(
            organisation=organisation, email=serializer.validated_data["email"], by=request.user
        )
        return Response(InvitationSerializer(invitation).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Withdraw an invitation (partner admin)", request=None, responses={200: InvitationSerializer, **ERRORS}
    )
    @action(detail=True, methods=["post"], url_path=r"invitations/(?P<invitation_id>[0-9]+)/revoke")
    def revoke_invitation(self, request, pk=None, invitation_id=None):
        organisation = self._managed(pk)
        invitation = Invitation.objects.filter(organisation=organisation, pk=invitation_id).first()
        if invitation is None:
            raise Http404
        invitation = services.revoke_invitation(invitation=invitation, by=request.user)
        return Response(InvitationSerializer(invitation).data)
