from django.core import mail
from django.urls import reverse

from tests.factories import PASSWORD
from tests.helpers import last_email_to, links_in, path_of, sign_in


def test_login_by_email_is_case_insensitive(client, partner_member):
    assert sign_in(client, partner_member.email.upper(), PASSWORD)


def test_repeated_failures_lock_the_account_out(client, partner_member, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("accounts:login"), {"username": partner_member.email, "password": "wrong"})
    response = client.post(reverse("accounts:login"), {"username": partner_member.email, "password": PASSWORD})
    assert response.status_code in (403, 429) or "locked" in response.content.decode().lower()
    assert "_auth_user_id" not in client.session


def test_token_api_gives_a_token_then_400_on_bad_credentials_and_refuses_when_locked(
    api_client, partner_member, settings
):
    response = api_client.post("/api/v1/auth/token/", {"email": partner_member.email, "password": PASSWORD})
    assert response.status_code == 200
    token = response.json()["token"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = api_client.get("/api/v1/me/").json()
    assert me["email"] == partner_member.email
    api_client.credentials()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert (
            api_client.post("/api/v1/auth/token/", {"email": partner_member.email, "password": "x"}).status_code == 400
        )
    api_client.post("/api/v1/auth/token/", {"email": partner_member.email, "password": "x"})
    locked = api_client.post("/api/v1/auth/token/", {"email": partner_member.email, "password": PASSWORD})
    assert locked.status_code in (403, 429) and b'"token"' not in locked.content


def test_anonymous_cannot_read_me(api_client, db):
    assert api_client.get("/api/v1/me/").status_code in (401, 403)


def test_password_reset_link_works_and_weak_passwords_are_refused(
    client, partner_member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:password_reset"), {"email": partner_member.email})
    [link] = [url for url in links_in(last_email_to(partner_member.email)) if "/set-password/" in url]
    response = client.get(path_of(link), follow=True)
    form_url = response.redirect_chain[-1][0]
    weak = client.post(form_url, {"new_password1": "123", "new_password2": "123"})
    assert weak.status_code == 200 and weak.context["form"].errors
    assert (
        client.post(form_url, {"new_password1": "Tycho-Crater-77", "new_password2": "Tycho-Crater-77"}).status_code
        == 302
    )
    assert sign_in(client, partner_member.email, "Tycho-Crater-77")


def test_password_reset_for_an_unknown_address_reveals_nothing(client, db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302 and mail.outbox == []
