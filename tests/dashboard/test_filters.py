"""The dashboard's filters: phase, mission, call and year narrow the figures, on the page and in its files."""

import csv
import io

from django.urls import reverse

from portal.dashboard import figures
from portal.dashboard.forms import DashboardFilterForm
from portal.dashboard.selectors import Scope

from .support import table


def test_call_filter_keeps_only_that_calls_proposals_reviews_and_platforms(programme):
    scope = Scope(call=programme.calls.x)

    proposals = figures.proposal_section(scope)
    assert [row[0] for row in table(proposals, "proposals_by_call")] == ["Chang'e-7 payloads"]
    assert {row[0]: row[2] for row in table(proposals, "proposals_by_country")} == {
        "South Africa": 1,
        "Egypt": 1,
        "International organisation (no country)": 1,
    }
    review = figures.review_section(scope)
    assert table(review, "review_progress") == [["Chang'e-7 payloads", 1, 1, 0, 0, 1, 0]]
    assert [row[0] for row in table(review, "reviewer_load")] == ["Rosa Reviewer"]
    outcomes = figures.outcome_section(scope)
    assert [row[2] for row in table(outcomes, "commitments_by_platform")] == ["CE-7 lander"]


def test_phase_filter(programme):
    scope = Scope(phase="construction_2")

    assert [row[0] for row in table(figures.proposal_section(scope), "proposals_by_call")] == ["ILRS-1 instruments"]
    assert table(figures.review_section(scope), "review_progress")[0][0] == "ILRS-1 instruments"
    assert table(figures.outcome_section(scope), "commitments_by_platform") == [
        ["ILRS-1", "ilrs1-2026", "Lander", 0, 0, 30, 0, 120, 0, 2000]
    ]


def test_mission_filter(programme):
    scope = Scope(mission=programme.calls.y.mission)

    assert table(figures.proposal_section(scope), "proposals_by_call") == [
        ["Chang'e-8 payloads", "Chang'e-8", 1, 0, 0, 1]
    ]
    assert table(figures.review_section(scope), "review_progress") == []


def test_year_filter_takes_the_calls_deadline_for_proposals_and_the_joining_year_for_partners(programme):
    scope = Scope(year=2023)

    assert [row[0] for row in table(figures.proposal_section(scope), "proposals_by_call")] == ["Chang'e-7 payloads"]
    partners = figures.partner_section(scope)
    assert table(partners, "partner_joins") == [[2023, 3, 3, 2]]
    assert table(partners, "partners_by_status") == [["Active", 2], ["Suspended", 1]]
    # Applications waiting are not filtered.
    assert table(partners, "pending_registrations")[1][1] == 2


def test_filters_reach_the_page_and_the_figure_files(client, programme, programme_admin):
    client.force_login(programme_admin)
    query = {"call": programme.calls.y.pk}

    page = client.get(reverse("dashboard:dashboard"), query)
    assert page.status_code == 200
    assert f"proposals_by_call.csv?call={programme.calls.y.pk}" in page.content.decode()

    response = client.get(reverse("dashboard:figure_export", args=["proposals", "proposals_by_call", "csv"]), query)
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows == [
        ["Call", "Mission", "Letters of intent", "Full proposals", "Withdrawn", "Drafts"],
        ["Chang'e-8 payloads", "Chang'e-8", "1", "0", "0", "1"],
    ]


def test_a_wrong_filter_value_is_shown_and_ignored(client, programme, programme_admin):
    form = DashboardFilterForm({"year": "soon", "phase": "construction_2"})

    assert form.scope() == Scope(phase="construction_2")
    client.force_login(programme_admin)
    response = client.get(reverse("dashboard:dashboard"), {"year": "soon"})
    assert response.status_code == 200
    assert "Enter a whole number." in response.content.decode()
