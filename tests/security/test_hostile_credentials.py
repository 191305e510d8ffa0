"""A NUL byte in an API token or a session cookie names no token and no session: 401 on the API, a fresh anonymous
session on the pages; never a 500 from a database that cannot compare such text.

The fix sits in the request's first middleware and in the token authentication class, not in how sessions or
tokens are stored, so it holds whichever session engine and token lookup the portal uses.
"""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed

from portal.accounts.authentication import ExpiringTokenAuthentication

ME = "/api/v1/me/"


def test_a_nul_byte_in_a_token_is_a_401(api_client, db):
    response = api_client.get(ME, HTTP_AUTHORIZATION="Token abc\x00def")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response["Content-Type"] == "application/json" and "detail" in response.json()


def test_a_real_token_with_a_nul_byte_in_it_is_a_401_too(api_client, partner_member):
    key = Token.objects.create(user=partner_member).key
    assert api_client.get(ME, HTTP_AUTHORIZATION=f"Token {key}").status_code == 200

    for poisoned in (key[:20] + "\x00" + key[20:], key + "\x00", "\x00" + key):
        response = api_client.get(ME, HTTP_AUTHORIZATION=f"Token {poisoned}")
        assert response.status_code == 401, repr(poisoned)
        assert partner_member.email not in response.content.decode()


def test_the_token_class_refuses_a_key_with_a_nul_byte_without_asking_the_database(db, django_assert_num_queries):
    with django_assert_num_queries(0), pytest.raises(AuthenticationFailed):
        ExpiringTokenAuthentication().authenticate_credentials("abc\x00def")


@pytest.mark.parametrize("cookie_name", ["sessionid", "__Host-sessionid"])
@pytest.mark.parametrize(
    "cookie", ["{name}=abcdefgh\x00ijklmnop", '{name}="abcdefgh\\000ijklmnop"'], ids=["raw NUL", "quoted escape"]
)
def test_a_nul_byte_in_the_session_cookie_gives_a_fresh_anonymous_session(client, db, settings, cookie_name, cookie):
    settings.SESSION_COOKIE_NAME = cookie_name

    response = client.get("/", HTTP_COOKIE=cookie.format(name=cookie_name))

    assert response.status_code == 200
    assert not response.wsgi_request.user.is_authenticated
    assert response.wsgi_request.session.session_key is None, "no stored session was read"
    signed_in = client.post(
        "/accounts/login/",
        {"username": "nobody@example.org", "password": "x"},
        HTTP_COOKIE=cookie.format(name=cookie_name),
    )
    assert signed_in.status_code == 200, "the sign-in page works from that fresh session"
