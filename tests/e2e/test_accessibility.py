"""Every screen of the portal, as each role, meets WCAG 2.1 A and AA as far as axe-core can tell: no serious or
critical violation. The screens are the portal's HTML routes as the permission matrix reads them from the URL
configuration, opened on the role's own objects in the world of tests/security/world.py, with an open call and a
draft in it besides; the public screens are read in each of the portal's languages. The audit is the one every
browser test gets (BrowserChecks in conftest.py).
"""

import pytest

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
