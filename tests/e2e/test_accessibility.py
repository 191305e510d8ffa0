"""Every screen of the portal, as each role, meets WCAG 2.1 A and AA as far as axe-core can tell: no serious or
critical violation. The screens are the portal's HTML routes as the permission matrix reads them from the URL
configuration, opened on the role's own objects in the world of tests/security/world.py, with an open call and a
draft in it besides; the public screens are read in each of the portal's languages. The audit is the one every
browser test gets (BrowserChecks in conftest.py).

The same sweep lays each screen out again at 390 × 844 and holds it to what a phone needs (tests/e2e/phone.py: no
sideways scroll of the page, no text under 12 px, no overlapping controls, touch targets of 44 px), and writes the
gallery: a screenshot of each screen at desktop and phone width, per role and language, in test-artifacts/screens/.
"""

import pytest

from .phone import DESKTOP, phone_problems, shoot
from .screens import page_as, screens_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MISSING_PAGE = "/there-is-no-such-page/"


@pytest.mark.parametrize(
    ("role", "language"),
    [
        ("anonymous", "en"),
        ("anonymous", "zh-hans"),
        ("anonymous", "ru"),
        ("partner_member", "en"),
        ("partner_member", "ru"),
        ("partner_admin", "en"),
        ("partner_admin", "zh-hans"),
        ("reviewer", "en"),
        ("reviewer", "ru"),
        ("programme_admin", "en"),
        ("programme_admin", "ru"),
    ],
)
def test_every_screen_of_the_role_is_accessible_and_fits_a_phone(
    new_browser_page, browser_checks, live_server, world, role, language
):
    base = live_server.url
    screens = list(screens_of(world, role))
    user = world.users[role]
    if user is not None:  # a signed-in person reads the portal in their account's language
        user.language = language
        user.save(update_fields=["language"])
    page = page_as(new_browser_page, base, user, language)

    unfit = []
    for url in [*screens, MISSING_PAGE]:
        page.set_viewport_size(DESKTOP)
        response = page.goto(base + url)
        assert response.status == (404 if url == MISSING_PAGE else 200), url
        assert page.locator("html").get_attribute("lang") == language, url
        shoot(page, role=role, language=language, url=url, width_name="desktop")
        unfit += phone_problems(page)
        shoot(page, role=role, language=language, url=url, width_name="phone")

    problems = browser_checks.accessibility_problems()
    assert not problems, "\n".join(problems)
    audited = {url.removeprefix(base) for url in browser_checks.audited}
    assert audited >= {*screens, MISSING_PAGE}
    assert not unfit, "\n".join(unfit)
