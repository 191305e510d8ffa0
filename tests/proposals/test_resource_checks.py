"""A proposal's resource checks are kept with it (proposals.resources): after any sequence of saves they equal the
checks made afresh, and lists and pages show the kept ones, in the reader's language."""

import random
from decimal import Decimal

from django.urls import reverse
from django.utils import translation

from proposals import resources, services
from proposals.models import Platform, Proposal
from tests.factories import ProposalFactory

# The lander's per-payload limits are 10 kg, 50 W average, 80 W peak, 300 × 150 × 150 mm, 2,000 MB/day and
# −180 … 80 °C: each value is drawn on both sides of its limit, or left empty.
DRAWS = {
    "mass_kg": lambda rng: Decimal(rng.randint(0, 150)) / 10,
    "average_power_w": lambda rng: Decimal(rng.randint(0, 700)) / 10,
    "peak_power_w": lambda rng: Decimal(rng.randint(0, 1000)) / 10,
    "length_mm": lambda rng: rng.randint(1, 400),
    "width_mm": lambda rng: rng.randint(1, 200),
    "height_mm": lambda rng: rng.randint(1, 200),
    "data_mb_per_day": lambda rng: Decimal(rng.randint(0, 3000)),
    "min_operating_temp_c": lambda rng: Decimal(rng.randint(-2200, 500)) / 10,
    "max_operating_temp_c": lambda rng: Decimal(rng.randint(-500, 1000)) / 10,
    "trl_now": lambda rng: rng.randint(1, 9),
    "trl_delivery": lambda rng: rng.randint(1, 9),
}


def _kept_and_fresh(proposal):
    saved = Proposal.objects.select_related("platform").get(pk=proposal.pk)
    return saved.resource_checks, resources.check(saved, saved.platform)


def test_the_kept_checks_equal_fresh_ones_after_any_sequence_of_saves(proposal, pi, lander):
    rng = random.Random(19)
    broken = set()
    for _step in range(200):
        data = {}
        for field in rng.sample(sorted(DRAWS), k=rng.randint(1, 4)):
            data[field] = None if rng.random() < 0.1 else DRAWS[field](rng)
        if rng.random() < 0.1:
            data["platform"] = None if rng.random() < 0.5 else lander
        services.update_proposal(proposal=proposal, by=pi, data=data)
        kept, fresh = _kept_and_fresh(proposal)
        assert kept == fresh, data
        broken.update(found["rule"] for found in kept.values())
    # The sequence went over every kind of limit, not only within them.
    assert broken == {"over", "too_cold", "too_hot", "temperatures_reversed", "peak_below_average", "trl_falls"}


def test_changes_saved_beside_a_submitted_version_leave_its_checks_until_it_is_submitted_again(api_as, proposal, pi):
    services.submit_proposal(proposal=proposal, by=pi)
    client = api_as(pi)
    saved = client.patch(f"/api/v1/proposals/{proposal.pk}/", {"mass_kg": "12"}, format="json").json()
    assert saved["pending_changes"]["mass_kg"] == "12.00"
    assert saved["resource_problems"] == {}, "the submitted version is the one checked"
    assert _kept_and_fresh(proposal) == ({}, {})

    proposal.refresh_from_db()
    services.update_proposal(proposal=proposal, by=pi, data={"mass_kg": Decimal(9)})
    services.submit_proposal(proposal=proposal, by=pi)
    services.withdraw_proposal(proposal=proposal, by=pi)
    services.update_proposal(proposal=proposal, by=pi, data={"mass_kg": Decimal(12)})
    kept, fresh = _kept_and_fresh(proposal)
    assert kept == fresh == {"mass_kg": {"rule": "over", "value": "12", "limit": "10"}}


def test_proposals_created_in_bulk_get_their_checks(call, organisation, pi):
    over, within = Proposal.objects.bulk_create(
        [
            ProposalFactory.build(call=call, organisation=organisation, principal_investigator=pi, mass_kg=11),
            ProposalFactory.build(call=call, organisation=organisation, principal_investigator=pi),
        ]
    )
    assert _kept_and_fresh(over)[0] == {"mass_kg": {"rule": "over", "value": "11", "limit": "10"}}
    assert _kept_and_fresh(within)[0] == {}


def test_a_platforms_new_limits_are_checked_against_its_proposals(proposal, lander):
    Platform.objects.filter(pk=lander.pk).update(max_mass_kg=3)
    assert services.keep_resource_checks(proposals=Proposal.objects.filter(call=lander.call)) == 1
    kept, fresh = _kept_and_fresh(proposal)
    assert kept == fresh == {"mass_kg": {"rule": "over", "value": "4", "limit": "3"}}


def test_the_api_and_the_page_put_the_kept_checks_into_the_readers_language(api_as, client, proposal, pi):
    services.update_proposal(proposal=proposal, by=pi, data={"mass_kg": Decimal("12.5"), "trl_delivery": 5})
    proposal.refresh_from_db()
    with translation.override("ru"):
        expected = resources.resource_problems(proposal)
    assert expected["mass_kg"] != resources.resource_problems(proposal)["mass_kg"], "a message in Russian"
    answer = api_as(pi).get(f"/api/v1/proposals/{proposal.pk}/", HTTP_ACCEPT_LANGUAGE="ru").json()
    assert answer["resource_problems"] == expected
    listed = api_as(pi).get("/api/v1/proposals/", HTTP_ACCEPT_LANGUAGE="ru").json()["results"]
    assert [row["resource_problems"] for row in listed] == [expected]

    client.force_login(pi)
    page = client.get(reverse("proposals:proposal_detail", args=[proposal.pk]))
    assert page.context["problems"] == resources.resource_problems(proposal)
