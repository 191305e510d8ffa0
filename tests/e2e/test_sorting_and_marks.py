"""On a phone, in Russian: an administrator sorts a list by a column and back, the header saying which way; a form
marks its required fields, and a long text counts its characters as the person types."""

from datetime import date

import pytest
from playwright.sync_api import expect

from tests.factories import CallFactory, OrganisationFactory, UserFactory

from .phone import phone_problems, shoot
from .steps import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_administrator_sorts_lists_and_fills_a_marked_form_on_a_phone(new_browser_page, live_server):
    base = live_server.url
    page = new_browser_page(viewport={"width": 390, "height": 844})
    admin = UserFactory(is_programme_admin=True, language="ru", full_name="Ada Admin")
    for name, year in (("Alpha Lab", 2024), ("Beta Lab", 2020), ("Gamma Lab", 2022)):
        OrganisationFactory(name=name, joined_on=date(year, 1, 1))
    call = CallFactory(title="Chang'e-8 payloads", status="draft")
    sign_in(page, base, admin.email)

    page.goto(f"{base}/manage/organisations/")
    header = page.locator("thead th:has(a[href*='joined'])")
    header.locator("a").click()
    expect(header).to_have_attribute("aria-sort", "ascending")
    names = page.locator("tbody tr td:first-child a")
    expect(names.first).to_have_text("Beta Lab")
    header.locator("a").click()
    expect(header).to_have_attribute("aria-sort", "descending")
    expect(names.first).to_have_text("Alpha Lab")
    assert phone_problems(page) == []
    shoot(page, role="admin", language="ru", url=page.url.removeprefix(base), width_name="phone")

    page.goto(f"{base}/manage/calls/{call.pk}/edit/")
    expect(page.locator(".required-legend")).to_have_count(1)
    page.fill("#id_description", "Полезная нагрузка")
    expect(page.locator("#id_description-counter")).to_contain_text("17")
    assert phone_problems(page) == []
    shoot(page, role="admin", language="ru", url=page.url.removeprefix(base), width_name="phone")
