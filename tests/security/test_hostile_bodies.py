"""Bodies the API cannot take answer with a 400 and a JSON `detail`, never a 500 or an HTML page: JSON nested a
thousand levels deep (Python's parser gives up with a RecursionError), JSON nested deeper than any request of the
API, and a body larger than DATA_UPLOAD_MAX_MEMORY_SIZE. The pages keep their HTML answer."""

import io
import json

import pytest
from django.urls import reverse
from rest_framework.exceptions import ParseError

from partners.models import Registration
from portal.parsers import JSONParser
from proposals.models import Proposal
from tests.factories import CallFactory, ProposalFactory

REGISTRATIONS = "/api/v1/registrations/"
TOKEN = "/api/v1/auth/token/"
PROPOSALS = "/api/v1/proposals/"
# The body of the report: 2 KB, a thousand levels deep.
DEEP = "[" * 1000 + "]" * 1000
DEEP_OBJECT = '{"title": ' + '{"a": ' * 1000 + "1" + "}" * 1000 + "}"
BODIES = {"1,000 lists": DEEP, "1,000 objects": DEEP_OBJECT, "40 lists": "[" * 40 + "]" * 40}


@pytest.fixture
def draft(partner_member):
    return ProposalFactory(
        call=CallFactory(), organisation=partner_member.organisation, principal_investigator=partner_member
    )


def _assert_refused_as_json(response):
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert isinstance(response.json()["detail"], str) and response.json()["detail"]


@pytest.mark.parametrize("body", BODIES.values(), ids=BODIES.keys())
@pytest.mark.parametrize(
    ("method", "url"),
    [("POST", REGISTRATIONS), ("POST", TOKEN), ("POST", PROPOSALS), ("PATCH", "draft")],
    ids=["apply", "token", "new proposal", "edit proposal"],
)
def test_deeply_nested_json_is_a_400_with_a_detail(api_client, partner_member, draft, method, url, body):
    api_client.force_authenticate(partner_member)
    if url == "draft":
        url = f"{PROPOSALS}{draft.pk}/"
    title = draft.title

    response = api_client.generic(method, url, body, content_type="application/json")

    _assert_refused_as_json(response)
    assert "nested too deeply" in response.json()["detail"]
    assert Proposal.objects.count() == 1 and Proposal.objects.get().title == title
    assert not Registration.objects.exists()


def test_nesting_as_deep_as_the_api_needs_is_read(api_client, partner_member, draft):
    api_client.force_authenticate(partner_member)
    body = {"title": "A regolith sampler", "team": [{"email": "x@example.org", "roles": [["a"]]}]}
    response = api_client.patch(f"{PROPOSALS}{draft.pk}/", body, format="json")
    assert response.status_code in (200, 400)
    assert "nested too deeply" not in response.content.decode()


@pytest.mark.parametrize("url", [REGISTRATIONS, TOKEN, PROPOSALS])
def test_a_20_mb_body_on_the_api_is_a_400_with_json(api_client, partner_member, url):
    api_client.force_authenticate(partner_member)
    body = json.dumps({"name": "x" * 20_000_000})

    response = api_client.post(url, body, content_type="application/json")

    _assert_refused_as_json(response)
    assert not Registration.objects.exists()


def test_a_20_mb_body_on_a_page_keeps_an_html_answer(client, db):
    response = client.post(reverse("partners:join"), {"name": "x" * 20_000_000})

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert "Request not understood" in response.content.decode()


def test_the_parser_refuses_a_body_larger_than_the_limit_even_without_a_content_length(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    with pytest.raises(ParseError, match="too large"):
        JSONParser().parse(io.BytesIO(json.dumps({"name": "x" * 2000}).encode()))
    assert JSONParser().parse(io.BytesIO(b'{"name": "moon"}')) == {"name": "moon"}


def test_an_unknown_host_is_a_400_in_json_on_the_api_and_a_page_elsewhere(client, db):
    api = client.get("/api/v1/calls/", HTTP_HOST="portal.attacker.example")
    page = client.get("/", HTTP_HOST="portal.attacker.example")

    _assert_refused_as_json(api)
    assert page.status_code == 400 and "Request not understood" in page.content.decode()
