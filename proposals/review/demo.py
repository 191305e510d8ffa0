"""Peer review demo: reviewers with profiles, and the Chang'e-7 call in review with assignments and reviews."""

from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from partners.choices import Area, CooperationLevel
from partners.demo import DEMO_PASSWORD
from partners.models import Organisation
from proposals.demo import first_version
from proposals.models import (
    Call,
    CooperationMode,
    PlatformKind,
    Proposal,
    Review,
    ReviewAssignment,
    ReviewerProfile,
)

User = get_user_model()

REVIEWERS = [
    # email, name, areas, keywords, affiliation, country, technical
    (
        "reviewer@ilrs.example",
        "Independent Reviewer",
        [Area.SCIENTIFIC_OBJECTIVES, Area.PAYLOADS],
        "dust, plasma, regolith",
        "Independent Space Science Institute",
        "CH",
        False,
    ),
    (
        "amina.diallo@reviewers.example",
        "Amina Diallo",
        [Area.PAYLOADS, Area.ENGINEERING],
        "thermal, power, magnetometer",
        "Université Cheikh Anta Diop",
        "SN",
        True,
    ),
    (
        "mateo.rojas@reviewers.example",
        "Mateo Rojas",
        [Area.SCIENTIFIC_OBJECTIVES, Area.DATA_SHARING],
        "seismometer, heat flow, dust",
        "Universidad de Chile",
        "CL",
        False,
    ),
]

PROPOSALS = [
    # lead organisation, PI email, title, abstract, mass, power, data
    (
        "Roscosmos State Corporation",
        "irina.petrova@roscosmos.example",
        "Heat flow probe for the south pole",
        "Measures the heat flow through the regolith to constrain the Moon's thermal evolution.",
        "3.1",
        "8",
        "40",
    ),
    (
        "Deep Space Exploration Laboratory",
        "li.wei@dsel.example",
        "Wide-angle terminator camera",
        "Images dust and illumination changes across the terminator through the lunar day.",
        "2.4",
        "15",
        "900",
    ),
]


def load():
    """Put Chang'e-7 in review once: three reviewers, three proposals, assignments and two submitted reviews."""
    ce7 = Call.objects.filter(reference="ce7-2023").first()
    if ce7 is None or ReviewAssignment.objects.filter(proposal__call=ce7).exists():
        return
    profiles = []
    for email, name, areas, keywords, affiliation, country, technical in REVIEWERS:
        user = User.objects.filter(email=email).first() or User.objects.create_user(
            email=email, password=DEMO_PASSWORD, full_name=name
        )
        user.is_reviewer = True
        user.save(update_fields=["is_reviewer"])
        profile, _created = ReviewerProfile.objects.get_or_create(
            user=user,
            defaults={
                "expertise_areas": areas,
                "keywords": keywords,
                "external_affiliation": affiliation,
                "country": country,
                "is_technical": technical,
                "max_load_per_call": 6,
            },
        )
        profiles.append(profile)
    lander = ce7.platforms.get(kind=PlatformKind.LANDER)
    for organisation_name, email, title, abstract, mass, power, data in PROPOSALS:
        organisation = Organisation.objects.filter(name=organisation_name).first()
        person = User.objects.filter(email=email).first()
        if organisation is None or person is None:
            continue
        proposal = Proposal.objects.create(
            call=ce7,
            organisation=organisation,
            principal_investigator=person,
            created_by=person,
            title=title,
            abstract=abstract,
            cooperation_level=CooperationLevel.EQUIPMENT,
            cooperation_mode=CooperationMode.IN_KIND,
            areas=[Area.SCIENTIFIC_OBJECTIVES, Area.PAYLOADS],
            platform=lander,
            mass_kg=Decimal(mass),
            average_power_w=Decimal(power),
            peak_power_w=Decimal(power) * 2,
            length_mm=200,
            width_mm=120,
            height_mm=120,
            data_mb_per_day=Decimal(data),
            min_operating_temp_c=Decimal("-170"),
            max_operating_temp_c=Decimal("70"),
            trl_now=5,
            trl_delivery=8,
            science_objectives=abstract,
            schedule="Flight model delivered 20 months after selection.",
            status=Proposal.Status.SUBMITTED,
            submitted_at=ce7.deadline - timedelta(days=3),
        )
        first_version(proposal)
    ce7.status = Call.Status.UNDER_REVIEW
    ce7.review_deadline = timezone.now() + timedelta(days=14)
    ce7.save(update_fields=["status", "review_deadline"])
    first, *others = profiles
    grades = {"scientific_value": 4, "technical_feasibility": 3, "collaboration_diversity": 5}
    for proposal in Proposal.objects.filter(call=ce7, status=Proposal.Status.SUBMITTED).order_by("pk"):
        ReviewAssignment.objects.create(proposal=proposal, reviewer=first.user, match=10)
        for profile in others:
            assignment = ReviewAssignment.objects.create(
                proposal=proposal, reviewer=profile.user, status=ReviewAssignment.Status.ACCEPTED, match=10
            )
            Review.objects.create(
                assignment=assignment,
                scores=grades,
                strengths="Clear science case with a direct link to the mission's objectives.",
                weaknesses="The thermal design at −170 °C needs more margin.",
                confidential_comment="A small team for the scope.",
                technical_assessment=Review.Technical.FEASIBLE_WITH_CHANGES if profile.is_technical else "",
                technical_notes="Heater power must fit the lander's budget." if profile.is_technical else "",
                status=Review.Status.SUBMITTED,
                submitted_at=timezone.now(),
            )
        grades = {key: max(1, value - 1) for key, value in grades.items()}
