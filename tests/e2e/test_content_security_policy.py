"""Every page works under the portal's Content Security Policy: nothing inline, nothing from elsewhere."""

import pytest

from tests.factories import PASSWORD, CallFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = [
    "/",
    "/calls/",
    "/participation/",
    "/partners/",
    "/join/",
    "/api/docs/",
    "/manage/dashboard/",
    "/manage/calls/",
    "/manage/calls/new/",
    "/manage/reviewers/",
    "/manage/exports/",
    "/manage/audit/",
    "/admin/",
]


def test_pages_raise_no_content_security_policy_violation(browser_page, live_server):
    page, base = browser_page, live_server.url
    CallFactory(title="Chang'e-8 payloads")
    admin = UserFactory(email="office@ilrs.example.org", is_programme_admin=True, is_staff=True, is_superuser=True)
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append((page.url, message.text)) if "Content Security Policy" in message.text else None
        ),
    )
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", admin.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    for path in PAGES:
        response = page.goto(f"{base}{path}")
        assert response.status < 400, path
        assert "default-src 'self'" in response.headers["content-security-policy"], path
        page.wait_for_load_state("networkidle")
    page.goto(f"{base}/api/docs/")
    page.wait_for_selector(".swagger-ui .opblock", timeout=15000)
    assert violations == []
