"""Ranking the reviewed proposals, exporting the ranking, deciding within the platforms' budgets, releasing."""

import io

import pytest
from django.core import mail
from django.urls import reverse
from openpyxl import load_workbook

from portal.errors import DomainError, TransitionNotAllowed
from proposals import calls
from proposals.models import Call, Decision, Platform, Proposal, Review
from proposals.review import selectors as review_selectors
from proposals.review import services as review_services
from tests.factories import ReviewFactory
from tests.helpers import csv_rows, last_email_to, links_in, path_of
from tests.proposals.review_support import (
    accepted,
    audit_rows,
    grades,
    new_reviewer,
    submitted_proposal,
    submitted_review,
    text,
)


@pytest.fixture
def ranked(review_call, proposal, reviewer):
    """Two reviewers grade three proposals; a fourth has only a draft review.

    Weighted score = (40 × scientific + 40 × technical + 20 × diversity) / 100.

    Rita (narrow):  A (5,4,3) = 4.2   B (4,4,4) = 4.0   C (4,4,3) = 3.8
        mean 4.0, deviations +0.2, 0, −0.2, population σ = √(0.08/3) = 0.16330
        z: A +1.22474, B 0, C −1.22474
    Otto (harsh, wide): A (3,3,3) = 3.0   B (4,3,3) = 3.4   C (1,2,1) = 1.4
        mean 2.6, deviations +0.4, +0.8, −1.2, population σ = √(2.24/3) = 0.86410
        z: A +0.46291, B +0.92582, C −1.38873

    Weighted means:   A (4.2 + 3.0)/2 = 3.6   B (4.0 + 3.4)/2 = 3.7   C (3.8 + 1.4)/2 = 2.6
    Normalised means: A (1.22474 + 0.46291)/2 = 0.84   B (0 + 0.92582)/2 = 0.46
                      C (−1.22474 − 1.38873)/2 = −1.31
    Spreads: A 1.2, B 0.6, C 2.4 (reviewers disagree).
    So the weighted order is B, A, C and the normalised one A, B, C; D, unreviewed, comes last in both.
    """
    otto = new_reviewer("Otto Other")
    a = proposal
    b = submitted_proposal(review_call, title="Lunar seismometer")
    c = submitted_proposal(review_call, title="Ice prospector")
    d = submitted_proposal(review_call, title="Unreviewed magnetometer")
    plan = {a: ((5, 4, 3), (3, 3, 3)), b: ((4, 4, 4), (4, 3, 3)), c: ((4, 4, 3), (1, 2, 1))}
    for target, (rita_grades, otto_grades) in plan.items():
        submitted_review(target, reviewer, grades(*rita_grades), strengths=f"Rita likes {target.title}.")
        submitted_review(target, otto, grades(*otto_grades), strengths=f"Otto likes {target.title}.")
    ReviewFactory(assignment=accepted(d, reviewer), status="draft", submitted_at=None)
    return {"A": a, "B": b, "C": c, "D": d, "otto": otto}


def _summary(rows):
    return [(row["proposal"].title, row["reviews"], row["weighted"], row["normalised"], row["spread"]) for row in rows]


def test_weighted_and_normalised_scores_match_the_hand_computed_ones(ranked, review_call):
    rows = review_selectors.call_ranking(review_call)
    by_title = {row["proposal"].title: row for row in rows}
    assert _summary([by_title[t] for t in sorted(by_title)]) == [
        ("Ice prospector", 2, 2.6, -1.31, 2.4),
        ("Lunar seismometer", 2, 3.7, 0.46, 0.6),
        ("Regolith dust analyser", 2, 3.6, 0.84, 1.2),
        ("Unreviewed magnetometer", 0, None, None, 0.0),
    ]
    assert [title for title, row in sorted(by_title.items()) if row["disagreement"]] == ["Ice prospector"]


@pytest.mark.parametrize(
    ("sort", "order"),
    [
        ("weighted", ["Lunar seismometer", "Regolith dust analyser", "Ice prospector", "Unreviewed magnetometer"]),
        ("normalised", ["Regolith dust analyser", "Lunar seismometer", "Ice prospector", "Unreviewed magnetometer"]),
        ("spread", ["Ice prospector", "Regolith dust analyser", "Lunar seismometer", "Unreviewed magnetometer"]),
        ("title", ["Ice prospector", "Lunar seismometer", "Regolith dust analyser", "Unreviewed magnetometer"]),
    ],
)
def test_the_ranking_page_sorts_as_asked(client, ranked, review_call, programme_admin, sort, order):
    client.force_login(programme_admin)
    response = client.get(reverse("proposals:call_ranking", args=[review_call.pk]), {"sort": sort})
    assert [row["proposal"].title for row in response.context["rows"]] == order
    page = text(response)
    assert [page.index(title) for title in order] == sorted(page.index(title) for title in order)


