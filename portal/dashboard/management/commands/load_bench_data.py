"""Fill an empty database with a programme the size the dashboard must handle, for the benchmark.

Defaults: 2,000 organisations, 50,000 proposals, 150,000 reviews (with their assignments), decisions, team
members, applications and audit events, made with bulk inserts in a few minutes. `--scale 0.01` makes a
hundredth of it. The programme's real partners and missions come first; the rest is random but seeded, so
two runs give the same data.
"""

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_countries.data import COUNTRIES

from partners.choices import Area, CooperationLevel, OrganisationKind
from partners.demo import PARTNERS
from partners.models import Membership, Organisation, Registration
from portal.audit.models import AuditEvent
from portal.dashboard.caching import forget_figures
from proposals.demo import MISSIONS
from proposals.models import (
    Call,
    CooperationMode,
    Decision,
    Mission,
    Platform,
    PlatformKind,
    Proposal,
    Review,
    ReviewAssignment,
    ReviewerProfile,
    TeamMember,
    default_criteria,
)
from proposals.review.scoring import rebuild_scores

User = get_user_model()
BATCH = 5000
START = date(2021, 3, 9)
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
# More partners join every year, as the programme's real partner list shows.
JOIN_WEIGHTS = {2021: 1, 2022: 2, 2023: 4, 2024: 6, 2025: 7, 2026: 8}
KIND_WEIGHTS = {
    OrganisationKind.SPACE_AGENCY: 1,
    OrganisationKind.RESEARCH_INSTITUTE: 5,
    OrganisationKind.UNIVERSITY: 8,
    OrganisationKind.COMPANY: 3,
    OrganisationKind.INTERNATIONAL_ORGANISATION: 0.3,
    OrganisationKind.OTHER: 0.5,
}


