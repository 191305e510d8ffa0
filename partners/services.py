"""Every change to registrations, organisations, memberships and invitations."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.audit.services import record_event
from portal.errors import DomainError, NotAllowed, TransitionNotAllowed
from portal.middleware import absolute_url, new_account_language
from portal.notifications.services import notify, queue_email
from portal.transitions import lock, refuse, require_state

from . import permissions, tokens
from .models import REASON_LIMIT, Invitation, Membership, Organisation, Registration, email_domain

User = get_user_model()

INVITATION_LIFETIME = timedelta(days=7)


def _require_reason(reason):
    if not (reason or "").strip():
        raise DomainError(_("Please give a reason."), field="reason")
    if len(reason.strip()) > REASON_LIMIT:
        raise DomainError(
            _("Please keep the reason within %(limit)s characters.") % {"limit": f"{REASON_LIMIT:,}"}, field="reason"
        )
    return reason.strip()


def set_password_url(user):
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return absolute_url(reverse("accounts:password_reset_confirm", args=[uid, token]))


def _notify_programme_admins(message, params, link):
    for admin in User.objects.filter(is_programme_admin=True, is_active=True):
        notify(user=admin, message=message, params=params, link=link)


# Registrations -------------------------------------------------------------------------------


@transaction.atomic
def submit_registration(*, data, language):
    """Record an application to join and email its contact a link to verify the address."""
    registration = Registration(
        **{field: data.get(field, "") for field in Registration.PROFILE_FIELDS if field in data},
        contact_name=data["contact_name"],
        contact_position=data.get("contact_position", ""),
        contact_email=data["contact_email"].lower(),
        terms_accepted_at=timezone.now(),
        language=language,
    )
    registration.save()
    record_event(
        actor=None,
        action="registration.submitted",
        obj=registration,
        to_state=registration.status,
        data={"contact_email": registration.contact_email},
    )
    link = absolute_url(reverse("partners:verify_email", args=[tokens.verification_token(registration)]))
    queue_email(
        to=registration.contact_email,
        template="registration_verify",
        context={"registration": registration, "link": link},
        language=language,
    )
    return registration


@transaction.atomic
def verify_registration_email(*, registration):
    """The contact proved the address is theirs: the application joins the review queue."""
    registration = lock(Registration, registration)
    require_state(
        registration,
        [Registration.Status.SUBMITTED],
        _("This email address has already been verified; the application is in the review queue."),
    )
    registration.status = Registration.Status.PENDING_REVIEW
    registration.email_verified_at = registration.queued_at = timezone.now()
    registration.save(update_fields=["status", "email_verified_at", "queued_at"])
    record_event(
        actor=None,
        action="registration.email_verified",
        obj=registration,
        from_state=Registration.Status.SUBMITTED,
        to_state=registration.status,
    )
    queue_email(
        to=registration.contact_email,
        template="registration_received",
        context={"registration": registration},
        language=registration.language,
    )
    _notify_programme_admins(
        gettext_lazy("New application to join: %(name)s"),
        {"name": registration.name},
        reverse("partners:registration_detail", args=[registration.pk]),
    )
    return registration


@transaction.atomic
def resubmit_registration(*, registration, data):
    """The applicant made the requested changes; the application goes back to the queue."""
    registration = lock(Registration, registration)
    require_state(
        registration,
        [Registration.Status.CHANGES_REQUESTED],
        _("This application is not waiting for changes."),
    )
    changed = []
    for field in Registration.PROFILE_FIELDS + ("contact_name", "contact_position"):
        if field in data and getattr(registration, field) != data[field]:
            setattr(registration, field, data[field])
            changed.append(field)
    registration.status = Registration.Status.PENDING_REVIEW
    registration.queued_at = timezone.now()
    registration.save()
    record_event(
        actor=None,
        action="registration.resubmitted",
        obj=registration,
        from_state=Registration.Status.CHANGES_REQUESTED,
        to_state=registration.status,
        data={"changed": changed},
    )
    _notify_programme_admins(
        gettext_lazy("Application resubmitted: %(name)s"),
        {"name": registration.name},
        reverse("partners:registration_detail", args=[registration.pk]),
    )
    return registration


def _decide(registration, *, by, to_state, action, reason):
    from_state = registration.status
    registration.status = to_state
    registration.decided_at = timezone.now()
    registration.decided_by = by
    registration.decision_reason = reason
    registration.save()
    record_event(
        actor=by,
        action=action,
        obj=registration,
        organisation=registration.organisation,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
    )


@transaction.atomic
def approve_registration(*, registration, by):
    """Create the partner organisation, make the contact its partner admin and invite them in."""
    registration = lock(Registration, registration)
    refuse(permissions.approve_refusal(by, registration))
    contact = User.objects.filter(email__iexact=registration.contact_email).first()
    if contact is not None and contact.partner_membership is not None:
        raise DomainError(
            _("%(email)s already belongs to %(organisation)s; a person belongs to one organisation only.")
            % {"email": contact.email, "organisation": contact.organisation}
        )
    organisation = Organisation.objects.create(
        **{field: getattr(registration, field) for field in Registration.PROFILE_FIELDS},
        email_domain=email_domain(registration.contact_email),
    )
    if contact is None:
        contact = User.objects.create_user(
            email=registration.contact_email,
            full_name=registration.contact_name,
            position=registration.contact_position,
            language=registration.language,
        )
    Membership.objects.create(user=contact, organisation=organisation, role=Membership.Role.ADMIN)
    registration.organisation = organisation
    _decide(registration, by=by, to_state=Registration.Status.APPROVED, action="registration.approved", reason="")
    record_event(
        actor=by,
        action="organisation.created",
        obj=organisation,
        organisation=organisation,
        to_state=organisation.status,
        data={"registration": registration.pk, "partner_admin": contact.email},
    )
    link = set_password_url(contact) if not contact.has_usable_password() else absolute_url(reverse("accounts:login"))
    queue_email(
        to=contact.email,
        recipient=contact,
        template="registration_approved",
        context={
            "registration": registration,
            "organisation": organisation,
            "user": contact,
            "link": link,
            "needs_password": not contact.has_usable_password(),
        },
    )
    return organisation


@transaction.atomic
def reject_registration(*, registration, by, reason):
    """Turn an application down and tell the contact why."""
    reason = _require_reason(reason)
    registration = lock(Registration, registration)
    refuse(permissions.reject_refusal(by, registration))
    _decide(registration, by=by, to_state=Registration.Status.REJECTED, action="registration.rejected", reason=reason)
    queue_email(
        to=registration.contact_email,
        template="registration_rejected",
        context={"registration": registration, "reason": reason},
        language=registration.language,
    )
    return registration


@transaction.atomic
def request_registration_changes(*, registration, by, reason):
    """Send the application back to the applicant with what to change and a link to do it."""
    reason = _require_reason(reason)
    registration = lock(Registration, registration)
    refuse(permissions.request_changes_refusal(by, registration))
    _decide(
        registration,
        by=by,
        to_state=Registration.Status.CHANGES_REQUESTED,
        action="registration.changes_requested",
        reason=reason,
    )
    link = absolute_url(reverse("partners:registration_edit", args=[tokens.edit_token(registration)]))
    queue_email(
        to=registration.contact_email,
        template="registration_changes_requested",
        context={"registration": registration, "reason": reason, "link": link},
        language=registration.language,
    )
    return registration


# Organisations -------------------------------------------------------------------------------


def _change_organisation_status(organisation, *, by, reason, refusal, from_state, to_state, action, template):
    organisation = lock(Organisation, organisation)
    refuse(refusal(by, organisation))
    reason = _require_reason(reason)
    organisation.status = to_state
    organisation.status_reason = reason
    organisation.save(update_fields=["status", "status_reason"])
    record_event(
        actor=by,
        action=action,
        obj=organisation,
        organisation=organisation,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
    )
    link = reverse("partners:my_organisation")
    for membership in organisation.memberships.select_related("user"):
        notify(user=membership.user, message=template["notice"], params={"organisation": organisation.name}, link=link)
        if membership.is_admin:
            queue_email(
                to=membership.user.email,
                recipient=membership.user,
                template=template["email"],
                context={"organisation": organisation, "reason": reason, "user": membership.user},
            )
    return organisation


@transaction.atomic
def suspend_organisation(*, organisation, by, reason):
    """Members may still sign in and read, but the organisation can no longer submit."""
    return _change_organisation_status(
        organisation,
        by=by,
        reason=reason,
        refusal=permissions.suspend_refusal,
        from_state=Organisation.Status.ACTIVE,
        to_state=Organisation.Status.SUSPENDED,
        action="organisation.suspended",
        template={"email": "organisation_suspended", "notice": gettext_lazy("%(organisation)s has been suspended.")},
    )


@transaction.atomic
def reinstate_organisation(*, organisation, by, reason):
    """Lift a suspension."""
    return _change_organisation_status(
        organisation,
        by=by,
        reason=reason,
        refusal=permissions.reinstate_refusal,
        from_state=Organisation.Status.SUSPENDED,
        to_state=Organisation.Status.ACTIVE,
        action="organisation.reinstated",
        template={"email": "organisation_reinstated", "notice": gettext_lazy("%(organisation)s has been reinstated.")},
    )


# People --------------------------------------------------------------------------------------


def _require_member_manager(by, organisation):
    if not permissions.can_manage_members(by, organisation):
        raise NotAllowed(_("Only the organisation's partner admin manages its people."))


@transaction.atomic
def invite_member(*, organisation, email, by):
    """Email a colleague a single-use link, valid for seven days, to join the organisation."""
    _require_member_manager(by, organisation)
    email = email.strip().lower()
    existing = User.objects.filter(email__iexact=email).select_related("membership__organisation").first()
    if existing is not None and existing.partner_membership is not None:
        if existing.membership.organisation_id == organisation.pk:
            raise DomainError(_("%(email)s is already a member.") % {"email": email}, field="email")
        raise DomainError(
            _("%(email)s belongs to another organisation; a person belongs to one organisation only.")
            % {"email": email},
            field="email",
        )
    now = timezone.now()
    superseded = Invitation.objects.select_for_update().filter(
        organisation=organisation,
        email__iexact=email,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=now,
    )
    for old in superseded:
        old.revoked_at = now
        old.save(update_fields=["revoked_at"])
        record_event(
            actor=by,
            action="invitation.revoked",
            obj=old,
            organisation=organisation,
            from_state=Invitation.Status.PENDING,
            to_state=Invitation.Status.REVOKED,
            data={"superseded": True},
        )
    invitation = Invitation.objects.create(
        organisation=organisation,
        email=email,
        invited_by=by,
        created_at=now,
        expires_at=now + INVITATION_LIFETIME,
    )
    record_event(
        actor=by,
        action="invitation.sent",
        obj=invitation,
        organisation=organisation,
        to_state=Invitation.Status.PENDING,
        data={"email": email},
    )
    link = absolute_url(reverse("partners:invitation_accept", args=[tokens.invitation_token(invitation)]))
    queue_email(
        to=email,
        recipient=existing,
        template="invitation",
        context={"invitation": invitation, "organisation": organisation, "inviter": by, "link": link},
        language=existing.language if existing else by.language,
    )
    return invitation


@transaction.atomic
def revoke_invitation(*, invitation, by):
    """Withdraw an invitation that has not been used yet."""
    _require_member_manager(by, invitation.organisation)
    invitation = lock(Invitation, invitation)
    if invitation.status != Invitation.Status.PENDING:
        raise TransitionNotAllowed(
            _("This invitation is already %(status)s.") % {"status": invitation.get_status_display().lower()}
        )
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    record_event(
        actor=by,
        action="invitation.revoked",
        obj=invitation,
        organisation=invitation.organisation,
        from_state=Invitation.Status.PENDING,
        to_state=Invitation.Status.REVOKED,
    )
    return invitation


def _require_pending_invitation(invitation):
    status = invitation.status
    if status == Invitation.Status.ACCEPTED:
        raise TransitionNotAllowed(_("This invitation has already been used."))
    if status == Invitation.Status.REVOKED:
        raise TransitionNotAllowed(_("This invitation was withdrawn by the organisation."))
    if status == Invitation.Status.EXPIRED:
        raise TransitionNotAllowed(_("This invitation has expired; ask your partner admin for a new one."))


@transaction.atomic
def accept_invitation(*, invitation, user=None, full_name="", password="", language=None):
    """Join the organisation: as the signed-in person the invitation was sent to, or as a new account that keeps
    the `language` the person accepted in (by default the language of the request)."""
    invitation = Invitation.objects.select_for_update().select_related("organisation").get(pk=invitation.pk)
    _require_pending_invitation(invitation)
    if user is not None and user.is_authenticated:
        if user.email.lower() != invitation.email.lower():
            raise NotAllowed(
                _("This invitation was sent to %(email)s; sign in with that address to accept it.")
                % {"email": invitation.email}
            )
        if user.partner_membership is not None:
            raise DomainError(_("You already belong to an organisation; a person belongs to one only."))
    else:
        if User.objects.filter(email__iexact=invitation.email).exists():
            raise DomainError(_("An account with this email address exists; sign in to accept the invitation."))
        if not full_name.strip():
            raise DomainError(_("Please give your full name."), field="full_name")
        user = User.objects.create_user(
            email=invitation.email,
            password=password,
            full_name=full_name.strip(),
            language=new_account_language(language),
        )
    membership = Membership.objects.create(user=user, organisation=invitation.organisation)
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    record_event(
        actor=user,
        action="invitation.accepted",
        obj=invitation,
        organisation=invitation.organisation,
        from_state=Invitation.Status.PENDING,
        to_state=Invitation.Status.ACCEPTED,
    )
    record_event(
        actor=user,
        action="membership.created",
        obj=membership,
        organisation=invitation.organisation,
        to_state=membership.role,
    )
    for admin_membership in invitation.organisation.memberships.filter(role=Membership.Role.ADMIN):
        notify(
            user=admin_membership.user,
            message=gettext_lazy("%(name)s accepted your invitation and joined."),
            params={"name": user.full_name},
            link=reverse("partners:my_organisation"),
        )
    return membership


@transaction.atomic
def remove_member(*, membership, by):
    """Take a person out of the organisation; their account stays, their access to its work ends."""
    membership = Membership.objects.select_for_update().select_related("user", "organisation").get(pk=membership.pk)
    _require_member_manager(by, membership.organisation)
    if membership.is_admin:
        raise DomainError(_("Hand the partner admin role to another member before removing this person."))
    organisation, person = membership.organisation, membership.user
    membership.delete()
    record_event(
        actor=by,
        action="membership.removed",
        obj=person,
        organisation=organisation,
        from_state=Membership.Role.MEMBER,
        data={"email": person.email},
    )
    notify(
        user=person,
        message=gettext_lazy("You were removed from %(organisation)s."),
        params={"organisation": organisation.name},
    )
    return person


@transaction.atomic
def transfer_partner_admin(*, organisation, to_membership, by):
    """Make another member the partner admin; the current admins become members."""
    _require_member_manager(by, organisation)
    to_membership = Membership.objects.select_for_update().select_related("user").get(pk=to_membership.pk)
    if to_membership.organisation_id != organisation.pk:
        raise DomainError(_("That person is not a member of this organisation."))
    if to_membership.is_admin:
        raise TransitionNotAllowed(_("%(name)s is already the partner admin.") % {"name": to_membership.user})
    previous = list(organisation.memberships.select_for_update().filter(role=Membership.Role.ADMIN))
    for membership in previous:
        membership.role = Membership.Role.MEMBER
        membership.save(update_fields=["role"])
        record_event(
            actor=by,
            action="membership.role_changed",
            obj=membership,
            organisation=organisation,
            from_state=Membership.Role.ADMIN,
            to_state=Membership.Role.MEMBER,
        )
    to_membership.role = Membership.Role.ADMIN
    to_membership.save(update_fields=["role"])
    record_event(
        actor=by,
        action="membership.role_changed",
        obj=to_membership,
        organisation=organisation,
        from_state=Membership.Role.MEMBER,
        to_state=Membership.Role.ADMIN,
    )
    notify(
        user=to_membership.user,
        message=gettext_lazy("You are now the partner admin of %(organisation)s."),
        params={"organisation": organisation.name},
        link=reverse("partners:my_organisation"),
    )
    return to_membership
