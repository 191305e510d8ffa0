"""People and roles: invitations by signed single-use links, removing members, handing over the partner admin role."""

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from partners import services, tokens
from partners.models import Invitation, Membership
from portal.audit.models import AuditEvent
from portal.errors import DomainError, NotAllowed, TransitionNotAllowed
from portal.notifications.models import Notification
from tests.factories import PASSWORD, InvitationFactory, MembershipFactory, UserFactory
from tests.helpers import sign_in

from .support import audit_trail, emailed_link, emails_to, last_event, page_text

User = get_user_model()
MY_ORGANISATION = reverse("partners:my_organisation")
COLLEAGUE = "colleague@south-lunar.example.org"
NEW_ACCOUNT = {"full_name": "Cole League", "password1": "Moonwalk-2026-x", "password2": "Moonwalk-2026-x"}


def invite(organisation, by, committed, email=COLLEAGUE):
    """Invite someone and return the path of the link emailed to them."""
    with committed():
        services.invite_member(organisation=organisation, email=email, by=by)
    return emailed_link(emails_to(email.lower())[-1], "/invitations/accept/")


def invite_url(organisation):
    return reverse("partners:invite", args=[organisation.pk])


# Inviting ------------------------------------------------------------------------------------


def test_an_invitation_emails_a_link_valid_for_seven_days(organisation, partner_admin, committed):
    before = timezone.now()
    with committed():
        invitation = services.invite_member(
            organisation=organisation, email="  Colleague@South-Lunar.example.org ", by=partner_admin
        )

    assert invitation.email == COLLEAGUE
    assert invitation.status == Invitation.Status.PENDING
    assert before + timezone.timedelta(days=7) <= invitation.expires_at <= timezone.now() + timezone.timedelta(days=7)
    [email] = mail.outbox
    assert email.to == [COLLEAGUE]
    assert email.subject == "Join South Lunar Institute in the ILRS Partner Portal"
    assert "Lerato Lead invites you to join South Lunar Institute" in email.body
    assert "valid for seven days, usable once" in email.body
    assert emailed_link(email, "/invitations/accept/")
    event = last_event("invitation.sent")
    assert (event.actor, event.organisation, event.to_state, event.data) == (
        partner_admin,
        organisation,
        "pending",
        {"email": COLLEAGUE},
    )


def test_a_partner_admin_invites_from_the_organisation_page(client, organisation, partner_admin, committed):
    client.force_login(partner_admin)

    with committed():
        response = client.post(invite_url(organisation), {"email": COLLEAGUE}, follow=True)

    content = page_text(response)
    assert f"Invitation sent to {COLLEAGUE}" in content
    assert response.redirect_chain[-1][0] == MY_ORGANISATION
    assert COLLEAGUE in content.split("Pending invitations")[1]
    assert emails_to(COLLEAGUE)


def test_an_invitation_to_a_malformed_address_shows_the_error_and_what_was_typed(client, organisation, partner_admin):
    client.force_login(partner_admin)

    response = client.post(invite_url(organisation), {"email": "colleague-at-nowhere"})

    assert response.status_code == 200
    assert "Enter a valid email address." in page_text(response)
    assert 'value="colleague-at-nowhere"' in page_text(response)
    assert not Invitation.objects.exists()


def test_a_member_cannot_be_invited_again(client, organisation, partner_admin, partner_member, committed):
    client.force_login(partner_admin)
    with committed():
        response = client.post(invite_url(organisation), {"email": partner_member.email.upper()})
    assert "is already a member" in page_text(response)
    assert not Invitation.objects.exists() and mail.outbox == []


def test_a_person_belongs_to_one_organisation_only(client, organisation, partner_admin, other_partner_admin, committed):
    client.force_login(partner_admin)
    with committed():
        response = client.post(invite_url(organisation), {"email": other_partner_admin.email})
    assert "belongs to another organisation; a person belongs to one organisation only" in page_text(response)
    assert not Invitation.objects.exists() and mail.outbox == []


def test_inviting_again_withdraws_the_earlier_link(client, organisation, partner_admin, committed):
    first = invite(organisation, partner_admin, committed)
    second = invite(organisation, partner_admin, committed)

    old = client.get(first)
    assert "This invitation can no longer be used" in page_text(old) and "is Revoked" in page_text(old)
    assert "Create my account and join" in page_text(client.get(second))
    earlier, later = Invitation.objects.order_by("pk")
    assert (earlier.status, later.status) == (Invitation.Status.REVOKED, Invitation.Status.PENDING)
    assert audit_trail(earlier) == [("invitation.sent", "", "pending"), ("invitation.revoked", "pending", "revoked")]


