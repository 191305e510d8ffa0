"""A call's title, summary, description and criteria, and its mission's and platforms' names, in the reader's
language: Chinese or Russian where the administrator gave them, English otherwise, marked lang="en"."""

import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from portal.dashboard import figures
from portal.dashboard.selectors import Scope
from portal.notifications.models import OutboundEmail
from portal.notifications.services import queue_email
from tests.factories import CallFactory, MissionFactory, PlatformFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english_afterwards():
    """A request in Chinese or Russian leaves its language active in the thread; the next test starts in English."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def call():
    mission = MissionFactory(name="Chang'e-8", name_zh_hans="嫦娥八号", name_ru="Чанъэ-8")
    call = CallFactory(
        mission=mission,
        title="Chang'e-8 payloads",
        title_zh_hans="嫦娥八号有效载荷",
        summary="Room for payloads on the lander.",
        summary_ru="Место для полезных нагрузок на посадочном модуле.",
        description="International payloads on the lander.",
        description_zh_hans="着陆器上的国际有效载荷。",
        criteria=[
            {"key": "science", "name": "Scientific value", "name_zh_hans": "科学价值", "weight": 60},
            {"key": "feasibility", "name": "Feasibility", "name_ru": "Осуществимость", "weight": 40},
        ],
    )
    PlatformFactory(call=call, name="Lander", name_zh_hans="着陆器")
    return call


def page(client, url, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client.get(url).content.decode()


def test_a_chinese_reader_sees_the_call_in_chinese_and_the_missing_summary_marked_english(client, call):
    body = page(client, reverse("proposals:call_detail", args=[call.pk]), "zh-hans")

    assert "<h1>嫦娥八号有效载荷</h1>" in body
    assert '<p class="lead" lang="en">Room for payloads on the lander.</p>' in body
    assert "<p>着陆器上的国际有效载荷。</p>" in body
    assert "<span>嫦娥八号</span>" in body
    assert "<span>科学价值</span> 60%" in body
    assert '<span lang="en">Feasibility</span> 40%' in body
    assert "<span>着陆器</span>" in body
    assert "Chang&#x27;e-8 payloads" not in body


def test_a_russian_reader_sees_english_marked_where_nothing_is_given_in_russian(client, call):
    body = page(client, reverse("proposals:call_detail", args=[call.pk]), "ru")

    assert '<h1 lang="en">Chang&#x27;e-8 payloads</h1>' in body
    assert '<p class="lead">Место для полезных нагрузок на посадочном модуле.</p>' in body
    assert '<p lang="en">International payloads on the lander.</p>' in body
    assert "<span>Осуществимость</span> 40%" in body
    assert '<span lang="en">Lander</span>' in body


def test_an_english_reader_sees_english_unmarked(client, call):
    body = page(client, reverse("proposals:call_list"), "en")

    assert "Chang&#x27;e-8 payloads</a>" in body
    assert not re.search(r'lang="en">', body.split("<body", 1)[1])


def test_the_call_list_is_in_the_readers_language(client, call):
    body = page(client, reverse("proposals:call_list"), "zh-hans")

    assert ">嫦娥八号有效载荷</a>" in body
    assert '<p lang="en">Room for payloads on the lander.</p>' in body


def test_the_api_gives_each_language_in_a_field_of_its_own(api_client, call):
    data = api_client.get(f"/api/v1/calls/{call.pk}/", HTTP_ACCEPT_LANGUAGE="ru").json()

    assert (data["title"], data["title_zh_hans"], data["title_ru"]) == ("Chang'e-8 payloads", "嫦娥八号有效载荷", "")
    assert data["mission"]["name_ru"] == "Чанъэ-8"
    assert "着陆器" in [platform["name_zh_hans"] for platform in data["platforms"]]
    assert data["criteria"][1]["name_ru"] == "Осуществимость"


def test_an_email_names_the_call_in_the_recipients_language(call):
    reviewer = UserFactory(language="zh-hans", is_reviewer=True)

    queue_email(to=reviewer.email, template="review_assigned", context={"call": call}, recipient=reviewer)

    email = OutboundEmail.objects.get()
    assert "嫦娥八号有效载荷" in email.subject and "嫦娥八号有效载荷" in email.body_text


def test_the_dashboard_names_calls_and_missions_in_the_readers_language(call):
    with translation.override("zh-hans"):
        section = figures.proposal_section(Scope())
    assert section.figure("proposals_by_call").rows[0][:2] == ["嫦娥八号有效载荷", "嫦娥八号"]


def test_a_reviewer_grades_criteria_named_in_their_language(call):
    from proposals.forms import ReviewForm

    with translation.override("zh-hans"):
        labels = [
            field.label for name, field in ReviewForm(call=call, technical=False).fields.items() if "score" in name
        ]
    assert labels == ["科学价值 (60%)", "Feasibility (40%)"]


def test_a_team_and_a_reviewer_see_the_call_title_in_their_language_on_their_lists(client, call):
    from partners.models import Membership
    from proposals.models import ReviewAssignment
    from tests.factories import MembershipFactory, ProposalFactory, ReviewAssignmentFactory

    member = MembershipFactory(role=Membership.Role.MEMBER, user__language="zh-hans").user
    proposal = ProposalFactory(
        call=call, organisation=member.partner_membership.organisation, principal_investigator=member
    )
    client.force_login(member)
    assert "嫦娥八号有效载荷" in page(client, reverse("proposals:proposal_list"), "zh-hans")
    assert "嫦娥八号有效载荷" in page(client, reverse("proposals:proposal_edit", args=[proposal.pk]), "zh-hans")

    reviewer = UserFactory(is_reviewer=True, language="zh-hans")
    ReviewAssignmentFactory(proposal=proposal, reviewer=reviewer, status=ReviewAssignment.Status.PENDING)
    client.force_login(reviewer)
    assert "嫦娥八号有效载荷" in page(client, reverse("proposals:review_list"), "zh-hans")
