"""The administrators' dashboard and the public participation page draw their charts in Chromium, with
nothing fetched from outside the portal."""

from datetime import date

import pytest
from playwright.sync_api import expect

from proposals.models import Decision
from tests.factories import PASSWORD, CallFactory, OrganisationFactory, ProposalFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def programme():
    """Two partners in two countries, one call, two proposals of which one selected."""
    admin = UserFactory(email="chief@programme.example.org", is_programme_admin=True)
    cape = OrganisationFactory(name="Cape Lunar", country="ZA", kind="space_agency", joined_on=date(2021, 3, 9))
    nile = OrganisationFactory(name="Nile Space", country="EG", kind="university", joined_on=date(2023, 7, 1))
    call = CallFactory(title="Chang'e-8 payloads")
    selected = ProposalFactory(call=call, organisation=cape, status="submitted")
    ProposalFactory(call=call, organisation=nile, status="submitted")
    Decision.objects.create(proposal=selected, outcome="selected", decided_by=admin)
    return admin


def _sign_in(page, base, email):
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/accounts/")


def _requests_of(page):
    seen = []
    page.on("request", lambda request: seen.append(request.url))
    return seen


def test_administrator_sees_every_chart_drawn_beside_its_table(browser_page, live_server, programme):
    page, base = browser_page, live_server.url
    requests = _requests_of(page)
    _sign_in(page, base, programme.email)

    page.get_by_role("link", name="Dashboard").click()
    page.wait_for_url(f"{base}/manage/dashboard/")

    figures = page.locator("figure.figure")
    assert figures.count() >= 20
    assert page.locator("figure.figure svg.chart").count() == figures.count()
    assert page.locator("figure.figure table").count() == figures.count()

    by_country = page.locator("#figure-partners_by_country")
    chart = by_country.get_by_role("img", name="Partner organisations by country")
    expect(chart).to_be_visible()
    box = chart.bounding_box()
    assert box["width"] > 300 and box["height"] > 40
    bars = by_country.locator("rect.bar")
    assert bars.count() == 2
    assert all(bars.nth(index).bounding_box()["width"] > 10 for index in range(2))
    assert "South Africa" in by_country.locator("table").inner_text()

    joins = page.locator("#figure-partner_joins")
    expect(joins.locator("svg.chart")).to_be_visible()
    assert joins.locator("polyline").count() == 3
    assert "2023" in joins.locator("table").inner_text()

    budget = page.locator("#figure-commitments_by_mission")
    assert budget.locator("line.limit").count() == 1
    assert "% of budget" in budget.locator("svg.chart").inner_html()

    assert all(url.startswith(base) for url in requests), [url for url in requests if not url.startswith(base)]


def test_a_filter_narrows_the_charts(browser_page, live_server, programme):
    page, base = browser_page, live_server.url
    _sign_in(page, base, programme.email)
    page.goto(f"{base}/manage/dashboard/")

    page.fill("#id_year", "2023")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**year=2023**")

    assert page.locator("#figure-partners_by_country rect.bar").count() == 1
    assert "Egypt" in page.locator("#figure-partners_by_country table").inner_text()


def test_anyone_sees_the_participation_charts(browser_page, live_server, programme):
    page, base = browser_page, live_server.url
    requests = _requests_of(page)

    page.goto(f"{base}/")
    page.get_by_role("link", name="Participation").click()

    over_time = page.get_by_role("img", name="Participating organisations and countries over time")
    expect(over_time).to_be_visible()
    assert page.locator("svg.chart").count() == 3
    assert page.locator(".totals").inner_text().split()[:1] == ["2"]
    assert all(url.startswith(base) for url in requests)
