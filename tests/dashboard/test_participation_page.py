"""The public participation page: aggregate figures of active partners, the timeline and the open calls,
and nothing private although private data is there to leak."""

from django.urls import reverse

from portal.dashboard import figures

from .support import table


def test_public_figures_count_active_partners_only(programme):
    totals, public = figures.participation()

    # The suspended Pretoria University is not counted.
    assert totals == {"organisations": 4, "countries": 3, "regions": 2, "international": 1}
    assert table(public, "participation_over_time") == [
        [2021, 1, 1, 1],
        [2022, 0, 1, 1],
        [2023, 2, 3, 2],
        [2024, 1, 4, 3],
    ]
    assert table(public, "participation_by_region") == [
        ["Africa", 2, 2],
        ["Asia", 1, 1],
        ["International organisations", 1, 0],
    ]
    assert table(public, "participation_by_kind") == [
        ["Space agency", 2],
        ["Research institute", 1],
        ["International organisation", 1],
    ]


def test_page_shows_charts_with_tables_the_timeline_and_open_calls(client, programme):
    page = client.get(reverse("dashboard:participation")).content.decode()

    assert page.count('<svg class="chart" role="img"') == 3
    assert page.count("<table>") == 4  # one beside each chart, and the open calls
    assert "Construction — second stage" in page and "ILRS-1 (2031)" in page
    assert "Chang&#x27;e-8 payloads" in page  # open
    assert "Chang&#x27;e-7 payloads" not in page  # decided


def test_page_leaks_nothing_private(client, programme):
    page = client.get(reverse("dashboard:participation")).content.decode()

    private = [
        "Secret draft title",
        "Secret abstract",
        "Rosa Reviewer",
        "rosa.reviewer@example.org",
        "Confidential: the team is thin",
        "Hidden suspension reason",
        "Waiting Applicant",
        "Well argued",
        "@example.org",
        programme.organisations.c.name,
        programme.proposals.p1.title,
        programme.proposals.p1.principal_investigator.full_name,
    ]
    for text in private:
        assert text not in page, text
    assert "Selected" not in page  # outcomes are for administrators


def test_page_is_served_with_a_fixed_number_of_queries(client, programme, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        assert client.get(reverse("dashboard:participation")).status_code == 200
