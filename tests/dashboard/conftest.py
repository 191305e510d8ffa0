"""A small programme whose figures were counted by hand; the tests compare the dashboard with them.

Organisations (kind, country, joined, status):
  A Cape Lunar Agency      space agency         ZA  2021  active
  B Nile Space Agency      space agency         EG  2023  active
  C Pretoria University    university           ZA  2023  suspended
  D Asia-Pacific Org       international org.   —   2023  active
  E Bangkok Institute      research institute   TH  2024  active
Applications waiting: two pending review (3 and 40 days), one unverified (10 days); one approved, one rejected.

Calls: X Chang'e-7 (construction 1, deadline 2023, decided; lander 10 kg / 120 W / 2000 MB a day),
       Y Chang'e-8 (construction 1, deadline 2027, letter stage), Z ILRS-1 (construction 2, dual-anonymous,
       review deadline passed).
Proposals:
  P1 X  A  full    submitted  payloads+science  equipment  team +EG        → 2 countries  selected (4 kg 20 W 100 MB)
  P2 X  B  full    submitted  payloads          subsystem  no team         → 1 country    selected (5 kg 30 W 500 MB)
  P3 X  D  full    submitted  education         equipment  team TH + BR    → 2 countries  not selected
  P4 X  C  full    withdrawn
  P5 Y  E  letter  submitted  data sharing      mission    no team         → 1 country
  P6 Y  A  full    draft ("Secret draft title")
  P7 Z  B  full    submitted  payloads          equipment  team ZA + TH    → 3 countries
Assignments: P7 — R1 accepted, review submitted; R2 accepted, review in draft (overdue); R3 awaiting reply
(overdue); R4 declined. P1 — R1 accepted, review submitted.
"""

from datetime import date, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from partners.models import Registration
from proposals.models import Decision
from tests.factories import (
    CallFactory,
    MembershipFactory,
    MissionFactory,
    OrganisationFactory,
    PlatformFactory,
    ProposalFactory,
    RegistrationFactory,
    ReviewAssignmentFactory,
    ReviewFactory,
    TeamMemberFactory,
    UserFactory,
)

BEIJING = ZoneInfo("Asia/Shanghai")


def _member_of(organisation):
    return MembershipFactory(organisation=organisation).user


