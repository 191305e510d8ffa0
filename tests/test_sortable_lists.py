"""Every paginated list sorts by its columns: `?sort=key` ascending, `?sort=-key` descending, anything else the
list's own order; the pager keeps the sort and the filters."""

import datetime
import html

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.audit.services import record_event
from tests.factories import (
    CallFactory,
    MembershipFactory,
    OrganisationFactory,
    ProposalFactory,
    RegistrationFactory,
    ReviewAssignmentFactory,
    ReviewerProfileFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

NAMES = ("Alpha", "Beta", "Gamma")


def rows_of(response):
    """The table body as the reader sees it, so that filter menus above it do not count."""
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    return page[page.index("<tbody") :]


def order_seen(response, labels):
    rows = rows_of(response)
    return sorted(labels, key=rows.index)


def _directory(programme_admin):
    # Joined: Beta first, then Gamma, then Alpha; the directory's own order is by name.
    for name, year in (("Alpha Lab", 2024), ("Beta Lab", 2020), ("Gamma Lab", 2022)):
        OrganisationFactory(name=name, joined_on=datetime.date(year, 1, 1))
    return None, reverse("partners:directory"), "joined", ["Alpha Lab", "Beta Lab", "Gamma Lab"]


def _organisation_list(programme_admin):
    for name, members in (("Alpha Lab", 2), ("Beta Lab", 0), ("Gamma Lab", 1)):
        organisation = OrganisationFactory(name=name)
        for _ in range(members):
            MembershipFactory(organisation=organisation)
    return programme_admin, reverse("partners:organisation_list"), "members", ["Alpha Lab", "Beta Lab", "Gamma Lab"]


def _registration_queue(programme_admin):
    # Longest waiting first by default: Beta, Gamma, Alpha.
    now = timezone.now()
    for name, days in (("Alpha Observatory", 1), ("Beta Observatory", 9), ("Gamma Observatory", 5)):
        RegistrationFactory(name=name, queued_at=now - datetime.timedelta(days=days))
    names = ["Alpha Observatory", "Beta Observatory", "Gamma Observatory"]
    return programme_admin, reverse("partners:registration_queue"), "name", names


def _manage_calls(programme_admin):
    # Latest deadline first by default: Beta, Gamma, Alpha.
    now = timezone.now()
    for title, days in (("Alpha call", 10), ("Beta call", 30), ("Gamma call", 20)):
        CallFactory(title=title, deadline=now + datetime.timedelta(days=days))
    return programme_admin, reverse("proposals:manage_calls"), "title", ["Alpha call", "Beta call", "Gamma call"]


def _call_submissions(programme_admin):
    # By lead organisation by default: Beta (Aardvark), Gamma (Bison), Alpha (Cobra).
    call = CallFactory()
    for title, organisation in (("Alpha camera", "Cobra"), ("Beta probe", "Aardvark"), ("Gamma drill", "Bison")):
        ProposalFactory(call=call, title=title, organisation=OrganisationFactory(name=organisation))
    url = reverse("proposals:call_submissions", args=[call.pk])
    return programme_admin, url, "title", ["Alpha camera", "Beta probe", "Gamma drill"]


def _review_list(programme_admin):
    # Soonest review deadline first by default: Beta, Gamma, Alpha.
    reviewer = ReviewerProfileFactory().user
    now = timezone.now()
    for title, days in (("Alpha call", 30), ("Beta call", 10), ("Gamma call", 20)):
        call = CallFactory(title=title, review_deadline=now + datetime.timedelta(days=days))
        ReviewAssignmentFactory(proposal=ProposalFactory(call=call), reviewer=reviewer)
    return reviewer, reverse("proposals:review_list"), "call", ["Alpha call", "Beta call", "Gamma call"]


def _reviewer_list(programme_admin):
    # By name by default; by open assignments: Beta (0), Gamma (1), Alpha (2).
    for name, load in (("Alpha Reviewer", 2), ("Beta Reviewer", 0), ("Gamma Reviewer", 1)):
        user = ReviewerProfileFactory(user__full_name=name).user
        for _ in range(load):
            ReviewAssignmentFactory(reviewer=user)
    url = reverse("proposals:reviewer_list")
    return programme_admin, url, "open", ["Alpha Reviewer", "Beta Reviewer", "Gamma Reviewer"]


def _call_review(programme_admin):
    # In the proposals' order by default: Gamma, Alpha, Beta.
    call = CallFactory(status="under_review")
    for name in ("Gamma Reviewer", "Alpha Reviewer", "Beta Reviewer"):
        ReviewAssignmentFactory(
            proposal=ProposalFactory(call=call), reviewer=ReviewerProfileFactory(user__full_name=name).user
        )
    url = reverse("proposals:call_review", args=[call.pk])
    return programme_admin, url, "reviewer", ["Alpha Reviewer", "Beta Reviewer", "Gamma Reviewer"]


def _audit_log(programme_admin):
    # Newest first by default: Beta, Gamma, Alpha.
    organisation = OrganisationFactory()
    for name in ("Alpha", "Gamma", "Beta"):
        actor = UserFactory(full_name=f"{name} Actor")
        record_event(actor=actor, action="organisation.updated", obj=organisation, reason=f"reason-{name.lower()}")
    return programme_admin, reverse("dashboard:audit_log"), "actor", ["reason-alpha", "reason-beta", "reason-gamma"]


LISTS = {
    "directory": (_directory, [0, 1, 2]),
    "organisation_list": (_organisation_list, [0, 1, 2]),
    "registration_queue": (_registration_queue, [1, 2, 0]),
    "manage_calls": (_manage_calls, [1, 2, 0]),
    "call_submissions": (_call_submissions, [1, 2, 0]),
    "review_list": (_review_list, [1, 2, 0]),
    "reviewer_list": (_reviewer_list, [0, 1, 2]),
    "call_review": (_call_review, [2, 0, 1]),
    "audit_log": (_audit_log, [1, 2, 0]),
}


@pytest.mark.parametrize("name", LISTS)
def test_each_list_sorts_by_a_column_both_ways_and_ignores_unknown_keys(client, programme_admin, name):
    setup, default = LISTS[name]
    user, url, key, labels = setup(programme_admin)
    if user is not None:
        client.force_login(user)
    own_order = [labels[i] for i in default]
    assert order_seen(client.get(url), labels) == own_order

    response = client.get(url, {"sort": key})
    sorted_up = order_seen(response, labels)
    assert sorted_up != own_order
    # The column's order, shown on its header, whose link now reverses it.
    page = html.unescape(response.content.decode())
    assert 'aria-sort="ascending"' in page and f"sort=-{key}" in page
    response = client.get(url, {"sort": f"-{key}"})
    assert order_seen(response, labels) == list(reversed(sorted_up))
    assert 'aria-sort="descending"' in html.unescape(response.content.decode())

    for nonsense in ("nonsense", f"--{key}", "pk", "proposal__call__title__", "-"):
        response = client.get(url, {"sort": nonsense})
        assert order_seen(response, labels) == own_order
        assert "aria-sort" not in response.content.decode()


def test_the_pager_keeps_the_sort_and_the_filters(client):
    for number in range(30):
        OrganisationFactory(name=f"Lab {number:02d}", kind="university")
    response = client.get(reverse("partners:directory"), {"sort": "-name", "kind": "university"})
    page = html.unescape(response.content.decode())
    assert page.index("Lab 29") < page.index("Lab 10")
    next_link = page[page.index('rel="next"') - 200 : page.index('rel="next"')]
    assert "sort=-name" in next_link and "kind=university" in next_link and "page=2" in next_link
    second = html.unescape(
        client.get(reverse("partners:directory"), {"sort": "-name", "kind": "university", "page": 2}).content.decode()
    )
    assert "Lab 00" in second and "Lab 29" not in second


def test_sorting_keeps_the_directorys_query_count(client, django_assert_max_num_queries):
    for number in range(30):
        OrganisationFactory(name=f"Lab {number:02d}")
    with django_assert_max_num_queries(4):
        assert client.get(reverse("partners:directory"), {"sort": "-joined"}).status_code == 200
