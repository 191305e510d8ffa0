"""The checks every browser test is held to (BrowserChecks in conftest.py) catch what they are there for: an
accessibility violation on a page the test has left, a request to another host, a page over its weight budget."""

import pytest

from tests.e2e import conftest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BROKEN = """<!doctype html><html><head><title>Broken</title>
<link rel="stylesheet" href="https://fonts.example.com/css2?family=Moon"></head>
<body><main><img src="/static/css/portal.css"><input name="q"><a href="/"></a></main></body></html>"""


def test_a_violation_an_outside_request_and_a_heavy_page_fail_the_test(chromium, live_server, monkeypatch):
    base = live_server.url
    # Checks of this test's own, not the fixture's: their failure is what this test reads.
    checks = conftest.BrowserChecks(base)
    checks.audit_before_actions(monkeypatch)
    monkeypatch.setattr(conftest, "PAGE_WEIGHTS", {})
    monkeypatch.setattr(conftest, "PAGE_WEIGHT_BUDGET_KB", 5)
    page = checks.watch(chromium.new_page())
    page.route(f"{base}/broken/", lambda route: route.fulfill(body=BROKEN, content_type="text/html"))
    page.route("https://fonts.example.com/**", lambda route: route.fulfill(body="", content_type="text/css"))

    page.goto(f"{base}/broken/")
    page.goto(f"{base}/participation/")  # /broken/ is audited as the test leaves it
    with pytest.raises(pytest.fail.Exception) as failure:
        checks.finish()

    report = str(failure.value)
    for rule, impact, target in (
        ("html-has-lang", "serious", "html"),
        ("image-alt", "critical", "img"),
        ("label", "critical", "input"),
        ("link-name", "serious", "a"),
    ):
        assert f"axe {rule} ({impact}) on {base}/broken/" in report
        assert f"\n    {target}" in report
    assert f"{base}/broken/ fetched https://fonts.example.com/css2?family=Moon from outside the portal" in report
    assert f"{base}/participation/ weighs" in report and "over its 5 KB budget" in report
    assert checks.audited == [f"{base}/broken/", f"{base}/participation/"]
    assert "/participation/" in conftest.PAGE_WEIGHTS
