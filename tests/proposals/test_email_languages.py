"""Every email goes out in its recipient's language, with times in the recipient's own zone, named."""

from datetime import UTC, datetime

from django.core import mail
from django.utils import timezone

from portal.notifications.models import Notification, OutboundEmail
from proposals import services
from proposals.models import Call
from proposals.review import services as review_services
from tests.factories import MembershipFactory, TeamMemberFactory
from tests.helpers import last_email_to

from .review_support import new_reviewer

SUBMITTED_AT = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)


def test_a_submission_receipt_reaches_each_team_member_in_their_own_language_and_zone(
    proposal, pi, call, monkeypatch, django_capture_on_commit_callbacks
):
    proposal.title_native = "月尘分析仪"
    proposal.save()
    russian = MembershipFactory(
        organisation=proposal.organisation,
        user__email="olga@south-lunar.example.org",
        user__language="ru",
        user__time_zone="Europe/Moscow",
    ).user
    TeamMemberFactory(proposal=proposal, user=russian)
    Call.objects.filter(pk=call.pk).update(deadline=datetime(2030, 3, 31, 15, 59, tzinfo=UTC))
    monkeypatch.setattr(timezone, "now", lambda: SUBMITTED_AT)

    with django_capture_on_commit_callbacks(execute=True):
        services.submit_proposal(proposal=proposal, by=pi)

    receipts = {email.to: email for email in OutboundEmail.objects.filter(template="proposal_submitted")}
    assert (receipts[pi.email].recipient, receipts[pi.email].language) == (pi, "en")
    assert (receipts[russian.email].recipient, receipts[russian.email].language) == (russian, "ru")

    english = last_email_to(pi.email)
    assert english.subject == f"Receipt: {proposal.reference} submitted (version 1)"
    assert '"Regolith dust analyser · 月尘分析仪" has been submitted' in english.body
    assert "Submitted at: 25 November 2026, 14:00 UTC" in english.body
    assert "Deadline: 31 March 2030, 15:59 UTC" in english.body

    # The notice in the portal too: each in its reader's language, whoever submitted.
    assert Notification.objects.get(user=pi).message == "Regolith dust analyser was submitted (version 1)."
    assert Notification.objects.get(user=russian).message == "Заявка «Regolith dust analyser» подана (версия 1)."

    in_russian = last_email_to(russian.email)
    assert in_russian.subject == f"Подтверждение: {proposal.reference} подана (версия 1)"
    assert "Заявка «Regolith dust analyser · 月尘分析仪» подана" in in_russian.body
    assert "Время подачи: 25 ноября 2026 г. 17:00 MSK (Europe/Moscow)" in in_russian.body
    assert "Срок: 31 марта 2030 г. 18:59 MSK (Europe/Moscow)" in in_russian.body
    html = in_russian.alternatives[0].content
    assert '<html lang="ru">' in html and "25 ноября 2026 г. 17:00 MSK (Europe/Moscow)" in html


def test_a_review_assignment_reaches_a_chinese_reviewer_in_chinese(
    review_call, proposal, programme_admin, django_capture_on_commit_callbacks
):
    reviewer = new_reviewer("Wang Fang")
    reviewer.language, reviewer.time_zone = "zh-hans", "Asia/Shanghai"
    reviewer.save()

    with django_capture_on_commit_callbacks(execute=True):
        review_services.add_assignment(proposal=proposal, reviewer=reviewer, by=programme_admin)

    email = OutboundEmail.objects.get(template="review_assigned")
    assert (email.recipient, email.language) == (reviewer, "zh-hans")
    assert mail.outbox[-1].subject == f"评审分配：{review_call.title}"


def test_a_review_reminder_names_the_deadline_in_the_reviewers_language_and_zone(
    review_call, proposal, programme_admin, django_capture_on_commit_callbacks
):
    Call.objects.filter(pk=review_call.pk).update(review_deadline=datetime(2026, 12, 1, 16, 0, tzinfo=UTC))
    reviewer = new_reviewer("Wang Fang")
    reviewer.language, reviewer.time_zone = "zh-hans", "Asia/Shanghai"
    reviewer.save()
    review_services.add_assignment(proposal=proposal, reviewer=reviewer, by=programme_admin)

    with django_capture_on_commit_callbacks(execute=True):
        assert review_services.send_review_reminders(now=datetime(2026, 11, 30, 17, 0, tzinfo=UTC)) == 1

    assert "2026年12月2日 00:00 CST (Asia/Shanghai)" in last_email_to(reviewer.email).body