def test_the_ranking_page_shows_scores_counts_and_the_triage_line(client, ranked, review_call, programme_admin):
    client.force_login(programme_admin)
    page = text(client.get(reverse("proposals:call_ranking", args=[review_call.pk]), {"triage": "2"}))
    assert "<td>2</td><td>3.7</td><td>0.46</td>" in page
    assert "<td>2</td><td>2.6</td><td>-1.31</td>" in page
    assert "<td>0</td><td>—</td><td>—</td>" in page
    assert page.count("reviewers disagree") == 1
    line = page.index("Triage line</strong>")
    assert page.index("Regolith dust analyser") < line < page.index("Ice prospector")


def test_the_ranking_reads_each_kind_of_row_once_and_its_rows_carry_what_pages_and_exports_show(
    ranked, review_call, programme_admin, django_assert_num_queries
):
    review_services.decide(proposal=ranked["B"], by=programme_admin, outcome="selected", note="Fits.")
    call = Call.objects.get(pk=review_call.pk)
    # One query: the proposals with their kept figures (proposals/scoring.py) and decisions.
    with django_assert_num_queries(1):
        rows = review_selectors.call_ranking(call)
    with django_assert_num_queries(0):
        shown = [
            (
                row["proposal"].reference,
                row["proposal"].title,
                row["proposal"].organisation.name,
                row["proposal"].organisation.country.code,
                str(row["proposal"].platform),
                row["proposal"].mass_kg,
                row["decision"] and (row["decision"].get_outcome_display(), row["decision"].note),
            )
            for row in rows
        ]
    b = ranked["B"]
    assert shown[1] == (b.reference, "Lunar seismometer", b.organisation.name, "ZA", "Lander", 4, ("Selected", "Fits."))


def test_a_spread_of_exactly_one_and_a_half_is_a_disagreement(review_call, proposal, reviewer):
    """Weights 30/30/40: (5,5,4) = 4.6 and (5,4,1) = 3.1, a spread of 1.5; (5,4,2) = 3.5 is 1.1 from 4.6."""
    review_call.criteria = [
        {"key": "scientific_value", "name": "Scientific value", "weight": 30},
        {"key": "technical_feasibility", "name": "Technical feasibility", "weight": 30},
        {"key": "collaboration_diversity", "name": "Diversity", "weight": 40},
    ]
    review_call.save(update_fields=["criteria"])
    calmer = submitted_proposal(review_call, title="Calmer")
    otto = new_reviewer("Otto Other")
    submitted_review(proposal, reviewer, grades(5, 5, 4))
    submitted_review(proposal, otto, grades(5, 4, 1))
    submitted_review(calmer, reviewer, grades(5, 5, 4))
    submitted_review(calmer, otto, grades(5, 4, 2))
    rows = {row["proposal"].title: row for row in review_selectors.call_ranking(review_call)}
    assert (rows["Regolith dust analyser"]["spread"], rows["Regolith dust analyser"]["disagreement"]) == (1.5, True)
    assert (rows["Calmer"]["spread"], rows["Calmer"]["disagreement"]) == (1.1, False)


def test_an_ineligible_proposal_is_not_ranked(ranked, review_call):
    Proposal.objects.filter(pk=ranked["D"].pk).update(compliance=Proposal.Compliance.NOT_ELIGIBLE)
    titles = [row["proposal"].title for row in review_selectors.call_ranking(review_call)]
    assert "Unreviewed magnetometer" not in titles and len(titles) == 3


# A conflict found after the review --------------------------------------------------------------


def _find_conflict(kind, proposal, reviewer, admin):
    if kind == "declared":
        review_services.declare_conflict(proposal=proposal, reviewer=reviewer, reason="I advised this team.")
    else:
        review_services.set_conflict(
            proposal=proposal, reviewer=reviewer, by=admin, conflicted=True, reason="Undisclosed consultancy."
        )


