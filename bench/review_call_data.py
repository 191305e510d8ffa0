"""A second data set beside the 50,000-proposal programme, of pretalx's shape: one call under review with 2,000
proposals, 6,000 submitted reviews and 60 reviewers (100 reviews each), loaded once (kept between runs).

Bulk inserts send no signals, so the ranking's kept figures are rebuilt for the call once it is loaded.
"""

import random
from datetime import timedelta
from decimal import Decimal

REFERENCE = "bench-review-2000"
PROPOSALS = 2_000
REVIEWERS = 60
PER_PROPOSAL = 3


def load_review_call():
    """The call (made when missing) and its reviewers."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from partners.models import Membership, Organisation
    from portal.accounts.models import User
    from proposals.models import (
        Call,
        Mission,
        Platform,
        Proposal,
        Review,
        ReviewAssignment,
        ReviewerProfile,
        TeamMember,
        default_criteria,
    )
    from proposals.review.scoring import rebuild_scores

    call = Call.objects.filter(reference=REFERENCE).first()
    if call is not None:
        return call
    rng = random.Random(19)  # noqa: S311 - made-up data, the same every run
    now = timezone.now()
    password = make_password(None)
    with transaction.atomic():
        call = Call.objects.create(
            mission=Mission.objects.order_by("pk").first(),
            title="Review week: one call of 2,000 proposals",
            reference=REFERENCE,
            description="Payloads for international partners.",
            deadline=now - timedelta(days=3),
            review_deadline=now + timedelta(days=365),
            reviewers_per_proposal=PER_PROPOSAL,
            status=Call.Status.UNDER_REVIEW,
        )
        platform = Platform.objects.create(
            call=call,
            kind="lander",
            name="Review-week lander",
            total_mass_kg=Decimal(600),
            total_average_power_w=Decimal(2400),
            total_data_mb_per_day=Decimal(60000),
            max_mass_kg=Decimal(40),
            max_average_power_w=Decimal(100),
            max_peak_power_w=Decimal(200),
            max_length_mm=600,
            max_width_mm=400,
            max_height_mm=400,
            min_operating_temp_c=Decimal(-180),
            max_operating_temp_c=Decimal(80),
        )
        members = list(
            Membership.objects.filter(organisation__status=Organisation.Status.ACTIVE)
            .select_related("organisation")
            .order_by("pk")[:400]
        )
        reviewers = User.objects.bulk_create(
            User(
                email=f"review-week{n:02d}@reviewers.bench.example",
                full_name=f"Review-week reviewer {n:02d}",
                password=password,
                is_reviewer=True,
            )
            for n in range(REVIEWERS)
        )
        ReviewerProfile.objects.bulk_create(
            ReviewerProfile(user=person, external_affiliation="Independent institute", country="DE")
            for person in reviewers
        )
        proposals = Proposal.objects.bulk_create(
            (
                Proposal(
                    call=call,
                    organisation=members[n % len(members)].organisation,
                    principal_investigator=members[n % len(members)].user,
                    created_by=members[n % len(members)].user,
                    title=f"Review-week instrument {n:04d}",
                    abstract="A lunar payload.",
                    areas=["payloads"],
                    platform=platform,
                    mass_kg=Decimal(rng.randint(5, 400)) / 10,
                    average_power_w=Decimal(rng.randint(5, 900)) / 10,
                    peak_power_w=Decimal(rng.randint(10, 1800)) / 10,
                    data_mb_per_day=Decimal(rng.randint(10, 5000)),
                    trl_now=rng.randint(3, 8),
                    trl_delivery=9,
                    status=Proposal.Status.SUBMITTED,
                    stage=Proposal.Stage.FULL,
                    submitted_at=now - timedelta(days=4),
                )
                for n in range(PROPOSALS)
            ),
            batch_size=1000,
        )
        TeamMember.objects.bulk_create(
            (
                TeamMember(
                    proposal=proposal,
                    organisation=members[(n * 7) % len(members)].organisation,
                    full_name="Co-investigator",
                    organisation_name=members[(n * 7) % len(members)].organisation.name,
                    country=members[(n * 7) % len(members)].organisation.country,
                )
                for n, proposal in enumerate(proposals)
                for _member in range(n % 3)
            ),
            batch_size=1000,
        )
        assignments = ReviewAssignment.objects.bulk_create(
            (
                ReviewAssignment(
                    proposal=proposal,
                    reviewer=reviewers[(n * PER_PROPOSAL + slot) % REVIEWERS],
                    status=ReviewAssignment.Status.ACCEPTED,
                    match=10,
                )
                for n, proposal in enumerate(proposals)
                for slot in range(PER_PROPOSAL)
            ),
            batch_size=1000,
        )
        keys = [criterion["key"] for criterion in default_criteria()]
        Review.objects.bulk_create(
            (
                Review(
                    assignment=assignment,
                    scores={key: rng.randint(1, 5) for key in keys},
                    strengths="Clear objectives.",
                    weaknesses="Thermal design is thin.",
                    status=Review.Status.SUBMITTED,
                    submitted_at=now - timedelta(days=1),
                )
                for assignment in assignments
            ),
            batch_size=1000,
        )
        rebuild_scores([call])
    return call
