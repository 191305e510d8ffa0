"""Input no text column can hold — a NUL byte above all — in headers, paths, query parameters, forms and JSON.

PostgreSQL refuses a NUL in text: a request that carried one into a query failed with a 500, and a failed
sign-in whose User-Agent held one was never counted by the lock-out. Headers are cleaned before anything reads
them (portal.middleware.CleanInputMiddleware); a path or query parameter holding one is refused with a 400;
forms and serializers refuse such a field with their own error.
"""

import json
from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest
from axes.models import AccessAttempt
from django.db import transaction
from django.test import Client
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator

from portal.accounts.models import User
from tests.factories import PASSWORD

from .test_permission_matrix import ROUTES, url_for
from .world import ROLES, build_world

TOKEN = "/api/v1/auth/token/"
LOGIN = reverse("accounts:login")
FORM = "application/x-www-form-urlencoded"
# Every header the portal, or a library it uses, may record or compare, with a NUL byte in its value.
HEADERS = {
    "HTTP_USER_AGENT": "brute\x00force",
    "HTTP_X_FORWARDED_FOR": "203.0.113.7\x00, 198.51.100.1",
    "HTTP_REFERER": "http://testserver/acc\x00ounts/login/",
    "HTTP_ACCEPT": "application/json, text/html, */*\x00",
    "HTTP_ACCEPT_LANGUAGE": "en\x00",
}


def _token(api_client, email, password, **headers):
    return api_client.post(TOKEN, {"email": email, "password": password}, format="json", **headers)


@pytest.mark.parametrize("user_agent", ["brute\x00force", "bruteforce"], ids=["NUL in User-Agent", "plain"])
def test_a_nul_byte_in_the_user_agent_does_not_dodge_the_api_lock_out(api_client, partner_member, settings, user_agent):
    for attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        wrong = _token(api_client, partner_member.email, f"guess-{attempt}", HTTP_USER_AGENT=user_agent)
        assert wrong.status_code == 400, attempt
    last = _token(api_client, partner_member.email, "guess-last", HTTP_USER_AGENT=user_agent)
    assert last.status_code == 403, "the failure that reaches the limit locks the account"

    right = _token(api_client, partner_member.email, PASSWORD, HTTP_USER_AGENT=user_agent)

    assert right.status_code == 403, "the account is locked, right password or not"
    assert "token" not in right.json()
    attempt = AccessAttempt.objects.get(username=partner_member.email)
    assert attempt.failures_since_start >= settings.AXES_FAILURE_LIMIT
    assert attempt.user_agent == user_agent.replace("\x00", "?")


@pytest.mark.parametrize("user_agent", ["brute\x00force", "bruteforce"], ids=["NUL in User-Agent", "plain"])
def test_a_nul_byte_in_the_user_agent_does_not_dodge_the_sign_in_page_lock_out(
    client, partner_member, settings, user_agent
):
    for attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        wrong = client.post(LOGIN, {"username": partner_member.email, "password": "guess"}, HTTP_USER_AGENT=user_agent)
        assert wrong.status_code == 200, attempt
        assert "Please enter a correct email address and password." in wrong.content.decode()
    last = client.post(LOGIN, {"username": partner_member.email, "password": "guess"}, HTTP_USER_AGENT=user_agent)
    assert last.status_code == 429, "the failure that reaches the limit locks the account"

    right = client.post(LOGIN, {"username": partner_member.email, "password": PASSWORD}, HTTP_USER_AGENT=user_agent)

    assert right.status_code == 429
    assert "Too many failed sign-ins" in right.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("header", HEADERS)
def test_a_nul_byte_in_any_recorded_header_is_cleaned_on_sign_in(client, api_client, partner_member, header):
    poisoned = {header: HEADERS[header]}
    wrong = client.post(LOGIN, {"username": partner_member.email, "password": "guess"}, **poisoned)
    assert wrong.status_code == 200
    assert _token(api_client, partner_member.email, "guess", **poisoned).status_code == 400
    assert AccessAttempt.objects.get(username=partner_member.email).failures_since_start == 2

    signed_in = client.post(LOGIN, {"username": partner_member.email, "password": PASSWORD}, **poisoned)
    assert signed_in.status_code == 302
    assert _token(api_client, partner_member.email, PASSWORD, **poisoned).status_code == 200


def test_a_nul_byte_in_the_sign_in_fields_is_a_form_error(client, api_client, partner_member):
    for fields in (
        {"username": "a\x00b@example.org", "password": "guess"},
        {"username": partner_member.email, "password": "a\x00b"},
    ):
        page = client.post(LOGIN, fields)
        assert page.status_code == 200
        assert "Null characters are not allowed." in page.content.decode()
        api = api_client.post(TOKEN, {"email": fields["username"], "password": fields["password"]}, format="json")
        assert api.status_code == 400
        assert "Null characters are not allowed." in json.dumps(api.json())
    assert "_auth_user_id" not in client.session


def test_a_nul_byte_in_a_path_or_query_parameter_is_a_400(client, api_client, partner_member):
    api_client.force_authenticate(partner_member)
    api = api_client.get("/api/v1/calls/?q=moon%00base")
    assert api.status_code == 400
    assert api["Content-Type"] == "application/json" and "detail" in api.json()
    page = client.get("/partners/?q=moon%00base")
    assert page.status_code == 400
    assert page["Content-Type"].startswith("text/html")
    assert "Request not understood" in page.content.decode()
    assert client.get("/partners/verify/abc%00def/").status_code == 400


def test_a_nul_byte_sent_unencoded_in_the_query_string_is_a_400_too(client, db):
    assert client.get("/partners/", QUERY_STRING="q=moon\x00base").status_code == 400
    assert client.get("/partners/", QUERY_STRING="q=moon base").status_code == 200