@pytest.mark.parametrize("kind", ["declared", "added"])
def test_a_review_whose_reviewer_is_found_conflicted_later_no_longer_counts_in_the_ranking(
    api_as, ranked, review_call, programme_admin, kind
):
    """Otto's review of A goes. Otto now graded B 3.4 and C 1.4 only: mean 2.4, σ 1.0, z B +1, C −1.

    A: Rita's 4.2 alone, z +1.22474.   B: (4.0 + 3.4)/2 = 3.7, (0 + 1)/2 = 0.5.
    C: (3.8 + 1.4)/2 = 2.6, (−1.22474 − 1)/2 = −1.11.
    """
    _find_conflict(kind, ranked["A"], ranked["otto"], programme_admin)
    assert Review.objects.filter(status="submitted").count() == 6, "the review stays on record"
    rows = review_selectors.sort_ranking(review_selectors.call_ranking(review_call), "weighted")
    assert _summary(rows) == [
        ("Regolith dust analyser", 1, 4.2, 1.22, 0.0),
        ("Lunar seismometer", 2, 3.7, 0.5, 0.6),
        ("Ice prospector", 2, 2.6, -1.11, 2.4),
        ("Unreviewed magnetometer", 0, None, None, 0.0),
    ]
    api_rows = api_as(programme_admin).get(f"/api/v1/calls/{review_call.pk}/ranking/").json()["results"]
    assert [(r["rank"], r["title"], r["reviews"], r["weighted"]) for r in api_rows[:2]] == [
        (1, "Regolith dust analyser", 1, 4.2),
        (2, "Lunar seismometer", 2, 3.7),
    ]


def test_a_lifted_conflict_leaves_the_review_counted(ranked, review_call, programme_admin):
    review_services.set_conflict(
        proposal=ranked["A"], reviewer=ranked["otto"], by=programme_admin, conflicted=False, reason="Cleared."
    )
    rows = {row["proposal"].title: row for row in review_selectors.call_ranking(review_call)}
    assert (rows["Regolith dust analyser"]["reviews"], rows["Regolith dust analyser"]["weighted"]) == (2, 3.6)


@pytest.mark.parametrize("kind", ["declared", "added"])
def test_a_review_whose_reviewer_is_found_conflicted_later_never_reaches_the_team(
    api_as, client, decided, review_call, programme_admin, pi, kind, django_capture_on_commit_callbacks
):
    a = decided["A"]
    _find_conflict(kind, a, decided["otto"], programme_admin)
    with django_capture_on_commit_callbacks(execute=True):
        calls.release_decisions(call=review_call, by=programme_admin, override_reason="Two reviews suffice.")
    body = last_email_to(pi.email).body
    assert "Reviewer 1" in body and "Rita likes Regolith dust analyser." in body
    assert "Reviewer 2" not in body and "Otto likes" not in body

    outcome = review_selectors.released_outcome(a)
    assert [(r["reviewer"], r["strengths"]) for r in outcome["reviews"]] == [
        ("Reviewer 1", "Rita likes Regolith dust analyser.")
    ]
    api_outcome = api_as(pi).get(f"/api/v1/proposals/{a.pk}/outcome/").json()
    assert [r["strengths"] for r in api_outcome["reviews"]] == ["Rita likes Regolith dust analyser."]
    client.force_login(pi)
    page = text(client.get(reverse("proposals:proposal_detail", args=[a.pk])))
    assert "Rita likes Regolith dust analyser." in page and "Otto likes" not in page and "Reviewer 2" not in page


# The ranking page, a hundred rows at a time ------------------------------------------------------


@pytest.fixture
def long_ranking(ranked, review_call, organisation, pi):
    """The four ranked proposals and 101 more without reviews: 105 rows, the unreviewed ones in id order."""
    for n in range(101):
        submitted_proposal(review_call, organisation=organisation, principal_investigator=pi, title=f"Extra {n:03d}")
    return ranked


def _ranks_and_titles(page):
    return [(row["rank"], row["proposal"].title) for row in page.context["rows"]]