@pytest.mark.parametrize("who", ["partner_member", "other_partner_admin", "reviewer"])
def test_only_the_partner_admin_invites(who, request, client, organisation, partner_admin, committed):
    person = request.getfixturevalue(who)
    client.force_login(person)

    with committed():
        response = client.post(invite_url(organisation), {"email": COLLEAGUE})
        with pytest.raises(NotAllowed):
            services.invite_member(organisation=organisation, email=COLLEAGUE, by=person)

    assert response.status_code == 404
    assert not Invitation.objects.exists() and mail.outbox == []


# Accepting -----------------------------------------------------------------------------------


def test_a_new_colleague_accepts_creates_an_account_and_signs_in(client, organisation, partner_admin, committed):
    link = invite(organisation, partner_admin, committed)

    page = client.get(link)
    assert "Join South Lunar Institute in the ILRS Partner Portal" in page_text(page)
    assert f"Lerato Lead invited {COLLEAGUE}" in page_text(page)
    response = client.post(link, NEW_ACCOUNT)

    assert response.status_code == 302
    assert response.url == MY_ORGANISATION
    assert "Cole League" in page_text(client.get(MY_ORGANISATION)), "signed in as the new account"
    membership = Membership.objects.select_related("user").get(user__email=COLLEAGUE)
    assert (membership.organisation, membership.role, membership.user.full_name) == (
        organisation,
        Membership.Role.MEMBER,
        "Cole League",
    )
    invitation = Invitation.objects.get()
    assert invitation.status == Invitation.Status.ACCEPTED and invitation.accepted_by == membership.user
    assert audit_trail(invitation)[-1] == ("invitation.accepted", "pending", "accepted")
    assert last_event("membership.created").organisation == organisation
    assert Notification.objects.filter(user=partner_admin, message="Cole League accepted your invitation and joined.")

    assert sign_in(client, COLLEAGUE, "Moonwalk-2026-x")
    assert client.get(MY_ORGANISATION).context["organisation"] == organisation


def test_an_invitation_link_works_once(client, organisation, partner_admin, committed):
    link = invite(organisation, partner_admin, committed)
    client.post(link, NEW_ACCOUNT)

    again = client.post(link, {**NEW_ACCOUNT, "full_name": "Someone Else"})

    assert "This invitation can no longer be used" in page_text(again) and "is Accepted" in page_text(again)
    assert User.objects.filter(email=COLLEAGUE).count() == 1
    assert Membership.objects.filter(organisation=organisation).count() == 2
    with pytest.raises(TransitionNotAllowed, match="already been used"):
        services.accept_invitation(invitation=Invitation.objects.get(), full_name="X", password="Moonwalk-2026-x")


def test_the_acceptance_form_with_an_error_keeps_the_name_and_creates_nothing(
    client, organisation, partner_admin, committed
):
    link = invite(organisation, partner_admin, committed)

    response = client.post(link, {**NEW_ACCOUNT, "password2": "Something-else-1"})

    assert "The two passwords differ." in page_text(response)
    assert 'value="Cole League"' in page_text(response)
    assert not User.objects.filter(email=COLLEAGUE).exists()
    assert Invitation.objects.get().status == Invitation.Status.PENDING


def test_a_signed_in_person_the_invitation_was_sent_to_joins_with_one_click(
    client, organisation, partner_admin, committed
):
    colleague = UserFactory(email=COLLEAGUE, is_reviewer=True)
    link = invite(organisation, partner_admin, committed)
    client.force_login(colleague)

    assert "Create my account" not in page_text(client.get(link))
    response = client.post(link, follow=True)

    assert response.redirect_chain[-1][0] == MY_ORGANISATION
    assert "Welcome to South Lunar Institute." in page_text(response)
    colleague.refresh_from_db()
    assert colleague.membership.organisation == organisation


def test_an_invitation_cannot_be_accepted_by_someone_signed_in_with_another_address(
    client, organisation, partner_admin, reviewer, committed
):
    link = invite(organisation, partner_admin, committed)
    client.force_login(reviewer)

    response = client.post(link)

    assert f"This invitation was sent to {COLLEAGUE}; sign in with that address" in page_text(response)
    assert reviewer.partner_membership is None
    assert Invitation.objects.get().status == Invitation.Status.PENDING


def test_a_person_with_an_account_must_sign_in_to_accept(client, organisation, partner_admin, committed):
    UserFactory(email=COLLEAGUE, full_name="Existing Colleague")
    link = invite(organisation, partner_admin, committed)

    response = client.post(link, NEW_ACCOUNT)

    assert "An account with this email address exists; sign in to accept the invitation." in page_text(response)
    assert not Membership.objects.filter(user__email=COLLEAGUE).exists()
    assert User.objects.get(email=COLLEAGUE).full_name == "Existing Colleague"