def test_half_a_surrogate_pair_in_a_header_is_cleaned_like_a_nul_byte(client, partner_member):
    client.post(LOGIN, {"username": partner_member.email, "password": "guess"}, HTTP_USER_AGENT="brute\ud800force")

    assert AccessAttempt.objects.get(username=partner_member.email).user_agent == "brute?force"


# The sweeps: every API list filter, every JSON field and every page form, as every role ------------------------


class PostForms(HTMLParser):
    """Each <form method="post"> of a page: its action and the names of its fields."""

    def __init__(self):
        super().__init__()
        self.forms, self._open = [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self._open = {"action": attrs.get("action") or "", "fields": set()}
            self.forms.append(self._open)
        elif (
            tag in ("input", "textarea", "select")
            and self._open is not None
            and attrs.get("name")
            and attrs.get("type") not in ("hidden", "submit", "checkbox", "radio", "file")
        ):
            self._open["fields"].add(attrs["name"])

    def handle_endtag(self, tag):
        if tag == "form":
            self._open = None


def _openapi():
    return SchemaGenerator().get_schema(request=None, public=True)


def _resolve(schema, node):
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def _poisoned_body(schema, operation):
    """A JSON body for `operation` with every text field (and every list of texts) holding a NUL byte."""
    content = operation.get("requestBody", {}).get("content", {})
    if "application/json" not in content:
        return None
    body = {}
    for name, prop in _resolve(schema, content["application/json"]["schema"]).get("properties", {}).items():
        prop = _resolve(schema, prop)
        if prop.get("readOnly"):
            continue
        if prop.get("type") == "string" or "enum" in prop:
            body[name] = "moon\x00base"
        elif prop.get("type") == "array":
            body[name] = ["moon\x00base"]
        elif prop.get("type") == "object":
            body[name] = {"moon\x00base": "moon\x00base"}
    return body


def _send(client, method, url, **kwargs):
    """One request, rolled back afterwards; an exception is reported as the 500 it would be."""
    with transaction.atomic():
        try:
            response = client.generic(method, url, **kwargs)
            if response.streaming:
                b"".join(response.streaming_content)
        except Exception as error:  # noqa: BLE001 - whatever a view raises is the finding
            return 500, f"{type(error).__name__}: {error}"
        finally:
            transaction.set_rollback(True)
    return response.status_code, response


def _shown(response):
    return repr(getattr(response, "content", response))[:300]


def _api_routes():
    return [route for route in ROUTES if route.key.startswith("api:")]


@pytest.fixture
def world(db):
    return build_world()


@pytest.mark.parametrize("role", ROLES)
def test_every_api_filter_and_json_field_with_a_nul_byte_is_a_400_never_a_500(world, role):
    schema = _openapi()
    client = Client()
    if world.users[role] is not None:
        client.force_login(world.users[role])
    problems, refused = [], 0
    for route in _api_routes():
        url = url_for(world, route, role, "own" if route.kwargs else "-")
        if url is None:
            continue
        operations = next((ops for template, ops in schema["paths"].items() if _same_path(template, url)), {})
        for method in route.methods:
            operation = operations.get(method.lower(), {})
            if method == "GET":
                names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"] or ["q"]
                for name in names:
                    code, response = _send(client, "GET", f"{url}?{name}=moon%00base")
                    if code != 400 or response["Content-Type"] != "application/json":
                        problems.append(f"GET {url}?{name}=…NUL…: {code} {_shown(response)}")
                    refused += 1
            elif method in ("POST", "PUT", "PATCH"):
                body = _poisoned_body(schema, operation)
                if not body:
                    continue
                code, response = _send(client, method, url, data=json.dumps(body), content_type="application/json")
                if code >= 500 or (code == 400 and response["Content-Type"] != "application/json"):
                    problems.append(f"{method} {url} {sorted(body)}: {code} {_shown(response)}")
                if 200 <= code < 300:
                    problems.append(f"{method} {url} {sorted(body)}: accepted ({code}) text holding a NUL byte")
    assert refused > 20, "the sweep reached the API's filters"
    assert not problems, f"{role}:\n" + "\n".join(problems)


def _same_path(template, url):
    parts, wanted = template.strip("/").split("/"), url.split("?")[0].strip("/").split("/")
    return len(parts) == len(wanted) and all(p.startswith("{") or p == w for p, w in zip(parts, wanted, strict=True))


@pytest.mark.parametrize("role", ROLES)
def test_every_page_form_with_a_nul_byte_in_each_field_answers_with_an_error_never_a_500(world, role):
    client = Client()
    if world.users[role] is not None:
        client.force_login(world.users[role])
    problems, sent = [], 0
    names_before = set(User.objects.values_list("full_name", flat=True))
    for route in ROUTES:
        if route.key.startswith(("api:", "admin:")) or "GET" not in route.methods or "POST" not in route.methods:
            continue
        url = url_for(world, route, role, "own" if route.kwargs else "-")
        if url is None:
            continue
        page = client.get(url)
        if page.status_code != 200 or not page["Content-Type"].startswith("text/html"):
            continue
        parser = PostForms()
        parser.feed(page.content.decode())
        for form in parser.forms:
            if not form["fields"]:
                continue
            action = form["action"] or url
            data = dict.fromkeys(form["fields"], "moon\x00base")
            code, response = _send(client, "POST", action, data=urlencode(data), content_type=FORM)
            sent += 1
            # PostgreSQL cannot store a NUL: a field let through to the database would be this 500.
            if code >= 500:
                problems.append(f"POST {action} {sorted(data)}: {code} {response!r:.300}")
    assert set(User.objects.values_list("full_name", flat=True)) == names_before
    if role != "anonymous":
        assert sent > 0
    assert not problems, f"{role}:\n" + "\n".join(problems)
