"""A new account starts in the language its person was using: the applicant's, the invitee's as they accept, or
the one an administrator chose when inviting a reviewer."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from partners import services
from partners.models import Registration
from portal.notifications.models import Notification, OutboundEmail
from tests.factories import UserFactory

from .support import JOIN_FORM, emailed_link, emails_to

User = get_user_model()
NEW_ACCOUNT = {"full_name": "Lin Yue", "password1": "Moonwalk-2026-x", "password2": "Moonwalk-2026-x"}


def test_an_approved_applicant_keeps_the_language_they_applied_in(client, programme_admin, committed):
    with committed():
        client.post(reverse("partners:join"), JOIN_FORM, HTTP_ACCEPT_LANGUAGE="zh-hans")
    registration = Registration.objects.get()
    assert registration.language == "zh-hans"
    Registration.objects.filter(pk=registration.pk).update(status=Registration.Status.PENDING_REVIEW)

    with committed():
        services.approve_registration(registration=registration, by=programme_admin)

    contact = User.objects.get(email=JOIN_FORM["contact_email"])
    assert contact.language == "zh-hans"
    welcome = OutboundEmail.objects.get(template="registration_approved")
    assert (welcome.recipient, welcome.language) == (contact, "zh-hans")
    assert "国际月球科研站" in emails_to(contact.email)[-1].body


def test_an_invited_colleague_gets_the_language_they_accepted_in(client, organisation, partner_admin, committed):
    with committed():
        services.invite_member(organisation=organisation, email="lin@south-lunar.example.org", by=partner_admin)
    link = emailed_link(emails_to("lin@south-lunar.example.org")[-1], "/invitations/accept/")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"

    assert client.post(link, NEW_ACCOUNT).status_code == 302

    assert User.objects.get(email="lin@south-lunar.example.org").language == "ru"
    assert partner_admin.language == "en", "not the inviter's language"


def test_an_administrator_chooses_a_new_reviewers_language(client, programme_admin, committed):
    client.force_login(programme_admin)
    form = {
        "email": "wang@reviewers.example.org",
        "full_name": "Wang Fang",
        "expertise_areas": ["payloads"],
        "max_load_per_call": "4",
        "language": "zh-hans",
    }

    with committed():
        response = client.post(reverse("proposals:reviewer_list"), form)

    assert response.status_code == 302
    reviewer = User.objects.get(email="wang@reviewers.example.org")
    assert reviewer.language == "zh-hans"
    assert OutboundEmail.objects.get(recipient=reviewer).language == "zh-hans"
    assert mail.outbox[-1].subject == "诚邀您担任国际月球科研站项目的评审专家"


def test_a_reviewer_invited_through_the_api_without_a_language_gets_the_requests(api_as, programme_admin):
    response = api_as(programme_admin).post(
        "/api/v1/reviewers/",
        {"email": "olga@reviewers.example.org", "full_name": "Olga Orlova", "expertise_areas": ["payloads"]},
        format="json",
        HTTP_ACCEPT_LANGUAGE="ru",
    )

    assert response.status_code == 201, response.content
    assert User.objects.get(email="olga@reviewers.example.org").language == "ru"


def test_inviting_an_existing_person_as_reviewer_keeps_their_language(api_as, programme_admin):
    person = UserFactory(email="ivan@reviewers.example.org", language="ru")

    response = api_as(programme_admin).post(
        "/api/v1/reviewers/",
        {"email": person.email, "full_name": "Ivan", "expertise_areas": ["payloads"], "language": "zh-hans"},
        format="json",
    )

    assert response.status_code == 201
    person.refresh_from_db()
    assert person.language == "ru"


def test_notices_in_the_portal_are_written_in_each_readers_language(organisation, partner_admin, partner_member):
    partner_member.language = "zh-hans"
    partner_member.save()
    with translation.override("ru"):  # whoever acts, in whatever language, the reader gets their own
        services.remove_member(membership=partner_member.membership, by=partner_admin)

    with translation.override("zh-hans"):
        expected = gettext("You were removed from %(organisation)s.") % {"organisation": organisation.name}
    assert Notification.objects.get(user=partner_member).message == expected
    assert expected != f"You were removed from {organisation.name}."
