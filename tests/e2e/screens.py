"""The screens each role sees, for the tests that visit all of them: the portal's HTML routes as the permission
matrix reads them from the URL configuration, opened on the role's own objects in the world of
tests/security/world.py, with an open call and a draft in it besides."""

from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.factories import CallFactory, ProposalFactory
from tests.security.test_permission_matrix import ROUTES, url_for
from tests.security.world import build_world


def build_screens_world():
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
