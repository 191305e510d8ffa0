"""More of the programme for `load_demo`: institutes from many regions, the Chang'e-6 call decided and released,
a closed call waiting for its review, and applications from several continents — so the dashboard and every
home page have something to show. Loads once; a second run changes nothing."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from partners.choices import Area, CooperationLevel
from partners.choices import OrganisationKind as K
from partners.demo import DEMO_PASSWORD, add_applications
from partners.models import Membership, Organisation

from .demo import first_version
from .models import (
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
)

User = get_user_model()
BEIJING = ZoneInfo("Asia/Shanghai")

# Institutes of the kind that signed memoranda with DSEL, spread over every continent.
INSTITUTES = [
    ("Istituto Nazionale di Astrofisica", "", K.RESEARCH_INSTITUTE, "IT", "Rome", "inaf"),
    ("Institut de Recherche en Astrophysique et Planétologie", "", K.RESEARCH_INSTITUTE, "FR", "Toulouse", "irap"),
    ("Swedish Institute of Space Physics", "Institutet för rymdfysik", K.RESEARCH_INSTITUTE, "SE", "Kiruna", "irf"),
    ("University of Bern Space Research", "Universität Bern", K.UNIVERSITY, "CH", "Bern", "unibe"),
    ("Institute of Space Technology", "ادارہ خلائی ٹیکنالوجی", K.UNIVERSITY, "PK", "Islamabad", "ist"),
    ("Universidad de Chile — Astronomy", "", K.UNIVERSITY, "CL", "Santiago", "uchile"),
    (
        "National Institute for Space Research",
        "Instituto Nacional de Pesquisas Espaciais",
        K.RESEARCH_INSTITUTE,
        "BR",
        "São José dos Campos",
        "inpe",
    ),
    ("Kenya Space Agency", "", K.SPACE_AGENCY, "KE", "Nairobi", "ksa"),
    ("Nigerian Space Research and Development Agency", "", K.SPACE_AGENCY, "NG", "Abuja", "nasrda"),
    ("Bahrain National Space Science Agency", "الهيئة الوطنية لعلوم الفضاء", K.SPACE_AGENCY, "BH", "Manama", "nssa"),
    ("Universiti Kebangsaan Malaysia — Space Science", "", K.UNIVERSITY, "MY", "Bangi", "ukm"),
    (
        "Mongolian Academy of Sciences — Astronomy",
        "Монгол Улсын Шинжлэх Ухааны Академи",
        K.RESEARCH_INSTITUTE,
        "MN",
        "Ulaanbaatar",
        "mas",
    ),
    (
        "Space Research Institute of the Russian Academy of Sciences",
        "Институт космических исследований РАН",
        K.RESEARCH_INSTITUTE,
        "RU",
        "Moscow",
        "iki",
    ),
    ("Harbin Institute of Technology", "哈尔滨工业大学", K.UNIVERSITY, "CN", "Harbin", "hit"),
    ("Turkish Space Agency", "Türkiye Uzay Ajansı", K.SPACE_AGENCY, "TR", "Ankara", "tua"),
    ("Australian Lunar Robotics Lab", "", K.COMPANY, "AU", "Adelaide", "alrl"),
    ("Universidad Nacional Autónoma de Nicaragua", "", K.UNIVERSITY, "NI", "Managua", "unan"),
    ("Uzbek Space Research Agency", "Oʻzbekkosmos", K.SPACE_AGENCY, "UZ", "Tashkent", "uzkosmos"),
]

# Chang'e-6 (2019): more than 20 proposals, 4 selected (France, Italy, Sweden/ESA, Pakistan) — a shorter list.
CE6_PROPOSALS = [
    (
        "Institut de Recherche en Astrophysique et Planétologie",
        "Radon detector for volatile transport",
        Decision.Outcome.SELECTED,
        (5, 4, 4),
    ),
    ("Istituto Nazionale di Astrofisica", "Laser retroreflector array", Decision.Outcome.SELECTED, (5, 5, 4)),
    ("Swedish Institute of Space Physics", "Negative ions on the lunar surface", Decision.Outcome.SELECTED, (4, 4, 5)),
    ("Institute of Space Technology", "CubeSat for the orbiter", Decision.Outcome.SELECTED, (4, 4, 4)),
    ("University of Bern Space Research", "Neutral mass spectrometer", Decision.Outcome.SELECTABLE, (4, 3, 4)),
    ("Universidad de Chile — Astronomy", "Far-side radio noise monitor", Decision.Outcome.SELECTABLE, (3, 4, 4)),
    ("National Institute for Space Research", "Regolith thermal probe", Decision.Outcome.NOT_SELECTED, (3, 3, 3)),
    ("Kenya Space Agency", "Dust accumulation sensor", Decision.Outcome.NOT_SELECTED, (3, 2, 4)),
    ("Mongolian Academy of Sciences — Astronomy", "Ultraviolet sky camera", Decision.Outcome.NOT_SELECTED, (2, 3, 3)),
    ("Turkish Space Agency", "Radiation dosimeter", Decision.Outcome.NOT_SELECTED, (3, 3, 2)),
]

# A closed call waiting for its review to start.
CLOSED_PROPOSALS = [
    ("Bahrain National Space Science Agency", "Polar ice neutron spectrometer"),
    ("Harbin Institute of Technology", "Rover-mounted ground-penetrating radar"),
    ("Nigerian Space Research and Development Agency", "Lunar night temperature logger"),
    ("Universiti Kebangsaan Malaysia — Space Science", "Micrometeoroid impact flash camera"),
    ("Australian Lunar Robotics Lab", "Robotic regolith sieve"),
]

APPLICATIONS = [
    (
        "Universidad Nacional de Colombia — Space Group",
        "",
        K.UNIVERSITY,
        "CO",
        "Bogotá",
        "Camila Torres",
        "camila.torres@unal.example",
        9,
    ),
    ("Kenya Lunar Lab", "", K.RESEARCH_INSTITUTE, "KE", "Nairobi", "Wanjiru Kamau", "wanjiru@kll.example", 4),
    (
        "Vietnam National Space Center",
        "Trung tâm Vũ trụ Việt Nam",
        K.SPACE_AGENCY,
        "VN",
        "Hanoi",
        "Nguyen Lan",
        "nguyen.lan@vnsc.example",
        2,
    ),
    (
        "Laboratoire de Physique de l'Université de Dakar",
        "",
        K.UNIVERSITY,
        "SN",
        "Dakar",
        "Moussa Ndiaye",
        "moussa.ndiaye@ucad.example",
        1,
    ),
]


def _lander(call, name, total_mass):
    return Platform.objects.create(
        call=call,
        kind=PlatformKind.LANDER,
        name=name,
        total_mass_kg=Decimal(total_mass),
        total_average_power_w=Decimal(200),
        total_data_mb_per_day=Decimal(5000),
        max_mass_kg=Decimal(10),
        max_average_power_w=Decimal(50),
        max_peak_power_w=Decimal(80),
        max_length_mm=300,
        max_width_mm=150,
        max_height_mm=150,
        min_operating_temp_c=Decimal(-180),
        max_operating_temp_c=Decimal(80),
    )


def _institutes():
    organisations = {}
    password = None
    for index, (name, native, kind, country, city, slug) in enumerate(INSTITUTES):
        organisation, _created = Organisation.objects.get_or_create(
            name=name,
            defaults={
                "native_name": native,
                "kind": kind,
                "country": country,
                "city": city,
                "joined_on": date(2023 + index % 3, 1 + index % 12, 1),
                "areas": [Area.SCIENTIFIC_OBJECTIVES, Area.PAYLOADS, Area.DATA_SHARING][: 1 + index % 3],
                "cooperation_levels": [CooperationLevel.EQUIPMENT],
                "email_domain": f"{slug}.example",
                "description": f"{name} takes part in the International Lunar Research Station programme.",
            },
        )
        organisations[name] = organisation
        email = f"pi@{slug}.example"
        # One hash for every demo investigator: hashing eighteen times would slow each demo load for nothing.
        password = password or make_password(DEMO_PASSWORD)
        user = User.objects.filter(email=email).first() or User.objects.create(
            email=email, password=password, full_name=f"Principal Investigator, {name}"[:200]
        )
        Membership.objects.get_or_create(
            user=user, defaults={"organisation": organisation, "role": Membership.Role.ADMIN}
        )
    return organisations


def _proposal(call, organisation, title, platform, submitted_at, mass="4"):
    person = Membership.objects.filter(organisation=organisation).select_related("user").first().user
    proposal = Proposal.objects.create(
        call=call,
        organisation=organisation,
        principal_investigator=person,
        created_by=person,
        title=title,
        abstract=f"{title}: what it measures, why it matters for the Moon's south pole, and how the team builds it.",
        cooperation_level=CooperationLevel.EQUIPMENT,
        cooperation_mode=CooperationMode.IN_KIND,
        areas=[Area.SCIENTIFIC_OBJECTIVES, Area.PAYLOADS],
        platform=platform,
        mass_kg=Decimal(mass),
        average_power_w=Decimal(15),
        peak_power_w=Decimal(30),
        length_mm=200,
        width_mm=120,
        height_mm=100,
        data_mb_per_day=Decimal(200),
        min_operating_temp_c=Decimal(-170),
        max_operating_temp_c=Decimal(70),
        trl_now=6,
        trl_delivery=8,
        science_objectives=f"The science case for the {title.lower()}.",
        schedule="Flight model delivered 18 months after selection.",
        status=Proposal.Status.SUBMITTED,
        submitted_at=submitted_at,
    )
    first_version(proposal)
    return proposal


def _decided_call(organisations, reviewers, admin):
    mission, _created = Mission.objects.get_or_create(name="Chang'e-6", defaults={"phase": "reconnaissance"})
    deadline = datetime(2019, 9, 30, 23, 59, tzinfo=BEIJING)
    call = Call.objects.create(
        mission=mission,
        reference="ce6-2019",
        title="Chang'e-6 international payloads",
        description="10 kg of payload on the lander and 10 kg on the orbiter for international partners.",
        deadline=deadline,
        status=Call.Status.DECIDED,
        reviewers_per_proposal=3,
        review_deadline=deadline + timedelta(days=60),
        opened_at=deadline - timedelta(days=90),
        closed_at=deadline,
    )
    lander = _lander(call, "Chang'e-6 lander", 40)
    released = deadline + timedelta(days=90)
    for index, (name, title, outcome, grades) in enumerate(CE6_PROPOSALS):
        proposal = _proposal(call, organisations[name], title, lander, deadline - timedelta(days=index + 1))
        for reviewer, grade in zip(reviewers, grades, strict=False):
            assignment = ReviewAssignment.objects.create(
                proposal=proposal, reviewer=reviewer, status=ReviewAssignment.Status.ACCEPTED, match=8
            )
            Review.objects.create(
                assignment=assignment,
                scores={"scientific_value": grade, "technical_feasibility": grade, "collaboration_diversity": grade},
                strengths="A focused instrument with a clear question to answer.",
                weaknesses="The operations plan for the lunar night is thin.",
                status=Review.Status.SUBMITTED,
                submitted_at=deadline + timedelta(days=30),
            )
        Decision.objects.create(
            proposal=proposal,
            outcome=outcome,
            decided_by=admin,
            released_at=released,
            note="Thank you for taking part in the Chang'e-6 call."
            if outcome != Decision.Outcome.SELECTED
            else "Welcome to the Chang'e-6 mission.",
        )


def _closed_call(organisations):
    mission = Mission.objects.filter(name="Luna-27").first()
    if mission is None:
        return
    deadline = timezone.now() - timedelta(days=5)
    call = Call.objects.create(
        mission=mission,
        reference="luna27-2026",
        title="Luna-27 partner instruments",
        description="Instruments for the Luna-27 south-polar lander with a drill.",
        deadline=deadline,
        time_zone="Europe/Moscow",
        status=Call.Status.CLOSED,
        reviewers_per_proposal=2,
        opened_at=deadline - timedelta(days=60),
        closed_at=deadline,
    )
    lander = _lander(call, "Luna-27 lander", 30)
    for index, (name, title) in enumerate(CLOSED_PROPOSALS):
        _proposal(call, organisations[name], title, lander, deadline - timedelta(days=index + 1), mass="3.5")


def load():
    """Add the institutes, applications, the decided Chang'e-6 call and the closed Luna-27 call once."""
    organisations = _institutes()
    add_applications(APPLICATIONS)
    admin = User.objects.filter(is_programme_admin=True).order_by("pk").first()
    reviewers = [profile.user for profile in ReviewerProfile.objects.select_related("user").order_by("pk")[:3]]
    if admin is None or len(reviewers) < 3:
        return
    if not Call.objects.filter(reference="ce6-2019").exists():
        _decided_call(organisations, reviewers, admin)
    if not Call.objects.filter(reference="luna27-2026").exists():
        _closed_call(organisations)