def test_the_ranking_page_shows_a_hundred_rows_a_page_ranked_across_the_whole_call(
    client, long_ranking, review_call, programme_admin, django_assert_max_num_queries
):
    client.force_login(programme_admin)
    url = reverse("proposals:call_ranking", args=[review_call.pk])
    with django_assert_max_num_queries(12):
        first = client.get(url, {"sort": "weighted", "triage": "102"})
    assert _ranks_and_titles(first)[:3] == [
        (1, "Lunar seismometer"),
        (2, "Regolith dust analyser"),
        (3, "Ice prospector"),
    ]
    assert len(first.context["rows"]) == 100 and _ranks_and_titles(first)[-1] == (100, "Extra 095")
    page = text(first)
    assert "Page 1 of 2" in page and "105 in all" in page and "Triage line</strong>" not in page
    assert 'href="?sort=weighted&amp;triage=102&amp;page=2"' in page, "the next page keeps the sort and triage line"

    with django_assert_max_num_queries(12):
        second = client.get(url, {"sort": "weighted", "triage": "102", "page": "2"})
    assert _ranks_and_titles(second) == [(101 + n, f"Extra {96 + n:03d}") for n in range(5)]
    page = text(second)
    assert "<tr><td>101</td>" in page and "Page 2 of 2" in page
    assert page.index("Extra 097") < page.index("Triage line</strong>") < page.index("Extra 098")


def test_a_triage_line_at_the_end_of_a_page_closes_that_page(client, long_ranking, review_call, programme_admin):
    client.force_login(programme_admin)
    url = reverse("proposals:call_ranking", args=[review_call.pk])
    first = text(client.get(url, {"triage": "100"}))
    assert first.index("Extra 095") < first.index("Triage line</strong>")
    assert "Triage line</strong>" not in text(client.get(url, {"triage": "100", "page": "2"}))


@pytest.mark.parametrize("export", ["csv", "xlsx"])
def test_the_exports_carry_every_row_whatever_the_page(client, long_ranking, review_call, programme_admin, export):
    client.force_login(programme_admin)
    response = client.get(
        reverse("proposals:call_ranking", args=[review_call.pk]), {"format": export, "sort": "title", "page": "2"}
    )
    if export == "csv":
        header, *rows = csv_rows(response)
    else:
        sheet = load_workbook(io.BytesIO(response.content))["Ranking"]
        header, *rows = [[str(cell) for cell in row] for row in sheet.values]
    assert header == COLUMNS and len(rows) == 105
    assert [row[0] for row in rows] == [str(n) for n in range(1, 106)]
    assert [row[2] for row in rows[:2]] == ["Extra 000", "Extra 001"] and rows[-1][2] == "Unreviewed magnetometer"


# Exports ----------------------------------------------------------------------------------------

COLUMNS = [
    "Rank",
    "Reference",
    "Title",
    "Title in own language",
    "Lead organisation",
    "Country",
    "Reviews",
    "Weighted score",
    "Normalised score",
    "Spread",
    "Disagreement",
    "Decision",
]
FORMULA = '=HYPERLINK("http://evil.example","Click")'


def test_the_csv_export_has_the_columns_and_rows_in_ranking_order(client, ranked, review_call, programme_admin):
    Proposal.objects.filter(pk=ranked["C"].pk).update(title=FORMULA)
    review_services.decide(proposal=ranked["B"], by=programme_admin, outcome="selected")
    client.force_login(programme_admin)
    response = client.get(reverse("proposals:call_ranking", args=[review_call.pk]), {"format": "csv"})
    assert response["Content-Disposition"] == 'attachment; filename="ce8-2026-ranking.csv"'
    header, *rows = csv_rows(response)
    assert header == COLUMNS
    b, a = ranked["B"], ranked["A"]
    assert rows[:2] == [
        [
            "1",
            b.reference,
            "Lunar seismometer",
            "",
            b.organisation.name,
            "ZA",
            "2",
            "3.7",
            "0.46",
            "0.6",
            "",
            "Selected",
        ],
        [
            "2",
            a.reference,
            "Regolith dust analyser",
            "",
            "South Lunar Institute",
            "ZA",
            "2",
            "3.6",
            "0.84",
            "1.2",
            "",
            "",
        ],
    ]
    assert rows[2][2] == "'" + FORMULA, "a title that looks like a formula is kept as text"
    assert rows[2][10] == "yes"
    assert rows[3][6:10] == ["0", "", "", "0.0"]


