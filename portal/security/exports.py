"""Everything the portal holds about one person, as one JSON document for them to download."""

from django.db.models import Q
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from portal.audit.models import AuditEvent
from portal.notifications.models import Notification
from proposals.models import Proposal, ProposalVersion, Review

from .models import ApiTokenRecord, ClosureRequest, SignedInSession


def _time(value):
    return value.isoformat() if value else None


def own_data(user):
    """The person's profile, roles, memberships, proposals they are on (with their versions' metadata), the reviews
    they wrote, notifications, audit rows about them, sign-ins, tokens and second factors (never their secrets)."""
    membership = user.partner_membership
    proposals = (
        Proposal.objects.filter(Q(principal_investigator=user) | Q(created_by=user) | Q(team__user=user))
        .distinct()
        .select_related("call", "organisation")
        .order_by("pk")
    )
    versions = {}
    for version in ProposalVersion.objects.filter(proposal__in=proposals).order_by("proposal_id", "number"):
        versions.setdefault(version.proposal_id, []).append(
            {
                "number": version.number,
                "stage": version.stage,
                "submitted_at": _time(version.submitted_at),
                "submitted_by_me": version.submitted_by_id == user.pk,
                "content_hash": version.content_hash,
            }
        )
    reviews = Review.objects.filter(assignment__reviewer=user).select_related("assignment__proposal").order_by("pk")
    audit = AuditEvent.objects.filter(
        Q(actor=user) | Q(object_type=user._meta.label_lower, object_id=str(user.pk))
    ).order_by("created_at", "pk")
    reviewer_profile = getattr(user, "reviewer_profile", None)
    return {
        "profile": {
            "id": user.pk,
            "email": user.email,
            "full_name": user.full_name,
            "position": user.position,
            "language": user.language,
            "time_zone": user.time_zone,
            "date_joined": _time(user.date_joined),
            "last_login": _time(user.last_login),
            "is_active": user.is_active,
        },
        "roles": {
            "programme_administrator": user.is_programme_admin,
            "reviewer": user.is_reviewer,
            "django_admin_access": user.is_staff,
            "names": user.role_names,
        },
        "memberships": [
            {
                "organisation": membership.organisation.name,
                "organisation_id": membership.organisation_id,
                "role": membership.role,
                "joined_at": _time(membership.joined_at),
            }
        ]
        if membership
        else [],
        "reviewer_profile": {
            "expertise_areas": reviewer_profile.expertise_areas,
            "keywords": reviewer_profile.keywords,
            "affiliation": reviewer_profile.affiliation.name if reviewer_profile.affiliation else "",
            "external_affiliation": reviewer_profile.external_affiliation,
            "country": str(reviewer_profile.country),
        }
        if reviewer_profile
        else None,
        "proposals": [
            {
                "id": proposal.pk,
                "title": proposal.title,
                "call": proposal.call.title,
                "organisation": proposal.organisation.name,
                "status": proposal.status,
                "principal_investigator": proposal.principal_investigator_id == user.pk,
                "versions": versions.get(proposal.pk, []),
            }
            for proposal in proposals
        ],
        "reviews_written": [
            {
                "proposal": review.assignment.proposal.title,
                "status": review.status,
                "scores": review.scores,
                "strengths": review.strengths,
                "weaknesses": review.weaknesses,
                "confidential_comment": review.confidential_comment,
                "technical_assessment": review.technical_assessment,
                "technical_notes": review.technical_notes,
                "submitted_at": _time(review.submitted_at),
            }
            for review in reviews
        ],
        "notifications": [
            {"created_at": _time(n.created_at), "message": n.message, "link": n.link, "read_at": _time(n.read_at)}
            for n in Notification.objects.filter(user=user).order_by("created_at", "pk")
        ],
        "audit_events": [
            {
                "created_at": _time(event.created_at),
                "action": event.action,
                "by_me": event.actor_id == user.pk,
                "object": event.object_repr,
                "from_state": event.from_state,
                "to_state": event.to_state,
                "reason": event.reason,
                "ip_address": event.ip_address,
            }
            for event in audit
        ],
        "sessions": [
            {
                "user_agent": s.user_agent,
                "ip_address": s.ip_address,
                "signed_in_at": _time(s.created_at),
                "last_seen_at": _time(s.last_seen_at),
            }
            for s in SignedInSession.objects.filter(user=user)
        ],
        "api_tokens": [
            {"user_agent": t.user_agent, "ip_address": t.ip_address, "issued_at": _time(t.created_at)}
            for t in ApiTokenRecord.objects.filter(user=user)
        ],
        "second_factors": [
            {"kind": kind, "name": device.name, "confirmed": device.confirmed}
            for kind, model in (
                ("authenticator_app", TOTPDevice),
                ("recovery_codes", StaticDevice),
                ("passkey", WebAuthnCredential),
            )
            for device in model.objects.filter(user=user)
        ],
        "closure_requests": [
            {"requested_at": _time(c.requested_at), "status": c.status, "completed_at": _time(c.completed_at)}
            for c in ClosureRequest.objects.filter(user=user)
        ],
    }
