"""Repeated reads are answered from a copy made since the database last changed, and never show anything else.

These tests commit their writes (transactional database): inside a test's transaction nothing is kept, since
its own uncommitted writes do not change the snapshot the copies are keyed on.
"""

import re
from datetime import timedelta

import pytest
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from partners.models import Membership
from portal import response_cache
from proposals import services
from proposals.models import Proposal
from tests.factories import MembershipFactory, OrganisationFactory, ProposalFactory

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

# An answer from a copy reads the API token with its owner, and the database's snapshot.
API_HIT_QUERIES = 2
# A page from a copy reads its session, the person and the snapshot.
PAGE_HIT_QUERIES = 3
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def queries_of(client, path, **extra):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, **extra)
    assert response.status_code == 200, (path, response.status_code)
    return response, len(captured)


def repeated(client, path, most=API_HIT_QUERIES, **extra):
    """The answer to a request made twice in a row, and the second one's queries. The snapshot belongs to the whole
    database server: a write anywhere on it (another database, statistics gathered by autovacuum) between the two
    starts the copies afresh, so a few tries are allowed to find two requests with nothing written between them."""
    for _attempt in range(5):
        client.get(path, **extra)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path, **extra)
        if len(captured) <= most:
            break
    return response, len(captured)


def api(user):
    """A client with the person's API token: each request reads the person afresh, as in use."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def titles(response):
    return [row["title"] for row in response.json()["results"]]


def test_a_repeated_list_comes_from_the_copy_with_the_same_content(pi, proposal):
    client = api(pi)
    first, first_queries = queries_of(client, "/api/v1/proposals/")
    again, again_queries = repeated(client, "/api/v1/proposals/")
    assert again.json() == first.json()
    assert titles(again) == ["Regolith dust analyser"]
    # The token with its owner, and the snapshot: nothing is read from the proposals' tables.
    assert again_queries == API_HIT_QUERIES < first_queries
    assert again["Content-Type"] == "application/json"
    assert again["Vary"] == first["Vary"]


def test_a_change_through_the_api_shows_in_the_next_list_and_detail(pi, proposal):
    client = api(pi)
    client.get("/api/v1/proposals/")
    client.get(f"/api/v1/proposals/{proposal.pk}/")
    saved = client.patch(f"/api/v1/proposals/{proposal.pk}/", {"title": "Dust analyser II"}, format="json")
    assert saved.status_code == 200
    assert titles(client.get("/api/v1/proposals/")) == ["Dust analyser II"]
    assert client.get(f"/api/v1/proposals/{proposal.pk}/").json()["title"] == "Dust analyser II"


def test_writes_that_send_no_signal_are_seen_too(pi, proposal):
    client = api(pi)
    client.get("/api/v1/proposals/")
    Proposal.objects.filter(pk=proposal.pk).update(title="Changed by update()")
    assert titles(client.get("/api/v1/proposals/")) == ["Changed by update()"]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE proposals_proposal SET title = %s WHERE id = %s", ["Changed in SQL", proposal.pk])
    assert titles(client.get("/api/v1/proposals/")) == ["Changed in SQL"]


def test_another_organisation_never_gets_a_copy_made_for_someone_else(pi, proposal, other_partner_admin):
    own = api(pi)
    own.get("/api/v1/proposals/")
    own.get(f"/api/v1/proposals/{proposal.pk}/")
    other = api(other_partner_admin)
    assert titles(other.get("/api/v1/proposals/")) == []
    assert other.get(f"/api/v1/proposals/{proposal.pk}/").status_code == 404
    page = Client()
    page.force_login(pi)
    assert page.get(f"/proposals/{proposal.pk}/").status_code == 200
    page.force_login(other_partner_admin)
    assert page.get(f"/proposals/{proposal.pk}/").status_code == 404


def test_someone_removed_from_the_organisation_stops_seeing_its_copies(pi, proposal, organisation):
    client = api(pi)
    assert titles(client.get("/api/v1/proposals/")) == ["Regolith dust analyser"]
    Membership.objects.filter(user=pi, organisation=organisation).delete()
    assert titles(client.get("/api/v1/proposals/")) == []
    assert client.get(f"/api/v1/proposals/{proposal.pk}/").status_code == 404


def test_the_programme_administrator_has_copies_of_their_own(pi, proposal, programme_admin):
    other = ProposalFactory(organisation=OrganisationFactory(name="Far Away Lab"), title="Seismometer")
    assert titles(api(pi).get("/api/v1/proposals/")) == ["Regolith dust analyser"]
    assert sorted(titles(api(programme_admin).get("/api/v1/proposals/"))) == ["Regolith dust analyser", other.title]


def test_each_query_string_has_its_own_copy(pi, proposal):
    client = api(pi)
    assert titles(client.get("/api/v1/proposals/")) == ["Regolith dust analyser"]
    assert titles(client.get("/api/v1/proposals/?status=submitted")) == []


def test_the_browsable_api_is_not_kept(pi, proposal):
    client = api(pi)
    _first, first_queries = queries_of(client, "/api/v1/proposals/", HTTP_ACCEPT="text/html")
    _again, again_queries = queries_of(client, "/api/v1/proposals/", HTTP_ACCEPT="text/html")
    assert again_queries == first_queries > 1


def test_nothing_is_kept_inside_a_transaction(pi, proposal):
    from django.db import transaction

    client = api(pi)
    with transaction.atomic():
        _first, first_queries = queries_of(client, "/api/v1/proposals/")
        Proposal.objects.filter(pk=proposal.pk).update(title="Not yet committed")
        again, again_queries = queries_of(client, "/api/v1/proposals/")
        assert titles(again) == ["Not yet committed"]
        assert again_queries == first_queries


def test_a_repeated_page_comes_from_the_copy_with_the_visitors_own_csrf_token(pi, proposal):
    first_browser, second_browser = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    for browser in (first_browser, second_browser):
        browser.force_login(pi)
    first, first_queries = queries_of(first_browser, f"/proposals/{proposal.pk}/")
    again, again_queries = repeated(second_browser, f"/proposals/{proposal.pk}/", most=PAGE_HIT_QUERIES)
    assert again_queries <= PAGE_HIT_QUERIES < first_queries
    assert "Regolith dust analyser" in again.text
    for browser, page in ((first_browser, first), (second_browser, again)):
        assert response_cache.CSRF_PLACEHOLDER not in page.text
        tokens = set(CSRF_INPUT.findall(page.text))
        assert len(tokens) == 1
        # The page's forms post with the token it carries: each browser's own is accepted.
        switched = browser.post("/i18n/setlang/", {"language": "en", "csrfmiddlewaretoken": tokens.pop(), "next": "/"})
        assert switched.status_code == 302
    # A token from the other browser's page is refused, so the copies do not carry one person's token to another.
    foreign = CSRF_INPUT.search(first.text).group(1)
    assert (
        Client(enforce_csrf_checks=True)
        .post("/i18n/setlang/", {"language": "en", "csrfmiddlewaretoken": foreign})
        .status_code
        == 403
    )


def test_a_page_with_a_message_waiting_is_made_afresh_and_shows_it_once(pi, proposal):
    browser = Client()
    browser.force_login(pi)
    browser.get(f"/proposals/{proposal.pk}/")
    browser.get(f"/proposals/{proposal.pk}/")
    # A message left by an earlier request that wrote nothing, as after a refused action.
    storage = CookieStorage(RequestFactory().get("/"))
    storage.add(messages.SUCCESS, "Your changes were saved.")
    carrier = HttpResponse()
    storage.update(carrier)
    browser.cookies["messages"] = carrier.cookies["messages"].value
    assert "Your changes were saved." in browser.get(f"/proposals/{proposal.pk}/").text
    assert "Your changes were saved." not in browser.get(f"/proposals/{proposal.pk}/").text


def test_the_directory_has_a_copy_per_language_and_per_person(organisation, partner_admin):
    anonymous = Client()
    english = anonymous.get("/partners/").text
    assert organisation.name in english
    russian = Client(HTTP_ACCEPT_LANGUAGE="ru").get("/partners/")
    assert russian["Content-Language"] == "ru"
    assert 'lang="ru"' in russian.text
    signed_in = Client()
    signed_in.force_login(partner_admin)
    sign_out = f'action="{reverse("accounts:logout")}"'
    assert sign_out in signed_in.get("/partners/").text
    assert sign_out not in anonymous.get("/partners/").text


def test_a_copy_ends_at_the_next_deadline(pi, proposal, call, monkeypatch):
    call.deadline = timezone.now() + timedelta(seconds=30)
    call.save(update_fields=["deadline"])
    client = api(pi)
    _first, first_queries = queries_of(client, f"/api/v1/proposals/{proposal.pk}/")
    _again, again_queries = repeated(client, f"/api/v1/proposals/{proposal.pk}/")
    assert again_queries == API_HIT_QUERIES
    later = call.deadline.timestamp() + 1
    monkeypatch.setattr(response_cache.time, "time", lambda: later)
    _after, after_queries = queries_of(client, f"/api/v1/proposals/{proposal.pk}/")
    assert after_queries == first_queries


def test_a_copy_ends_after_a_minute_without_any_deadline(pi, proposal, monkeypatch, settings):
    assert settings.RESPONSE_CACHE_SECONDS == 60
    client = api(pi)
    client.get("/api/v1/proposals/")
    started = response_cache.time.time()
    monkeypatch.setattr(response_cache.time, "time", lambda: started + 61)
    _after, after_queries = queries_of(client, "/api/v1/proposals/")
    assert after_queries > API_HIT_QUERIES


def test_a_submission_shows_at_once_in_the_team_members_list(pi, proposal, lead_coinvestigator):
    colleague = api(lead_coinvestigator)
    assert colleague.get("/api/v1/proposals/").json()["results"][0]["status"] == "draft"
    services.submit_proposal(proposal=Proposal.objects.get(pk=proposal.pk), by=pi)
    assert colleague.get("/api/v1/proposals/").json()["results"][0]["status"] == "submitted"


def test_a_new_colleague_sees_the_organisations_proposals_at_once(proposal, organisation):
    newcomer = MembershipFactory(organisation=OrganisationFactory(name="Elsewhere")).user
    client = api(newcomer)
    assert titles(client.get("/api/v1/proposals/")) == []
    Membership.objects.filter(user=newcomer).update(organisation=organisation)
    assert titles(client.get("/api/v1/proposals/")) == ["Regolith dust analyser"]


def test_no_copies_are_kept_when_turned_off(pi, proposal, settings):
    settings.RESPONSE_CACHE_SECONDS = 0
    client = api(pi)
    _first, first_queries = queries_of(client, "/api/v1/proposals/")
    _again, again_queries = queries_of(client, "/api/v1/proposals/")
    assert again_queries == first_queries > API_HIT_QUERIES


def test_a_page_refused_on_the_way_to_a_copy_carries_a_working_token(proposal, other_partner_admin):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(other_partner_admin)
    refused = browser.get(f"/proposals/{proposal.pk}/")
    assert refused.status_code == 404
    assert response_cache.CSRF_PLACEHOLDER not in refused.text
    token = CSRF_INPUT.search(refused.text).group(1)
    assert browser.post("/i18n/setlang/", {"language": "en", "csrfmiddlewaretoken": token}).status_code == 302


class UnreachableCache:
    def get(self, *args, **kwargs):
        raise ConnectionError("cache down")

    set = get


def test_an_unreachable_cache_only_means_answers_made_afresh(pi, proposal, monkeypatch):
    monkeypatch.setattr(response_cache, "cache", UnreachableCache())
    warnings = []
    monkeypatch.setattr(response_cache.logger, "warning", lambda message, *args, **kwargs: warnings.append(message))
    client = api(pi)
    for _attempt in range(2):
        assert titles(client.get("/api/v1/proposals/")) == ["Regolith dust analyser"]
    browser = Client()
    browser.force_login(pi)
    assert "Regolith dust analyser" in browser.get(f"/proposals/{proposal.pk}/").text
    assert set(warnings) == {
        "Response cache unreachable; answering afresh",
        "Response cache unreachable; copy not kept",
    }


PEOPLE = ["anonymous", "pi", "other_partner_admin", "reviewer", "programme_admin"]
ANSWERED = {"anonymous": 6, "pi": 9, "other_partner_admin": 7, "reviewer": 7, "programme_admin": 11}


def addresses(call, proposal):
    return [
        "/api/v1/proposals/",
        f"/api/v1/proposals/{proposal.pk}/",
        "/api/v1/calls/",
        f"/api/v1/calls/{call.pk}/",
        f"/api/v1/calls/{call.pk}/ranking/",
        "/api/v1/missions/",
        "/api/v1/organisations/",
        f"/api/v1/organisations/{proposal.organisation_id}/",
        f"/proposals/{proposal.pk}/",
        "/partners/",
        "/manage/dashboard/",
    ]


def without_tokens(text):
    return CSRF_INPUT.sub('name="csrfmiddlewaretoken" value=""', text)


@pytest.mark.parametrize("person", PEOPLE)
def test_every_copy_is_the_answer_the_view_gives_each_person(
    request, settings, person, review_call, proposal, assignment
):
    user = None if person == "anonymous" else request.getfixturevalue(person)
    page = Client()
    if user is not None:
        page.force_login(user)
    client = api(user) if user is not None else APIClient()
    answered = []
    for address in addresses(review_call, proposal):
        browser = client if address.startswith("/api/") else page
        settings.RESPONSE_CACHE_SECONDS = 0
        fresh = browser.get(address)
        settings.RESPONSE_CACHE_SECONDS = 60
        again, queries = repeated(browser, address, most=PAGE_HIT_QUERIES)
        assert again.status_code == fresh.status_code, address
        if fresh.status_code != 200:
            continue
        answered.append(address)
        assert queries <= PAGE_HIT_QUERIES, (address, "not answered from the copy")
        if address.startswith("/api/"):
            assert again.json() == fresh.json(), address
        else:
            assert without_tokens(again.text) == without_tokens(fresh.text), address
            assert response_cache.CSRF_PLACEHOLDER not in again.text
    # Public addresses for everyone, the proposal for its team and the administrator, the rest for the administrator.
    assert len(answered) == ANSWERED[person]


def test_an_indented_answer_is_kept_apart_from_the_plain_one(pi, proposal):
    client = api(pi)
    indented = client.get("/api/v1/proposals/", HTTP_ACCEPT="application/json; indent=4")
    plain = client.get("/api/v1/proposals/", HTTP_ACCEPT="application/json")
    assert indented.content.startswith(b"{\n    ")
    assert plain.content.startswith(b'{"')
    assert client.get("/api/v1/proposals/", HTTP_ACCEPT="application/json; indent=4").content == indented.content


def kept_copies():
    return [key for key in cache._cache if ":response:" in key]  # the tests' local-memory cache


def test_an_answer_outdated_before_it_is_sent_is_not_kept(proposal):
    request = RequestFactory().get("/partners/")
    request.user = AnonymousUser()
    response_cache.serve(request, lambda: HttpResponse("nothing written meanwhile"))
    assert len(kept_copies()) == 1
    cache.clear()

    def build_while_someone_writes():
        Proposal.objects.filter(pk=proposal.pk).update(title="Changed meanwhile")
        return HttpResponse("made before the change")

    assert response_cache.serve(request, build_while_someone_writes).content == b"made before the change"
    assert kept_copies() == []
