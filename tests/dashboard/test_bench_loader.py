"""The benchmark's loader makes a consistent programme, in proportion, and the dashboard reads it."""

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from partners.models import Organisation
from proposals.models import Decision, Platform, Proposal, Review
from tests.factories import OrganisationFactory


def test_loader_fills_an_empty_database_in_proportion(client, programme_admin, django_assert_max_num_queries):
    call_command("load_bench_data", scale=0.02, verbosity=0)

    assert Organisation.objects.count() == 40
    assert Proposal.objects.count() == 1000
    assert Review.objects.count() == 3000
    # Decided calls never select more mass than a platform offers.
    for platform in Platform.objects.all():
        selected = Proposal.objects.filter(platform=platform, decision__outcome=Decision.Outcome.SELECTED)
        assert sum(p.mass_kg for p in selected) <= platform.total_mass_kg
    client.force_login(programme_admin)
    with django_assert_max_num_queries(17):
        assert client.get(reverse("dashboard:dashboard")).status_code == 200


def test_loader_refuses_a_database_with_data(db):
    OrganisationFactory()

    with pytest.raises(CommandError, match="already has data"):
        call_command("load_bench_data", scale=0.01, verbosity=0)
    call_command("load_bench_data", scale=0.01, unless_loaded=True, verbosity=0)
    assert Organisation.objects.count() == 1