class Command(BaseCommand):
    help = "Bulk-load a large programme (2,000 organisations, 50,000 proposals, 150,000 reviews) for the benchmark."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0, help="Multiply every count (0.01 for a test).")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--unless-loaded", action="store_true", help="Do nothing, successfully, if the database has data."
        )

    def handle(self, *args, scale, seed, unless_loaded, verbosity, **options):
        if Proposal.objects.exists() or Organisation.objects.exists():
            if unless_loaded:
                self.stdout.write("The database already has data; nothing loaded.")
                return
            raise CommandError("The database already has data; load the benchmark programme into an empty one.")
        # Made-up benchmark data: a seeded generator, so that every run loads the same programme.
        self.random = random.Random(seed)  # noqa: S311
        self.password = make_password(None)
        counts = {
            "organisations": max(int(2000 * scale), len(PARTNERS)),
            "proposals": max(int(50_000 * scale), 10),
            "reviews": max(int(150_000 * scale), 20),
            "reviewers": max(int(1500 * scale), 10),
            "calls": max(int(40 * scale), 6),
            "registrations": max(int(800 * scale), 5),
            "audit_events": max(int(50_000 * scale), 10),
        }
        with transaction.atomic():
            organisations, members = self._organisations(counts["organisations"])
            reviewers = self._reviewers(counts["reviewers"])
            self._registrations(counts["registrations"])
            calls = self._calls(counts["calls"])
            proposals = self._proposals(counts["proposals"], calls, organisations, members)
            self._team_members(proposals, organisations)
            self._decisions(proposals, calls)
            reviews = self._reviews(counts["reviews"], proposals, calls, reviewers)
            self._audit_events(counts["audit_events"], organisations, members)
            # Bulk inserts send no signals: the ranking's kept figures are computed from the reviews, and any
            # figures the dashboard cached are forgotten once the data is there.
            rebuild_scores()
            transaction.on_commit(forget_figures)
        if verbosity:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Loaded {len(organisations)} organisations, {len(calls)} calls, {len(proposals)} proposals, "
                    f"{reviews} reviews."
                )
            )

    # Partners and people ----------------------------------------------------------------------

    def _user(self, email, name, **flags):
        return User(email=email, full_name=name, password=self.password, **flags)

    def _organisations(self, count):
        rnd = self.random
        codes = sorted(COUNTRIES)
        # About 120 countries take part; a few of them (the founders and early partners) with many organisations.
        countries = rnd.sample(codes, 120)
        weights = [8 if code in ("CN", "RU") else rnd.choice((1, 1, 2, 3)) for code in countries]
        years = list(JOIN_WEIGHTS)
        organisations = []
        for name, native, kind, country, city, joined, website in PARTNERS:
            organisations.append(
                Organisation(
                    name=name,
                    native_name=native,
                    kind=kind,
                    country=country,
                    city=city,
                    joined_on=joined,
                    website=website,
                    areas=[Area.SCIENTIFIC_OBJECTIVES, Area.PAYLOADS],
                )
            )
        for number in range(count - len(PARTNERS)):
            kind = rnd.choices(list(KIND_WEIGHTS), weights=list(KIND_WEIGHTS.values()))[0]
            year = rnd.choices(years, weights=list(JOIN_WEIGHTS.values()))[0]
            first = START if year == START.year else date(year, 1, 1)
            last = min(date(year, 12, 31), NOW.date())
            organisations.append(
                Organisation(
                    name=f"Bench {kind.label} {number:05d}",
                    kind=kind,
                    country=""
                    if kind == OrganisationKind.INTERNATIONAL_ORGANISATION
                    else rnd.choices(countries, weights)[0],
                    city="",
                    joined_on=first + timedelta(days=rnd.randrange((last - first).days + 1)),
                    status=Organisation.Status.SUSPENDED if rnd.random() < 0.04 else Organisation.Status.ACTIVE,
                    email_domain=f"org{number}.bench.example",
                    areas=rnd.sample(Area.values, 2),
                    cooperation_levels=[CooperationLevel.EQUIPMENT],
                )
            )
        organisations = Organisation.objects.bulk_create(organisations, batch_size=BATCH)
        users, roles = [], []
        for organisation in organisations:
            for role in (Membership.Role.ADMIN, Membership.Role.MEMBER):
                users.append(
                    self._user(
                        f"{role}.{organisation.pk}@org{organisation.pk}.bench.example", f"{role} {organisation.pk}"
                    )
                )
                roles.append((organisation, role))
        users = User.objects.bulk_create(users, batch_size=BATCH)
        Membership.objects.bulk_create(
            [
                Membership(user=user, organisation=org, role=role)
                for user, (org, role) in zip(users, roles, strict=True)
            ],
            batch_size=BATCH,
        )
        members = {}
        for user, (organisation, _role) in zip(users, roles, strict=True):
            members.setdefault(organisation.pk, []).append(user)
        return organisations, members

    def _reviewers(self, count):
        users = User.objects.bulk_create(
            [self._user(f"reviewer{n}@bench.example", f"Reviewer {n:04d}", is_reviewer=True) for n in range(count)],
            batch_size=BATCH,
        )
        ReviewerProfile.objects.bulk_create(
            [
                ReviewerProfile(user=user, expertise_areas=self.random.sample(Area.values, 2), country="DE")
                for user in users
            ],
            batch_size=BATCH,
        )
        return users

    def _registrations(self, count):
        rnd = self.random
        statuses = [
            Registration.Status.SUBMITTED,
            Registration.Status.PENDING_REVIEW,
            Registration.Status.CHANGES_REQUESTED,
            Registration.Status.APPROVED,
            Registration.Status.REJECTED,
        ]
        rows = []
        for number in range(count):
            submitted = NOW - timedelta(days=rnd.randrange(1, 400))
            status = rnd.choices(statuses, weights=(1, 3, 1, 4, 1))[0]
            rows.append(
                Registration(
                    name=f"Bench applicant {number:05d}",
                    kind=OrganisationKind.UNIVERSITY,
                    country=rnd.choice(sorted(COUNTRIES)),
                    contact_name=f"Contact {number}",
                    contact_email=f"contact{number}@applicant{number}.bench.example",
                    email_domain=f"applicant{number}.bench.example",
                    terms_accepted_at=submitted,
                    submitted_at=submitted,
                    status=status,
                    queued_at=None if status == Registration.Status.SUBMITTED else submitted + timedelta(hours=2),
                )
            )
        Registration.objects.bulk_create(rows, batch_size=BATCH)

    # Calls and proposals ----------------------------------------------------------------------

    def _calls(self, count):
        rnd = self.random
        missions = Mission.objects.bulk_create(
            [
                Mission(name=name, phase=phase, target_launch_year=year, description=description)
                for name, phase, year, description in MISSIONS
            ]
        )
        calls = []
        for number in range(count):
            mission = missions[number % len(missions)]
            deadline = datetime(2021, 6, 30, 15, 59, tzinfo=UTC) + timedelta(days=int(number * 2400 / count))
            if deadline > NOW:
                status = Call.Status.OPEN
            elif deadline > NOW - timedelta(days=120):
                status = Call.Status.UNDER_REVIEW
            else:
                status = Call.Status.DECIDED
            letters = number % 4 == 0
            calls.append(
                Call(
                    mission=mission,
                    title=f"{mission.name} payloads, call {number + 1}",
                    reference=f"bench-{number + 1:03d}",
                    description="Payloads for international partners.",
                    has_letter_stage=letters,
                    letter_deadline=deadline - timedelta(days=120) if letters else None,
                    deadline=deadline,
                    review_deadline=deadline + timedelta(days=60),
                    anonymity=Call.Anonymity.DUAL if number % 3 == 0 else Call.Anonymity.SINGLE,
                    reviewers_per_proposal=3,
                    status=status,
                )
            )
        calls = Call.objects.bulk_create(calls)
        platforms = []
        for call in calls:
            for kind, mass in ((PlatformKind.LANDER, rnd.choice((150, 300, 600))), (PlatformKind.ORBITER, 100)):
                platforms.append(
                    Platform(
                        call=call,
                        kind=kind,
                        name=f"{call.mission.name} {kind.label.lower()} ({call.reference})",
                        total_mass_kg=Decimal(mass),
                        total_average_power_w=Decimal(mass * 4),
                        total_data_mb_per_day=Decimal(mass * 100),
                        max_mass_kg=Decimal(40),
                        max_average_power_w=Decimal(100),
                        max_peak_power_w=Decimal(200),
                        max_length_mm=600,
                        max_width_mm=400,
                        max_height_mm=400,
                        min_operating_temp_c=Decimal(-180),
                        max_operating_temp_c=Decimal(80),
                    )
                )
        platforms = Platform.objects.bulk_create(platforms)
        for call in calls:
            call.offered = [platform for platform in platforms if platform.call_id == call.pk]
        return calls

    def _proposals(self, count, calls, organisations, members):
        rnd = self.random
        active = [org for org in organisations if org.status == Organisation.Status.ACTIVE]
        # Some partners propose much more than others.
        weights = [rnd.paretovariate(1.5) for _org in active]
        rows = []
        for number in range(count):
            call = calls[number % len(calls)]
            organisation = rnd.choices(active, weights)[0]
            person = rnd.choice(members[organisation.pk])
            status = rnd.choices(
                (Proposal.Status.SUBMITTED, Proposal.Status.DRAFT, Proposal.Status.WITHDRAWN), weights=(85, 8, 7)
            )[0]
            stage = Proposal.Stage.LETTER if call.has_letter_stage and rnd.random() < 0.4 else Proposal.Stage.FULL
            rows.append(
                Proposal(
                    call=call,
                    organisation=organisation,
                    principal_investigator=person,
                    created_by=person,
                    title=f"Instrument {number:06d}",
                    abstract="A lunar payload.",
                    cooperation_level=rnd.choice(CooperationLevel.values),
                    cooperation_mode=rnd.choice(CooperationMode.values),
                    areas=rnd.sample(Area.values, rnd.randint(1, 3)),
                    platform=rnd.choice(call.offered),
                    mass_kg=Decimal(rnd.randint(5, 400)) / 10,
                    average_power_w=Decimal(rnd.randint(5, 900)) / 10,
                    peak_power_w=Decimal(rnd.randint(10, 1800)) / 10,
                    data_mb_per_day=Decimal(rnd.randint(10, 5000)),
                    trl_now=rnd.randint(3, 8),
                    trl_delivery=9,
                    status=status,
                    stage=stage,
                    submitted_at=call.deadline - timedelta(days=rnd.randint(1, 60)) if status != "draft" else None,
                )
            )
        return Proposal.objects.bulk_create(rows, batch_size=BATCH)

    def _team_members(self, proposals, organisations):
        rnd = self.random
        rows = []
        for proposal in proposals:
            for _member in range(rnd.choices((0, 1, 2, 3, 4), weights=(30, 25, 25, 12, 8))[0]):
                partner = rnd.choice(organisations)
                rows.append(
                    TeamMember(
                        proposal=proposal,
                        organisation=partner,
                        full_name="Co-investigator",
                        organisation_name=partner.name,
                        country=partner.country,
                    )
                )
        TeamMember.objects.bulk_create(rows, batch_size=BATCH)

    def _decisions(self, proposals, calls):
        """Decided calls select payloads until the platform's mass budget is full, then a waiting list."""
        decided = {call.pk for call in calls if call.status == Call.Status.DECIDED}
        decider = User.objects.create_user(email="bench.admin@bench.example", full_name="Bench Admin")
        by_platform = {}
        for proposal in proposals:
            if proposal.call_id in decided and proposal.status == "submitted" and proposal.stage == "full":
                by_platform.setdefault(proposal.platform_id, []).append(proposal)
        budgets = {platform.pk: platform.total_mass_kg for call in calls for platform in call.offered}
        rows = []
        for platform_id, candidates in by_platform.items():
            self.random.shuffle(candidates)
            left, waiting = budgets[platform_id], 0
            for proposal in candidates:
                if proposal.mass_kg <= left:
                    outcome, left = Decision.Outcome.SELECTED, left - proposal.mass_kg
                elif waiting < 3:
                    outcome, waiting = Decision.Outcome.SELECTABLE, waiting + 1
                else:
                    outcome = Decision.Outcome.NOT_SELECTED
                rows.append(Decision(proposal=proposal, outcome=outcome, decided_by=decider, released_at=NOW))
        Decision.objects.bulk_create(rows, batch_size=BATCH)

    def _reviews(self, target, proposals, calls, reviewers):
        """Spread the reviews over the submitted full proposals of calls past their deadline."""
        rnd = self.random
        reviewed_calls = {call.pk: call for call in calls if call.status != Call.Status.OPEN}
        reviewed = [
            p for p in proposals if p.call_id in reviewed_calls and p.status == "submitted" and p.stage == "full"
        ]
        if not reviewed:
            return 0
        per_proposal, extra = divmod(target, len(reviewed))
        assignments, submitted_flags = [], []
        for index, proposal in enumerate(reviewed):
            wanted = per_proposal + (1 if index < extra else 0)
            chosen = rnd.sample(reviewers, min(wanted + 1, len(reviewers)))
            for position, reviewer in enumerate(chosen):
                if position == wanted:
                    # One more reviewer asked, who declined or has not answered.
                    status = rnd.choice((ReviewAssignment.Status.DECLINED, ReviewAssignment.Status.PENDING))
                    if rnd.random() < 0.5:
                        continue
                else:
                    status = ReviewAssignment.Status.ACCEPTED
                assignments.append(ReviewAssignment(proposal=proposal, reviewer=reviewer, status=status, match=10))
                submitted_flags.append(
                    status == ReviewAssignment.Status.ACCEPTED
                    and (reviewed_calls[proposal.call_id].status == Call.Status.DECIDED or rnd.random() < 0.7)
                )
        assignments = ReviewAssignment.objects.bulk_create(assignments, batch_size=BATCH)
        rows = []
        for assignment, submitted in zip(assignments, submitted_flags, strict=True):
            if assignment.status != ReviewAssignment.Status.ACCEPTED:
                continue
            grade = rnd.randint(1, 5)
            rows.append(
                Review(
                    assignment=assignment,
                    scores={criterion["key"]: grade for criterion in default_criteria()},
                    strengths="Clear objectives.",
                    weaknesses="Thermal design is thin.",
                    confidential_comment="Team is small for the scope.",
                    status=Review.Status.SUBMITTED if submitted else Review.Status.DRAFT,
                    submitted_at=NOW - timedelta(days=rnd.randint(1, 90)) if submitted else None,
                )
            )
        Review.objects.bulk_create(rows, batch_size=BATCH)
        return len(rows)

    def _audit_events(self, count, organisations, members):
        rnd = self.random
        actions = ("organisation.created", "proposal.submitted", "proposal.withdrawn", "member.invited")
        rows = []
        for _number in range(count):
            organisation = rnd.choice(organisations)
            actor = members[organisation.pk][0]
            rows.append(
                AuditEvent(
                    actor=actor,
                    actor_label=actor.email,
                    action=rnd.choice(actions),
                    object_type="partners.organisation",
                    object_id=str(organisation.pk),
                    object_repr=organisation.name,
                    organisation=organisation,
                )
            )
        AuditEvent.objects.bulk_create(rows, batch_size=BATCH)