def test_the_excel_export_has_the_same_content_and_no_formula(client, ranked, review_call, programme_admin):
    Proposal.objects.filter(pk=ranked["C"].pk).update(title=FORMULA)
    client.force_login(programme_admin)
    response = client.get(
        reverse("proposals:call_ranking", args=[review_call.pk]), {"format": "xlsx", "sort": "normalised"}
    )
    assert response["Content-Disposition"] == 'attachment; filename="ce8-2026-ranking.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content))["Ranking"]
    header, *rows = list(sheet.values)
    assert list(header) == COLUMNS
    assert [row[2] for row in rows] == [
        "Regolith dust analyser",
        "Lunar seismometer",
        "'" + FORMULA,
        "Unreviewed magnetometer",
    ]
    first = (1, ranked["A"].reference, "Regolith dust analyser", None, "South Lunar Institute", "ZA", 2, 3.6, 0.84, 1.2)
    assert rows[0][:10] == first
    assert "f" not in {cell.data_type for row in sheet.iter_rows() for cell in row}, "no cell is a formula"


# Decisions ---------------------------------------------------------------------------------------


def _decide(client, call, proposal, outcome, note=""):
    return client.post(
        reverse("proposals:call_ranking", args=[call.pk]),
        {"proposal": proposal.pk, "outcome": outcome, "note": note},
        follow=True,
    )


def test_the_administrator_records_each_outcome_with_a_note(client, ranked, review_call, programme_admin):
    client.force_login(programme_admin)
    for key, outcome in (("A", "selected"), ("B", "selectable"), ("C", "not_selected")):
        response = _decide(client, review_call, ranked[key], outcome, note=f"Note for {key}.")
        assert f"Decision recorded for {ranked[key].reference}." in text(response)
    assert sorted(Decision.objects.values_list("proposal__title", "outcome", "note")) == [
        ("Ice prospector", "not_selected", "Note for C."),
        ("Lunar seismometer", "selectable", "Note for B."),
        ("Regolith dust analyser", "selected", "Note for A."),
    ]
    changed = _decide(client, review_call, ranked["B"], "selected")
    assert Decision.objects.get(proposal=ranked["B"]).outcome == "selected" and "Selected" in text(changed)
    events = audit_rows("proposal.decided")
    last = events[-1]
    assert (last.object_id, last.from_state, last.to_state) == (str(ranked["B"].pk), "selectable", "selected")
    assert events[0].reason == "Note for A." and events[0].organisation == ranked["A"].organisation

    refused = _decide(client, review_call, ranked["D"], "maybe")
    assert "Choose an outcome." in text(refused)
    assert not Decision.objects.filter(proposal=ranked["D"]).exists()


def test_the_manifest_adds_up_the_selected_payloads_against_the_budget(client, ranked, review_call, programme_admin):
    """Each payload is 4 kg, 20 W and 100 MB/day; the lander offers 30 kg, 120 W and 2000 MB/day."""
    review_services.decide(proposal=ranked["A"], by=programme_admin, outcome="selected")
    review_services.decide(proposal=ranked["B"], by=programme_admin, outcome="selected")
    review_services.decide(proposal=ranked["C"], by=programme_admin, outcome="selectable")
    client.force_login(programme_admin)
    page = text(client.get(reverse("proposals:call_ranking", args=[review_call.pk])))
    assert '<th scope="row">Lander</th><td>2</td>' in page
    assert "Mass: 8 / 30 kg<br>Average power: 40 / 120 W<br>Data volume: 200 / 2,000 MB/day" in page
    assert "over budget" not in page


def test_a_selection_beyond_the_platform_budget_is_refused_with_the_figures(
    client, ranked, review_call, programme_admin
):
    Platform.objects.filter(call=review_call).update(total_mass_kg=10)
    review_services.decide(proposal=ranked["A"], by=programme_admin, outcome="selected")
    review_services.decide(proposal=ranked["B"], by=programme_admin, outcome="selected")
    review_services.decide(proposal=ranked["C"], by=programme_admin, outcome="selectable", note="Waiting list.")
    client.force_login(programme_admin)

    response = _decide(client, review_call, ranked["C"], "selected", note="Try to fit it.")
    refusal = "Selecting this payload would put the Lander at 12.00 kg of mass against a budget of 10.00 kg."
    assert refusal in text(response)
    decision = Decision.objects.get(proposal=ranked["C"])
    assert (decision.outcome, decision.note) == ("selectable", "Waiting list.")
    assert "Mass: 8 / 10 kg" in text(response)
    assert len(audit_rows("proposal.decided")) == 3


