"""A person's language: chosen with the switcher or in the profile, remembered on the account, and followed by
the pages and the API whatever the browser asks for; an anonymous choice lasts until signing in."""

import pytest
from django.conf import settings
from django.urls import reverse
from rest_framework.authtoken.models import Token

from tests.factories import PASSWORD, UserFactory
from tests.helpers import sign_in

CALLS = "/calls/"
HEADING = {"en": "Calls for proposals", "ru": "Конкурсы заявок", "zh-hans": "项目征集"}


def switch(client, language, next_url=CALLS):
    return client.post(reverse("set_language"), {"language": language, "next": next_url})


def heading_of(response):
    html = response.content.decode()
    shown = [language for language, heading in HEADING.items() if heading in html]
    assert len(shown) == 1, shown
    return shown[0]


def test_switching_language_while_signed_in_saves_it_on_the_account(client, partner_member):
    client.force_login(partner_member)

    response = switch(client, "ru")

    assert response.status_code == 302 and response.url == CALLS
    partner_member.refresh_from_db()
    assert partner_member.language == "ru"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ru"
    page = client.get(CALLS)
    assert heading_of(page) == "ru" and page["Content-Language"] == "ru"


def test_the_saved_language_wins_over_the_browser_and_the_cookie(client, partner_member):
    partner_member.language = "zh-hans"
    partner_member.save()
    client.force_login(partner_member)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"

    page = client.get(CALLS, HTTP_ACCEPT_LANGUAGE="en")

    assert heading_of(page) == "zh-hans"
    assert '<html lang="zh-hans">' in page.content.decode()
    assert page.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans", "the cookie is brought in line"


def test_an_anonymous_choice_lasts_until_signing_in_then_the_saved_language_applies(client, db):
    UserFactory(email="olga@moon.example.org", language="ru")
    switch(client, "zh-hans")
    assert heading_of(client.get(CALLS)) == "zh-hans"

    assert sign_in(client, "olga@moon.example.org", PASSWORD)

    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ru", "signing in sets the cookie"
    assert heading_of(client.get(CALLS)) == "ru"
    client.post(reverse("accounts:logout"))
    assert heading_of(client.get(CALLS)) == "ru", "the language stays after signing out"


def test_an_anonymous_choice_is_not_saved_anywhere_but_the_cookie(client, partner_member):
    switch(client, "ru")

    partner_member.refresh_from_db()
    assert partner_member.language == "en"
    assert heading_of(client.get(CALLS)) == "ru"


def test_the_language_chosen_in_the_profile_applies_at_once(client, partner_member):
    client.force_login(partner_member)

    response = client.post(
        reverse("accounts:profile"),
        {"full_name": "Mpho Member", "position": "", "language": "ru", "time_zone": "UTC"},
        follow=True,
    )

    assert '<html lang="ru">' in response.content.decode()
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ru"
    assert heading_of(client.get(CALLS, HTTP_ACCEPT_LANGUAGE="en")) == "ru"


@pytest.mark.parametrize("next_url", ["https://evil.example.org/", "//evil.example.org/calls/"])
def test_the_switcher_never_redirects_to_another_site(client, partner_member, next_url):
    client.force_login(partner_member)

    response = switch(client, "ru", next_url)

    assert response.status_code == 302 and response.url == "/"
    partner_member.refresh_from_db()
    assert partner_member.language == "ru"


def test_an_unknown_language_changes_nothing(client, partner_member):
    client.force_login(partner_member)

    response = switch(client, "tlh")

    assert response.status_code == 302
    partner_member.refresh_from_db()
    assert partner_member.language == "en"
    assert heading_of(client.get(CALLS)) == "en"


def test_the_switcher_is_a_plain_form_that_works_without_script(client, db):
    html = client.get(CALLS).content.decode()

    assert f'<form action="{reverse("set_language")}" method="post">' in html
    assert 'name="next" type="hidden" value="/calls/"' in html
    assert '<option value="ru">Русский</option>' in html


# The API -----------------------------------------------------------------------------------------


def test_the_api_answers_a_token_user_in_their_saved_language(api_client, partner_member):
    partner_member.language = "ru"
    partner_member.save()
    token = Token.objects.create(user=partner_member)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    response = api_client.post("/api/v1/proposals/", {}, format="json", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert response.json()["call"] == ["Обязательное поле."], "DRF's own messages are translated"
    assert response["Content-Language"] == "ru"
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies, "a token user is given no cookie"


def test_the_api_follows_accept_language_before_anyone_is_known(api_client, db):
    response = api_client.get("/api/v1/me/", HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert response.status_code == 401
    assert response.json()["detail"] == "身份认证信息未提供。"


def test_the_api_answers_a_signed_in_session_in_the_saved_language(client, partner_member):
    partner_member.language = "zh-hans"
    partner_member.save()
    client.force_login(partner_member)

    response = client.post("/api/v1/proposals/", {}, content_type="application/json", HTTP_ACCEPT_LANGUAGE="ru")

    assert response.status_code == 400
    assert response.json()["call"] == ["该字段是必填项。"]


def test_an_account_made_in_the_django_admin_starts_in_the_administrators_language(client, db):
    staff = UserFactory(email="root@programme.example.org", is_staff=True, is_superuser=True, language="ru")
    client.force_login(staff)

    form = client.get(reverse("admin:accounts_user_add")).context["adminform"].form

    assert form["language"].value() == "ru"
