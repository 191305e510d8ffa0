"""Every page of the portal, as every role, read for two things: each form that changes state carries its CSRF
token, and text people typed is shown as text, never run as HTML.

The pages are the HTML routes of the URL configuration, as the permission matrix discovers them, on the role's
own objects; the names people type (organisation, proposal, call, person, review comment) are set to markup first.
"""

import re
from html.parser import HTMLParser

import pytest
from django.test import Client

from partners.models import Organisation
from portal.accounts.models import User
from proposals.models import Call, Proposal, Review

from .test_permission_matrix import ROUTES, url_for
from .world import ROLES, build_world

MARKUP = '<script>alert("typed")</script>'
ESCAPED = "&lt;script&gt;alert(&quot;typed&quot;)&lt;/script&gt;"


class Forms(HTMLParser):
    """Each <form method="post"> of a page, with the names of the inputs inside it."""

    def __init__(self):
        super().__init__()
        self.forms, self._open = [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._open = {"action": attrs.get("action", ""), "post": (attrs.get("method") or "").lower() == "post"}
            self._open["inputs"] = set()
            self.forms.append(self._open)
        elif tag == "input" and self._open is not None:
            self._open["inputs"].add(attrs.get("name"))

    def handle_endtag(self, tag):
        if tag == "form":
            self._open = None


def page_routes():
    return [route for route in ROUTES if not route.key.startswith(("api:", "admin:")) and "GET" in route.methods]


def pages_of(world, role):
    """(url, html) of every page the role opens (200, text/html) on its own objects."""
    client = Client()
    if world.users[role] is not None:
        client.force_login(world.users[role])
    for route in page_routes():
        url = url_for(world, route, role, "own" if route.kwargs else "-")
        if url is None:
            continue
        response = client.get(url)
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            yield url, response.content.decode()


@pytest.fixture
def world(db):
    world = build_world()
    Organisation.objects.update(name=MARKUP)
    Proposal.objects.update(title=MARKUP, abstract=MARKUP)
    Call.objects.update(title=MARKUP)
    User.objects.update(full_name=MARKUP)
    Review.objects.update(strengths=MARKUP, weaknesses=MARKUP, confidential_comment=MARKUP)
    return world


@pytest.mark.parametrize("role", ROLES)
def test_every_form_that_changes_state_carries_its_csrf_token(world, role):
    missing, forms = [], 0
    for url, html in pages_of(world, role):
        parser = Forms()
        parser.feed(html)
        for form in parser.forms:
            if form["post"]:
                forms += 1
                if "csrfmiddlewaretoken" not in form["inputs"]:
                    missing.append(f"{url}: form posting to {form['action'] or 'itself'}")
    assert forms, f"{role} saw no form at all"
    assert not missing, "forms without a CSRF token:\n" + "\n".join(missing)


@pytest.mark.parametrize("role", ROLES)
def test_markup_people_typed_is_shown_as_text_on_every_page(world, role):
    shown_escaped, raw = 0, []
    for url, html in pages_of(world, role):
        if MARKUP in html or re.search(r"<script>alert", html):
            raw.append(url)
        shown_escaped += ESCAPED in html
    assert not raw, "typed markup rendered as HTML on:\n" + "\n".join(raw)
    assert shown_escaped, f"{role} saw none of the typed names: the check proves nothing"