def test_decisions_are_released_only_when_every_proposal_is_decided(client, ranked, review_call, programme_admin):
    review_services.decide(proposal=ranked["A"], by=programme_admin, outcome="selected")
    review_services.decide(proposal=ranked["B"], by=programme_admin, outcome="selected")
    client.force_login(programme_admin)
    response = client.post(reverse("proposals:release_confirm", args=[review_call.pk]), follow=True)
    assert (
        f"Decide every proposal before releasing; still open: {ranked['C'].reference}, {ranked['D'].reference}"
        in text(response)
    )
    review_call.refresh_from_db()
    assert review_call.status == Call.Status.UNDER_REVIEW
    assert not Decision.objects.filter(released_at__isnull=False).exists() and not mail.outbox


@pytest.fixture
def decided(ranked, review_call, programme_admin, lead_coinvestigator, foreign_coinvestigator):
    """Every proposal decided; the first has a team of three with accounts."""
    review_services.decide(proposal=ranked["A"], by=programme_admin, outcome="selected", note="Welcome aboard.")
    review_services.decide(proposal=ranked["B"], by=programme_admin, outcome="selectable")
    review_services.decide(proposal=ranked["C"], by=programme_admin, outcome="not_selected")
    review_services.decide(proposal=ranked["D"], by=programme_admin, outcome="not_selected")
    return ranked


def test_releasing_emails_each_team_its_outcome_with_anonymous_comments(
    client,
    decided,
    review_call,
    programme_admin,
    pi,
    lead_coinvestigator,
    foreign_coinvestigator,
    reviewer,
    django_capture_on_commit_callbacks,
):
    client.force_login(programme_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("proposals:release_confirm", args=[review_call.pk]),
            {"override_reason": "Two reviews each suffice."},
            follow=True,
        )
    assert "Decisions released; every team has been emailed." in text(response)
    review_call.refresh_from_db()
    assert review_call.status == Call.Status.DECIDED
    assert Decision.objects.filter(released_at__isnull=True).count() == 0
    [event] = audit_rows("call.decisions_released")
    assert (event.actor, event.from_state, event.to_state) == (programme_admin, "under_review", "decided")

    a = decided["A"]
    for person in (pi, lead_coinvestigator, foreign_coinvestigator):
        email = last_email_to(person.email)
        assert email.subject == f"{a.reference}: Selected"
    body = last_email_to(pi.email).body
    assert "Welcome aboard." in body
    assert body.index("Reviewer 1") < body.index("Rita likes Regolith dust analyser.") < body.index("Reviewer 2")
    assert body.index("Reviewer 2") < body.index("Otto likes Regolith dust analyser.")
    assert "Thermal design is thin." in body
    for secret in ("Rita Reviewer", "Otto Other", reviewer.email, "otto.other@", "Team is small for the scope."):
        assert secret not in body and secret not in last_email_to(pi.email).alternatives[0][0], secret
    for key, subject in (("B", "Selectable (waiting list)"), ("C", "Not selected"), ("D", "Not selected")):
        email = last_email_to(decided[key].principal_investigator.email)
        assert email.subject == f"{decided[key].reference}: {subject}"
    assert "Lunar seismometer" not in body and "Rita likes Ice prospector." not in body

    [link] = [link for link in links_in(last_email_to(pi.email)) if "/proposals/" in link]
    client.force_login(pi)
    page = text(client.get(path_of(link)))
    assert "Outcome: Selected" in page and "Welcome aboard." in page
    assert "Reviewer 2" in page and "Otto likes Regolith dust analyser." in page
    assert "Otto Other" not in page and "Team is small for the scope." not in page

    with pytest.raises(TransitionNotAllowed):
        calls.release_decisions(call=review_call, by=programme_admin, override_reason="Again.")
    with pytest.raises(TransitionNotAllowed, match="Decisions are made while the call is under review."):
        review_services.decide(proposal=a, by=programme_admin, outcome="not_selected")


def test_the_team_sees_no_outcome_before_the_release(client, decided, pi):
    client.force_login(pi)
    page = text(client.get(reverse("proposals:proposal_detail", args=[decided["A"].pk])))
    assert "Outcome" not in page and "Welcome aboard." not in page and "Rita likes" not in page


def test_only_administrators_decide_and_release(decided, review_call, reviewer, pi):
    for person in (reviewer, pi):
        with pytest.raises(DomainError, match="Only programme administrators"):
            review_services.decide(proposal=decided["A"], by=person, outcome="not_selected")
        with pytest.raises(DomainError, match="Only programme administrators"):
            calls.release_decisions(call=review_call, by=person)
    assert Decision.objects.get(proposal=decided["A"]).outcome == "selected"
