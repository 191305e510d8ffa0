"""One programme with two of everything, for the permission matrix: organisation A's and organisation B's.

Each role of the matrix is a person of this world. "Own" objects are organisation A's (the partner roles'
organisation, and the proposal both reviewers are assigned to); "other" objects are organisation B's, in the
same state, so that whatever could leak exists:

  organisations A and B, active, each with an approved registration, a partner admin, a principal
  investigator and a pending invitation;
  calls A and B, under review (deadline passed, reviews due in 14 days), each with the organisation's
  submitted proposal (one PDF attached before submitting) whose decision is already released;
  a draft call, seen by administrators only;
  the reviewer: accepted the assignment on proposal A, review in draft;
  the conflicted reviewer: accepted proposal A and submitted a review, then an administrator added a
  conflict (proposals.review.services.set_conflict), which leaves the assignment in place;
  a third reviewer with a submitted review of proposal B;
  the programme administrator and a second one, each with a finished export file.
"""

from datetime import timedelta
from types import SimpleNamespace

from django.contrib.auth.tokens import default_token_generator
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from partners.models import Membership, Registration
from portal.dashboard.models import ExportJob
from proposals import services
from proposals.models import Call, Decision, Proposal, Review, ReviewAssignment, TeamMember
from proposals.review import services as review_services
from tests.factories import (
    CallFactory,
    InvitationFactory,
    MembershipFactory,
    OrganisationFactory,
    ProposalFactory,
    RegistrationFactory,
    ReviewAssignmentFactory,
    ReviewerProfileFactory,
    ReviewFactory,
    TeamMemberFactory,
    UserFactory,
)
from tests.proposals.support import pdf_upload

ROLES = ("anonymous", "partner_member", "partner_admin", "reviewer", "conflicted_reviewer", "programme_admin")


def _side(letter, country, programme_admin):
    """One organisation with its people, its application, its invitation and its proposal in review."""
    organisation = OrganisationFactory(name=f"Organisation {letter}", country=country)
    admin = MembershipFactory(organisation=organisation, role=Membership.Role.ADMIN).user
    member = MembershipFactory(organisation=organisation).user
    pi_membership = MembershipFactory(organisation=organisation)
    registration = RegistrationFactory(
        name=organisation.name,
        status=Registration.Status.APPROVED,
        organisation=organisation,
        decided_by=programme_admin,
    )
    invitation = InvitationFactory(organisation=organisation, invited_by=admin)
    call = CallFactory(title=f"Call {letter}")
    proposal = ProposalFactory(call=call, organisation=organisation, principal_investigator=pi_membership.user)
    attachment = services.add_attachment(proposal=proposal, by=pi_membership.user, upload=pdf_upload())
    team_invitation = TeamMemberFactory(
        proposal=proposal,
        user=None,
        email=f"invitee-{letter.lower()}@elsewhere.example.org",
        full_name="",
        organisation_name="",
        status=TeamMember.Status.INVITED,
    )
    services.submit_proposal(proposal=proposal, by=pi_membership.user)
    now = timezone.now()
    Call.objects.filter(pk=call.pk).update(
        status=Call.Status.UNDER_REVIEW, deadline=now - timedelta(days=1), review_deadline=now + timedelta(days=14)
    )
    Decision.objects.create(
        proposal=proposal, outcome=Decision.Outcome.SELECTED, decided_by=programme_admin, released_at=now
    )
    return SimpleNamespace(
        organisation=organisation,
        admin=admin,
        member=member,
        membership=pi_membership,
        registration=registration,
        invitation=invitation,
        call=call,
        proposal=Proposal.objects.get(pk=proposal.pk),
        attachment=attachment,
        team_invitation=team_invitation,
    )