def test_someone_who_joined_another_organisation_meanwhile_cannot_accept(
    client, organisation, partner_admin, other_organisation, committed
):
    link = invite(organisation, partner_admin, committed)
    colleague = MembershipFactory(organisation=other_organisation, user__email=COLLEAGUE).user
    client.force_login(colleague)

    response = client.post(link)

    assert "You already belong to an organisation" in page_text(response)
    colleague.membership.refresh_from_db()
    assert colleague.membership.organisation == other_organisation


def test_a_tampered_invitation_link_shows_the_link_invalid_page(client, organisation, partner_admin, committed):
    link = invite(organisation, partner_admin, committed)
    response = client.post(link.replace("/accept/", "/accept/z"), NEW_ACCOUNT)
    assert response.status_code == 400 and "This link is not valid" in page_text(response)
    assert not User.objects.filter(email=COLLEAGUE).exists()


def test_an_invitation_works_until_its_seventh_day(client, organisation, partner_admin, committed, clock):
    link = invite(organisation, partner_admin, committed)
    clock(days=6, hours=23)
    assert client.post(link, NEW_ACCOUNT).status_code == 302
    assert Membership.objects.filter(user__email=COLLEAGUE).exists()


def test_an_invitation_expires_after_seven_days(client, organisation, partner_admin, committed, clock):
    link = invite(organisation, partner_admin, committed)
    invitation = Invitation.objects.get()

    clock(days=7, minutes=1)
    response = client.post(link, NEW_ACCOUNT)

    assert response.status_code == 400 and "This link is not valid" in page_text(response)
    assert not User.objects.filter(email=COLLEAGUE).exists()
    assert invitation.status == Invitation.Status.EXPIRED
    with pytest.raises(TransitionNotAllowed, match="expired"):
        services.accept_invitation(invitation=invitation, full_name="Late", password="Moonwalk-2026-x")
    client.force_login(partner_admin)
    assert COLLEAGUE not in page_text(client.get(MY_ORGANISATION)), "an expired invitation is no longer pending"


def test_an_invitation_past_its_expiry_shows_as_expired(client, organisation, partner_admin):
    invitation = InvitationFactory(
        organisation=organisation,
        invited_by=partner_admin,
        created_at=timezone.now() - timezone.timedelta(days=8),
        expires_at=timezone.now() - timezone.timedelta(days=1),
    )
    link = reverse("partners:invitation_accept", args=[tokens.invitation_token(invitation)])

    response = client.post(link, NEW_ACCOUNT)

    assert "This invitation can no longer be used" in page_text(response) and "is Expired" in page_text(response)
    assert not Membership.objects.filter(user__email=invitation.email).exists()


# Withdrawing ---------------------------------------------------------------------------------


def test_a_partner_admin_withdraws_an_invitation_and_its_link_stops_working(
    client, organisation, partner_admin, committed
):
    link = invite(organisation, partner_admin, committed)
    invitation = Invitation.objects.get()
    client.force_login(partner_admin)

    response = client.post(reverse("partners:revoke_invitation", args=[invitation.pk]), follow=True)

    assert f"Invitation to {COLLEAGUE} withdrawn." in page_text(response)
    assert "No pending invitations." in page_text(response)
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.REVOKED
    event = last_event("invitation.revoked")
    assert (event.actor, event.from_state, event.to_state) == (partner_admin, "pending", "revoked")
    client.logout()
    assert "is Revoked" in page_text(client.post(link, NEW_ACCOUNT))
    assert not User.objects.filter(email=COLLEAGUE).exists()


def test_an_invitation_cannot_be_withdrawn_twice_or_after_acceptance(organisation, partner_admin):
    withdrawn = InvitationFactory(organisation=organisation, invited_by=partner_admin)
    services.revoke_invitation(invitation=withdrawn, by=partner_admin)
    accepted = InvitationFactory(organisation=organisation, invited_by=partner_admin, email=COLLEAGUE)
    services.accept_invitation(invitation=accepted, full_name="Cole", password="Moonwalk-2026-x")

    with pytest.raises(TransitionNotAllowed, match="already revoked"):
        services.revoke_invitation(invitation=withdrawn, by=partner_admin)
    with pytest.raises(TransitionNotAllowed, match="already accepted"):
        services.revoke_invitation(invitation=accepted, by=partner_admin)
    assert AuditEvent.objects.filter(action="invitation.revoked").count() == 1


@pytest.mark.parametrize("who", ["partner_member", "other_partner_admin"])
def test_only_the_partner_admin_withdraws_invitations(who, request, client, organisation, partner_admin):
    invitation = InvitationFactory(organisation=organisation, invited_by=partner_admin)
    client.force_login(request.getfixturevalue(who))

    response = client.post(reverse("partners:revoke_invitation", args=[invitation.pk]))

    assert response.status_code == 404
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.PENDING


