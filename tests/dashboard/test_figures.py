"""The dashboard's figures against the programme counted by hand in conftest.py."""

from decimal import Decimal

from portal.dashboard import figures
from portal.dashboard.selectors import Scope

from .support import table

INTERNATIONAL = "International organisation (no country)"


def test_partners_by_country_region_kind_and_status(programme):
    section = figures.partner_section(Scope())

    assert table(section, "partners_by_country") == [
        ["South Africa", "Africa", 2],
        ["Egypt", "Africa", 1],
        [INTERNATIONAL, "International organisations", 1],
        ["Thailand", "Asia", 1],
    ]
    assert table(section, "partners_by_region") == [
        ["Africa", 3, 2],
        ["Asia", 1, 1],
        ["International organisations", 1, 0],
    ]
    assert dict(table(section, "partners_by_kind")) == {
        "Space agency": 2,
        "Research institute": 1,
        "University": 1,
        "Company": 0,
        "International organisation": 1,
        "Other": 0,
    }
    assert table(section, "partners_by_status") == [["Active", 4], ["Suspended", 1]]


def test_joins_per_year_are_the_real_join_years_with_running_totals(programme):
    section = figures.partner_section(Scope())

    assert table(section, "partner_joins") == [
        [2021, 1, 1, 1],
        [2022, 0, 1, 1],
        [2023, 3, 4, 2],
        [2024, 1, 5, 3],
    ]


def test_applications_waiting_by_status_and_age(programme):
    rows = table(figures.partner_section(Scope()), "pending_registrations")

    assert rows == [
        ["Awaiting email verification", 1, 0, 1, 0, 10],
        ["Pending review", 2, 1, 0, 1, 40],
        ["Changes requested", 0, 0, 0, 0, None],
    ]


def test_proposals_per_call_and_stage(programme):
    section = figures.proposal_section(Scope())

    assert table(section, "proposals_by_call") == [
        ["Chang'e-7 payloads", "Chang'e-7", 0, 3, 1, 0],
        ["ILRS-1 instruments", "ILRS-1", 0, 1, 0, 0],
        ["Chang'e-8 payloads", "Chang'e-8", 1, 0, 0, 1],
    ]


def test_submitted_proposals_by_country_kind_area_and_level(programme):
    section = figures.proposal_section(Scope())

    assert table(section, "proposals_by_country") == [
        ["Egypt", "Africa", 2],
        [INTERNATIONAL, "International organisations", 1],
        ["South Africa", "Africa", 1],
        ["Thailand", "Asia", 1],
    ]
    assert {k: v for k, v in table(section, "proposals_by_kind") if v} == {
        "Space agency": 3,
        "Research institute": 1,
        "International organisation": 1,
    }
    assert {k: v for k, v in table(section, "proposals_by_area") if v} == {
        "Payloads": 3,
        "Scientific objectives": 1,
        "Education and outreach": 1,
        "Data sharing and science": 1,
    }
    assert table(section, "proposals_by_level") == [
        ["Mission", 1],
        ["System", 0],
        ["Subsystem", 1],
        ["Equipment (single instrument or payload)", 3],
    ]


def test_international_teams_count_the_lead_and_co_investigators_countries(programme):
    rows = table(figures.proposal_section(Scope()), "team_countries")

    assert rows == [["1 country", 2], ["2 countries", 2], ["3 countries", 1]]


def test_selection_rates_by_country_kind_and_call(programme):
    section = figures.outcome_section(Scope())

    assert table(section, "selection_by_country") == [
        ["Egypt", 2, 1, 0, 0, 1, Decimal("50.0")],
        [INTERNATIONAL, 1, 0, 0, 1, 0, Decimal("0.0")],
        ["South Africa", 1, 1, 0, 0, 0, Decimal("100.0")],
        ["Thailand", 1, 0, 0, 0, 1, Decimal("0.0")],
    ]
    assert table(section, "selection_by_kind") == [
        ["Space agency", 3, 2, 0, 0, 1, Decimal("66.7")],
        ["International organisation", 1, 0, 0, 1, 0, Decimal("0.0")],
        ["Research institute", 1, 0, 0, 0, 1, Decimal("0.0")],
    ]
    assert table(section, "selection_by_call") == [
        ["Chang'e-7 payloads", 3, 2, 0, 1, 0, Decimal("66.7")],
        ["Chang'e-8 payloads", 1, 0, 0, 0, 1, Decimal("0.0")],
        ["ILRS-1 instruments", 1, 0, 0, 0, 1, Decimal("0.0")],
    ]


def test_selected_payloads_against_the_platform_and_mission_budgets(programme):
    section = figures.outcome_section(Scope())

    platform = next(row for row in table(section, "commitments_by_platform") if row[2] == "CE-7 lander")
    assert platform == ["Chang'e-7", "ce7-2023", "CE-7 lander", 2, 9, 10, 50, 120, 600, 2000]
    mission = next(row for row in table(section, "commitments_by_mission") if row[0] == "Chang'e-7")
    assert mission == ["Chang'e-7", 2, 9, 10, 50, 120, 600, 2000]
    assert "% of budget" in section.figure("commitments_by_platform").chart


def test_review_progress_per_call_and_reviewers_load(programme):
    section = figures.review_section(Scope())

    assert table(section, "review_progress") == [
        # call, assigned, accepted, awaiting reply, declined, submitted, overdue
        ["Chang'e-7 payloads", 1, 1, 0, 0, 1, 0],
        ["ILRS-1 instruments", 3, 2, 1, 1, 1, 2],
    ]
    load = {row[0]: row[2:] for row in table(section, "reviewer_load")}
    # assigned, submitted, still to write, overdue, declined
    assert load == {
        "Rosa Reviewer": [2, 2, 0, 0, 0],
        "Rui Late": [1, 0, 1, 1, 0],
        "Rita Silent": [1, 0, 1, 1, 0],
        "Ravi Busy": [0, 0, 0, 0, 1],
    }
    assert [row[0] for row in table(section, "reviewer_load")][-1] == "Ravi Busy"
    assert table(section, "reviewer_load_distribution") == [
        ["0 reviews", 1],
        ["1 review", 2],
        ["2 reviews", 1],
    ]


def test_every_figure_has_a_chart_and_a_title_for_screen_readers(programme):
    shown = [figure for section in figures.dashboard_sections(Scope()) for figure in section.figures]
    assert shown and any(figure.rows for figure in shown)
    for figure in shown:
        assert figure.chart.startswith('<svg class="chart" role="img"'), figure.key
        assert f'aria-labelledby="chart-{figure.key}-title chart-{figure.key}-desc"' in figure.chart
        assert all(len(row) == len(figure.columns) for row in figure.rows), figure.key