def _export_job(user):
    job = ExportJob.objects.create(requested_by=user, kind=ExportJob.Kind.PARTNERS, format=ExportJob.Format.CSV)
    job.file.save("partners.csv", ContentFile(b"name\r\nOrganisation A\r\n"), save=False)
    job.status = ExportJob.Status.DONE
    job.finished_at = timezone.now()
    job.save()
    return job


def _security_objects(users, stranger):
    """Each person's other sign-in and API token, and a stranger's, their passkey and two closure requests."""
    from django_otp_webauthn.models import WebAuthnCredential
    from rest_framework.authtoken.models import Token

    from portal.security.models import ApiTokenRecord, ClosureRequest, SignedInSession

    def sign_in(user):
        return SignedInSession.objects.create(session_key=f"elsewhere-{user.pk}", user=user, user_agent="Firefox/133")

    def token(user):
        return ApiTokenRecord.objects.create(token=Token.objects.create(user=user), user=user)

    people = {role: user for role, user in users.items() if user is not None}
    return SimpleNamespace(
        sessions={role: sign_in(user) for role, user in people.items()},
        tokens={role: token(user) for role, user in people.items()},
        stranger_session=sign_in(stranger),
        stranger_token=token(stranger),
        stranger_passkey=WebAuthnCredential.objects.create(
            user=stranger, name="Key", credential_id=b"matrix-key", public_key=b"key", confirmed=True
        ),
        closure_a=ClosureRequest.objects.create(user=UserFactory(full_name="Lea Leaving")),
        closure_b=ClosureRequest.objects.create(user=UserFactory(full_name="Leo Leaving")),
    )


def build_world():
    programme_admin = UserFactory(full_name="Ada Admin", is_programme_admin=True)
    second_admin = UserFactory(full_name="Bea Admin", is_programme_admin=True)
    a = _side("A", "ZA", programme_admin)
    b = _side("B", "BR", programme_admin)

    reviewer = ReviewerProfileFactory(user__full_name="Rita Reviewer").user
    conflicted = ReviewerProfileFactory(user__full_name="Carl Conflicted").user
    reviewer_b = ReviewerProfileFactory(user__full_name="Bruno Reviewer").user
    accepted = ReviewAssignment.Status.ACCEPTED
    assignment_a = ReviewAssignmentFactory(proposal=a.proposal, reviewer=reviewer, status=accepted)
    review_a = ReviewFactory(assignment=assignment_a, status=Review.Status.DRAFT, submitted_at=None)
    conflicted_assignment = ReviewAssignmentFactory(proposal=a.proposal, reviewer=conflicted, status=accepted)
    conflicted_review = ReviewFactory(assignment=conflicted_assignment)
    review_services.set_conflict(
        proposal=a.proposal, reviewer=conflicted, by=programme_admin, conflicted=True, reason="Co-author of the PI."
    )
    assignment_b = ReviewAssignmentFactory(proposal=b.proposal, reviewer=reviewer_b, status=accepted)
    review_b = ReviewFactory(assignment=assignment_b)

    draft_call = CallFactory(title="Call in preparation", status=Call.Status.DRAFT)
    users = {
        "anonymous": None,
        "partner_member": a.member,
        "partner_admin": a.admin,
        "reviewer": reviewer,
        "conflicted_reviewer": conflicted,
        "programme_admin": programme_admin,
    }
    return SimpleNamespace(
        a=a,
        b=b,
        users=users,
        reviewer=reviewer,
        conflicted=conflicted,
        reviewer_b=reviewer_b,
        assignment_a=assignment_a,
        review_a=review_a,
        conflicted_assignment=conflicted_assignment,
        conflicted_review=conflicted_review,
        assignment_b=assignment_b,
        review_b=review_b,
        draft_call=draft_call,
        admin_job=_export_job(programme_admin),
        second_admin_job=_export_job(second_admin),
        security=_security_objects(users, b.admin),
    )


def reset_link_kwargs(user):
    return {"uidb64": urlsafe_base64_encode(force_bytes(user.pk)), "token": default_token_generator.make_token(user)}