# Removing members ----------------------------------------------------------------------------


def test_a_partner_admin_removes_a_member_whose_account_stays(client, organisation, partner_admin, partner_member):
    client.force_login(partner_admin)

    response = client.post(reverse("partners:remove_member", args=[partner_member.membership.pk]), follow=True)

    assert "Mpho Member was removed from the organisation." in page_text(response)
    assert "member@south-lunar.example.org" not in page_text(response)
    assert User.objects.filter(pk=partner_member.pk, is_active=True).exists()
    assert not Membership.objects.filter(user=partner_member).exists()
    assert Notification.objects.get(user=partner_member).message == "You were removed from South Lunar Institute."
    event = last_event("membership.removed")
    assert (event.actor, event.organisation, event.from_state, event.data) == (
        partner_admin,
        organisation,
        "member",
        {"email": partner_member.email},
    )


def test_the_partner_admin_cannot_be_removed_before_handing_over_the_role(client, partner_admin):
    client.force_login(partner_admin)
    response = client.post(reverse("partners:remove_member", args=[partner_admin.membership.pk]), follow=True)
    assert "Hand the partner admin role to another member before removing this person." in page_text(response)
    assert Membership.objects.filter(user=partner_admin).exists()


@pytest.mark.parametrize("who", ["partner_member", "other_partner_admin"])
def test_only_the_partner_admin_removes_members(who, request, client, organisation, partner_admin, partner_member):
    person = request.getfixturevalue(who)
    target = MembershipFactory(organisation=organisation)
    client.force_login(person)

    response = client.post(reverse("partners:remove_member", args=[target.pk]))

    assert response.status_code == 404
    assert Membership.objects.filter(pk=target.pk).exists()
    with pytest.raises(NotAllowed):
        services.remove_member(membership=target, by=person)


# Handing over the partner admin role ---------------------------------------------------------


def test_the_partner_admin_hands_the_role_to_a_member(client, organisation, partner_admin, partner_member):
    client.force_login(partner_admin)

    response = client.post(reverse("partners:transfer_admin", args=[partner_member.membership.pk]), follow=True)

    assert "Mpho Member is now the partner admin." in page_text(response)
    assert "Invite a colleague" not in page_text(response), "the former partner admin is now a member"
    assert Membership.objects.get(user=partner_member).role == Membership.Role.ADMIN
    assert Membership.objects.get(user=partner_admin).role == Membership.Role.MEMBER
    changes = AuditEvent.objects.filter(action="membership.role_changed").order_by("pk")
    assert [(e.object_id, e.from_state, e.to_state, e.actor) for e in changes] == [
        (str(partner_admin.membership.pk), "admin", "member", partner_admin),
        (str(partner_member.membership.pk), "member", "admin", partner_admin),
    ]
    assert Notification.objects.filter(user=partner_member, message__contains="now the partner admin").exists()

    client.force_login(User.objects.get(pk=partner_admin.pk))
    assert client.post(invite_url(organisation), {"email": COLLEAGUE}).status_code == 404


def test_the_role_cannot_go_to_someone_outside_the_organisation_or_to_the_current_admin(
    organisation, partner_admin, other_organisation
):
    outsider = MembershipFactory(organisation=other_organisation)
    with pytest.raises(DomainError, match="not a member of this organisation"):
        services.transfer_partner_admin(organisation=organisation, to_membership=outsider, by=partner_admin)
    with pytest.raises(TransitionNotAllowed, match="already the partner admin"):
        services.transfer_partner_admin(
            organisation=organisation, to_membership=partner_admin.membership, by=partner_admin
        )
    assert Membership.objects.get(pk=outsider.pk).role == Membership.Role.MEMBER


@pytest.mark.parametrize("who", ["partner_member", "other_partner_admin"])
def test_only_the_partner_admin_hands_over_the_role(who, request, client, organisation, partner_admin, partner_member):
    person = request.getfixturevalue(who)
    client.force_login(person)

    response = client.post(reverse("partners:transfer_admin", args=[partner_member.membership.pk]))

    assert response.status_code == 404
    assert Membership.objects.get(user=partner_member).role == Membership.Role.MEMBER
    assert Membership.objects.get(user=partner_admin).role == Membership.Role.ADMIN


def test_a_person_removed_from_one_organisation_can_be_invited_by_another(
    client, organisation, partner_admin, partner_member, other_organisation, other_partner_admin, committed
):
    services.remove_member(membership=partner_member.membership, by=partner_admin)
    link = invite(other_organisation, other_partner_admin, committed, email=partner_member.email)
    assert sign_in(client, partner_member.email, PASSWORD)

    client.post(link)

    partner_member.refresh_from_db()
    assert partner_member.membership.organisation == other_organisation