@pytest.fixture
def programme(db, programme_admin):
    now = timezone.now()
    a = OrganisationFactory(name="Cape Lunar Agency", kind="space_agency", country="ZA", joined_on=date(2021, 3, 9))
    b = OrganisationFactory(name="Nile Space Agency", kind="space_agency", country="EG", joined_on=date(2023, 7, 1))
    c = OrganisationFactory(
        name="Pretoria University",
        kind="university",
        country="ZA",
        joined_on=date(2023, 9, 15),
        status="suspended",
        status_reason="Hidden suspension reason",
    )
    d = OrganisationFactory(
        name="Asia-Pacific Org", kind="international_organisation", country="", joined_on=date(2023, 4, 25)
    )
    e = OrganisationFactory(
        name="Bangkok Institute", kind="research_institute", country="TH", joined_on=date(2024, 7, 1)
    )

    RegistrationFactory(contact_name="Waiting Applicant", queued_at=now - timedelta(days=3))
    RegistrationFactory(queued_at=now - timedelta(days=40))
    RegistrationFactory(
        status=Registration.Status.SUBMITTED,
        email_verified_at=None,
        queued_at=None,
        submitted_at=now - timedelta(days=10),
    )
    RegistrationFactory(status=Registration.Status.APPROVED)
    RegistrationFactory(status=Registration.Status.REJECTED)

    call_x = CallFactory(
        mission=MissionFactory(name="Chang'e-7", phase="construction_1", target_launch_year=2026),
        title="Chang'e-7 payloads",
        reference="ce7-2023",
        deadline=datetime(2023, 6, 30, 23, 59, tzinfo=BEIJING),
        status="decided",
        platforms=False,
    )
    lander = PlatformFactory(
        call=call_x, name="CE-7 lander", total_mass_kg=10, total_average_power_w=120, total_data_mb_per_day=2000
    )
    call_y = CallFactory(
        mission=MissionFactory(name="Chang'e-8", phase="construction_1", target_launch_year=2028),
        title="Chang'e-8 payloads",
        reference="ce8-2027",
        has_letter_stage=True,
        letter_deadline=datetime(2027, 1, 31, 23, 59, tzinfo=BEIJING),
        deadline=datetime(2027, 5, 31, 23, 59, tzinfo=BEIJING),
    )
    call_z = CallFactory(
        mission=MissionFactory(name="ILRS-1", phase="construction_2", target_launch_year=2031),
        title="ILRS-1 instruments",
        reference="ilrs1-2026",
        deadline=now - timedelta(days=60),
        review_deadline=now - timedelta(days=10),
        anonymity="dual",
        status="under_review",
    )

    def propose(call, organisation, **fields):
        fields.setdefault("status", "submitted")
        if fields["status"] == "submitted":
            fields.setdefault("submitted_at", now - timedelta(days=90))
        return ProposalFactory(call=call, organisation=organisation, **fields)

    p1 = propose(call_x, a, platform=lander, areas=["payloads", "scientific_objectives"], mass_kg=4)
    TeamMemberFactory(proposal=p1, user=_member_of(b))
    p2 = propose(
        call_x,
        b,
        platform=lander,
        areas=["payloads"],
        cooperation_level="subsystem",
        mass_kg=5,
        average_power_w=30,
        data_mb_per_day=500,
    )
    p3 = propose(call_x, d, platform=lander, areas=["education_outreach"])
    TeamMemberFactory(proposal=p3, user=_member_of(e))
    TeamMemberFactory(
        proposal=p3, user=None, full_name="Outside Expert", organisation_name="Rio Lab", country="BR", organisation=None
    )
    p4 = propose(call_x, c, status="withdrawn")
    p5 = propose(call_y, e, stage="letter", areas=["data_sharing"], cooperation_level="mission")
    p6 = propose(call_y, a, status="draft", title="Secret draft title", abstract="Secret abstract")
    p7 = propose(call_z, b, areas=["payloads"])
    TeamMemberFactory(proposal=p7, user=_member_of(a))
    TeamMemberFactory(
        proposal=p7,
        user=None,
        full_name="Thai Expert",
        organisation_name="Chiang Mai Lab",
        country="TH",
        organisation=None,
    )

    for proposal, outcome in ((p1, "selected"), (p2, "selected"), (p3, "not_selected")):
        Decision.objects.create(proposal=proposal, outcome=outcome, decided_by=programme_admin, note="Well argued")

    r1 = UserFactory(full_name="Rosa Reviewer", email="rosa.reviewer@example.org", is_reviewer=True)
    r2 = UserFactory(full_name="Rui Late", email="rui.late@example.org", is_reviewer=True)
    r3 = UserFactory(full_name="Rita Silent", email="rita.silent@example.org", is_reviewer=True)
    r4 = UserFactory(full_name="Ravi Busy", email="ravi.busy@example.org", is_reviewer=True)
    ReviewFactory(
        assignment=ReviewAssignmentFactory(proposal=p7, reviewer=r1),
        confidential_comment="Confidential: the team is thin",
    )
    ReviewFactory(assignment=ReviewAssignmentFactory(proposal=p7, reviewer=r2), status="draft", submitted_at=None)
    ReviewAssignmentFactory(proposal=p7, reviewer=r3, status="pending")
    ReviewAssignmentFactory(proposal=p7, reviewer=r4, status="declined")
    ReviewFactory(assignment=ReviewAssignmentFactory(proposal=p1, reviewer=r1), grade=5)

    return SimpleNamespace(
        organisations=SimpleNamespace(a=a, b=b, c=c, d=d, e=e),
        calls=SimpleNamespace(x=call_x, y=call_y, z=call_z),
        proposals=SimpleNamespace(p1=p1, p2=p2, p3=p3, p4=p4, p5=p5, p6=p6, p7=p7),
        reviewers=SimpleNamespace(r1=r1, r2=r2, r3=r3, r4=r4),
        lander=lander,
        mass=Decimal("9"),
    )
