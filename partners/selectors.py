"""Reads for the partner screens and endpoints, each a fixed number of queries."""

from django.db.models import Count, Q
from django.db.models.functions import Lower
from django.http import Http404
from django.utils import timezone

from portal.audit.models import AuditEvent

from . import permissions
from .models import Invitation, Membership, Organisation, Registration


def registration_queue():
    """Applications for the administrators' queue, longest waiting first."""
    return Registration.objects.select_related("organisation", "decided_by").order_by("queued_at", "submitted_at", "pk")


def attach_duplicate_flags(registrations):
    """Flag likely duplicates on a page of applications in two queries.

    A registration is flagged when a partner or another open application has the same name in the
    same country, or when a partner already uses the contact's email domain.
    """
    registrations = list(registrations)
    names = {r.name.strip().lower() for r in registrations}
    domains = {r.email_domain for r in registrations if r.email_domain}
    partners = list(
        Organisation.objects.annotate(lname=Lower("name"))
        .filter(Q(lname__in=names) | Q(email_domain__in=domains))
        .values("pk", "name", "lname", "country", "email_domain")
    )
    open_applications = list(
        Registration.objects.annotate(lname=Lower("name"))
        .filter(lname__in=names, organisation__isnull=True)
        .exclude(status=Registration.Status.REJECTED)
        .values("pk", "lname", "country")
    )
    for registration in registrations:
        lname = registration.name.strip().lower()
        flags = []
        for partner in partners:
            if registration.organisation_id == partner["pk"]:
                continue
            if partner["lname"] == lname and partner["country"] == registration.country:
                flags.append(("name", partner["name"], partner["pk"]))
            elif registration.email_domain and partner["email_domain"] == registration.email_domain:
                flags.append(("domain", partner["name"], partner["pk"]))
        for other in open_applications:
            if other["pk"] != registration.pk and other["lname"] == lname and other["country"] == registration.country:
                flags.append(("application", registration.name, other["pk"]))
        registration.duplicate_flags = flags
    return registrations


def get_registration_for(*, user, pk):
    """The one door to an application: programme administrators only; anyone else finds nothing (404)."""
    if not permissions.can_decide_registrations(user):
        raise Http404
    registration = Registration.objects.select_related("organisation", "decided_by").filter(pk=pk).first()
    if registration is None:
        raise Http404
    return registration


def public_directory():
    """Participating organisations with public fields only."""
    return (
        Organisation.objects.filter(status=Organisation.Status.ACTIVE)
        .only("pk", "name", "native_name", "kind", "country", "city", "website", "joined_on")
        .order_by("name")
    )


def organisations_for_admin():
    """Every organisation with its member count, for programme administrators."""
    return Organisation.objects.annotate(member_count=Count("memberships")).order_by("name")


def organisations_visible_to(user):
    """Organisations whose full record the user may read: all for administrators, else their own."""
    if permissions.is_programme_admin(user):
        return Organisation.objects.all()
    membership = user.partner_membership if user.is_authenticated else None
    if membership is None:
        return Organisation.objects.none()
    return Organisation.objects.filter(pk=membership.organisation_id)


def organisations_listed_to(user):
    """What the API lists: every active partner (its public fields), and the organisations whose full record the
    person may read (their own, even suspended; every one for administrators)."""
    return Organisation.objects.filter(
        Q(status=Organisation.Status.ACTIVE) | Q(pk__in=organisations_visible_to(user).values("pk"))
    )


def get_organisation_for(*, user, pk, for_management=False):
    """The one door to an organisation's full record; a forbidden one is as missing as an absent one.
    With `for_management`, only for those who manage its people (`can_manage_members`)."""
    organisation = organisations_visible_to(user).filter(pk=pk).first()
    if organisation is None or (for_management and not permissions.can_manage_members(user, organisation)):
        raise Http404
    return organisation


def get_invitation_for(*, user, pk):
    """An invitation, for those who manage the people of the organisation that sent it; otherwise 404."""
    invitation = Invitation.objects.select_related("organisation", "invited_by").filter(pk=pk).first()
    if invitation is None or not permissions.can_manage_members(user, invitation.organisation):
        raise Http404
    return invitation


def get_membership_for(*, user, pk):
    """A membership, for those who manage the people of its organisation; otherwise 404."""
    membership = Membership.objects.select_related("organisation", "user").filter(pk=pk).first()
    if membership is None or not permissions.can_manage_members(user, membership.organisation):
        raise Http404
    return membership


def organisation_members(*, organisation):
    return (
        # The partner admin first ("admin" sorts before "member"), then everyone by name.
        Membership.objects.filter(organisation=organisation).select_related("user").order_by("role", "user__full_name")
    )


def pending_invitations(*, organisation):
    return Invitation.objects.filter(
        organisation=organisation,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).select_related("invited_by")


def organisation_invitations(*, organisation):
    return Invitation.objects.filter(organisation=organisation).select_related("invited_by", "accepted_by")


def organisation_timeline(*, organisation):
    """Audit events of the organisation and of the application it came from, newest first."""
    query = Q(organisation=organisation)
    registration_id = Registration.objects.filter(organisation=organisation).values_list("pk", flat=True).first()
    if registration_id:
        query |= Q(object_type="partners.registration", object_id=str(registration_id))
    return AuditEvent.objects.filter(query).select_related("actor")


def registration_timeline(*, registration):
    return AuditEvent.objects.filter(
        object_type="partners.registration", object_id=str(registration.pk)
    ).select_related("actor")


def suspension_effects(organisation):
    """What suspending the organisation touches: its people, drafts that could no longer be submitted and
    submitted proposals whose calls are still open."""
    from proposals.models import Call, Proposal  # proposals builds on partners; imported here, not at the top

    proposals = Proposal.objects.filter(organisation=organisation)
    return {
        "member_count": Membership.objects.filter(organisation=organisation).count(),
        **proposals.aggregate(
            draft_count=Count("pk", filter=Q(status__in=("draft", "withdrawn"), call__status=Call.Status.OPEN)),
            submitted_open_count=Count("pk", filter=Q(status="submitted", call__status=Call.Status.OPEN)),
        ),
        "invitation_count": pending_invitations(organisation=organisation).count(),
    }
