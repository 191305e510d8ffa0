"""Every screen of the portal, as each role, meets WCAG 2.1 A and AA as far as axe-core can tell: no serious or
critical violation. The screens are the portal's HTML routes as the permission matrix reads them from the URL
configuration, opened on the role's own objects in the world of tests/security/world.py, with an open call and a
draft in it besides; the public screens are read in each of the portal's languages. The audit is the one every
browser test gets (BrowserChecks in conftest.py).
"""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.factories import CallFactory, ProposalFactory
from tests.security.test_permission_matrix import ROUTES, url_for
from tests.security.world import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MISSING_PAGE = "/there-is-no-such-page/"


@pytest.fixture
def world(transactional_db):
    """The permission matrix's world, and an open call with organisation A's draft, to see the forms for writing."""
    world = build_world()
    world.open_call = CallFactory(title="Call open now")
    world.draft = ProposalFactory(
        call=world.open_call, organisation=world.a.organisation, principal_investigator=world.a.member
    )
    return world


def screens_of(world, role):
    """The addresses of the role's screens: each HTML route that shows the role a page of its own objects."""
    client = Client()
    if world.users[role] is not None:
        client.force_login(world.users[role])
    urls = [
        reverse("proposals:call_detail", args=[world.open_call.pk]),
        reverse("proposals:proposal_edit", args=[world.draft.pk]),
        reverse("proposals:proposal_submit", args=[world.draft.pk]),
    ]
    for route in ROUTES:
        # The API, its Swagger UI reference and Django's admin are not drawn by the portal's templates.
        if not route.key.startswith(("api:", "api-docs", "admin:")) and "GET" in route.methods:
            urls.append(url_for(world, route, role, "own" if route.kwargs else "-"))
    for url in filter(None, urls):
        response = client.get(url)
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            yield url


def page_as(new_browser_page, base, user, language):
    """A page whose browser is signed in as `user` (None: nobody) and asks for pages in `language`."""
    page = new_browser_page()
    cookies = [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base}]
    if user is not None:
        client = Client()
        client.force_login(user)
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        cookies.append({"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base})
    page.context.add_cookies(cookies)
    return page


@pytest.mark.parametrize(
    ("role", "language"),
    [
        ("anonymous", "en"),
        ("anonymous", "zh-hans"),
        ("anonymous", "ru"),
        ("partner_member", "en"),
        ("partner_admin", "en"),
        ("reviewer", "en"),
        ("programme_admin", "en"),
    ],
)
def test_every_screen_of_the_role_has_no_serious_accessibility_violation(
    new_browser_page, browser_checks, live_server, world, role, language
):
    base = live_server.url
    screens = list(screens_of(world, role))
    page = page_as(new_browser_page, base, world.users[role], language)

    for url in screens:
        response = page.goto(base + url)
        assert response.status == 200, url
        assert page.locator("html").get_attribute("lang") == language, url
    assert page.goto(base + MISSING_PAGE).status == 404

    problems = browser_checks.accessibility_problems()
    assert not problems, "\n".join(problems)
    audited = {url.removeprefix(base) for url in browser_checks.audited}
    assert audited >= {*screens, MISSING_PAGE}
