"""Missions (DOMAIN.md), calls shaped like the real Chang'e and ILRS calls, and a few proposals for `load_demo`."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model

from partners.choices import Area, CooperationLevel
from partners.models import Organisation

from .models import Call, CooperationMode, Mission, Phase, Platform, PlatformKind, Proposal, ProposalVersion
from .services import content_hash, snapshot

User = get_user_model()
BEIJING = ZoneInfo("Asia/Shanghai")

MISSIONS = [
    ("Chang'e-4", Phase.RECONNAISSANCE, 2018, "First soft landing on the far side of the Moon, with the Yutu-2 rover."),
    ("Chang'e-5", Phase.RECONNAISSANCE, 2020, "Sample return from Oceanus Procellarum."),
    (
        "Chang'e-6",
        Phase.RECONNAISSANCE,
        2024,
        "First sample return from the far side, with payloads from four partners.",
    ),
    ("Luna-25", Phase.RECONNAISSANCE, 2023, "Russian south-polar lander."),
    ("Chang'e-7", Phase.CONSTRUCTION_1, 2026, "South-pole survey: orbiter, lander, rover and a mini flying probe."),
    ("Chang'e-8", Phase.CONSTRUCTION_1, 2028, "In-situ resource use and 3D-printing tests; about 200 kg for partners."),
    ("Luna-26", Phase.CONSTRUCTION_1, 2027, "Russian polar orbiter."),
    ("Luna-27", Phase.CONSTRUCTION_1, 2028, "Russian south-polar lander with a drill."),
    ("ILRS-1", Phase.CONSTRUCTION_2, 2031, "Command centre and basic facilities of the station."),
    ("ILRS-2", Phase.CONSTRUCTION_2, 2032, "Energy and communications facilities."),
    ("ILRS-3", Phase.CONSTRUCTION_2, 2033, "Research facilities."),
    ("ILRS-4", Phase.CONSTRUCTION_2, 2034, "In-situ resource facilities."),
    ("ILRS-5", Phase.CONSTRUCTION_2, 2035, "Robotic facilities."),
    ("Luna-28", Phase.CONSTRUCTION_2, 2032, "Russian south-polar sample return."),
]


def _platform(kind, name, *, total_mass, max_mass, total_power=120, max_power=50, peak=80, data=2000):
    return {
        "kind": kind,
        "name": name,
        "total_mass_kg": Decimal(total_mass),
        "total_average_power_w": Decimal(total_power),
        "total_data_mb_per_day": Decimal(data),
        "max_mass_kg": Decimal(max_mass),
        "max_average_power_w": Decimal(max_power),
        "max_peak_power_w": Decimal(peak),
        "max_length_mm": 300,
        "max_width_mm": 150,
        "max_height_mm": 150,
        "min_operating_temp_c": Decimal(-180),
        "max_operating_temp_c": Decimal(80),
    }


CALLS = [
    {
        "reference": "ce7-2023",
        "mission": "Chang'e-7",
        "title": "Chang'e-7 international payloads",
        "description": (
            "10 kg of payload on the lander and rover and 15 kg on the orbiter for international partners. "
            "Each payload within 300 × 150 × 150 mm, at most 10 kg and 50 W average power, operating from "
            "−180 °C to +80 °C."
        ),
        "deadline": datetime(2023, 6, 30, 23, 59, tzinfo=BEIJING),
        "status": Call.Status.CLOSED,
        "platforms": [
            _platform(PlatformKind.LANDER, "Chang'e-7 lander", total_mass=10, max_mass=10),
            _platform(PlatformKind.ORBITER, "Chang'e-7 orbiter", total_mass=15, max_mass=10),
        ],
    },
    {
        "reference": "ce8-2027",
        "mission": "Chang'e-8",
        "title": "Chang'e-8 payloads for in-situ resource use",
        "description": (
            "About 200 kg of payload capacity for partners, at most 100 kg per module. A letter of intent comes "
            "first; shortlisted teams are invited to submit a full proposal. Criteria: scientific value, "
            "technical feasibility and diversity of international collaboration."
        ),
        "has_letter_stage": True,
        "letter_deadline": datetime(2027, 1, 31, 23, 59, tzinfo=BEIJING),
        "deadline": datetime(2027, 5, 31, 23, 59, tzinfo=BEIJING),
        "status": Call.Status.OPEN,
        "platforms": [
            _platform(
                PlatformKind.LANDER,
                "Chang'e-8 lander",
                total_mass=150,
                max_mass=100,
                total_power=400,
                max_power=150,
                peak=300,
                data=8000,
            ),
            _platform(
                PlatformKind.ROVER,
                "Chang'e-8 rover",
                total_mass=50,
                max_mass=20,
                total_power=100,
                max_power=40,
                peak=60,
            ),
        ],
    },
    {
        "reference": "ilrs1-2027",
        "mission": "ILRS-1",
        "title": "ILRS-1 research facility instruments",
        "description": "Instruments for the station's first research module: environment monitoring, geophysics, "
        "astronomy from the lunar surface.",
        "deadline": datetime(2027, 3, 31, 23, 59, tzinfo=BEIJING),
        "status": Call.Status.OPEN,
        "platforms": [
            _platform(
                PlatformKind.SURFACE_STATION,
                "ILRS-1 research module",
                total_mass=300,
                max_mass=40,
                total_power=800,
                max_power=100,
                peak=200,
                data=20000,
            ),
        ],
    },
    {
        "reference": "luna28-2028",
        "mission": "Luna-28",
        "title": "Luna-28 sample analysis partnership",
        "description": "Laboratory partnerships for the analysis of south-polar samples.",
        "deadline": datetime(2028, 2, 28, 23, 59, tzinfo=ZoneInfo("Europe/Moscow")),
        "time_zone": "Europe/Moscow",
        "status": Call.Status.DRAFT,
        "platforms": [_platform(PlatformKind.LANDER, "Luna-28 lander", total_mass=20, max_mass=5)],
    },
]


def load():
    """Create the missions, calls and a few proposals; returns the number of calls. Safe to run again."""
    missions = {}
    for name, phase, year, description in MISSIONS:
        missions[name], _created = Mission.objects.get_or_create(
            name=name, defaults={"phase": phase, "target_launch_year": year, "description": description}
        )
    for spec in CALLS:
        spec = dict(spec)
        platforms = spec.pop("platforms")
        spec["mission"] = missions[spec["mission"]]
        call, created = Call.objects.get_or_create(reference=spec.pop("reference"), defaults=spec)
        if created:
            Platform.objects.bulk_create([Platform(call=call, **platform) for platform in platforms])
    _proposals()
    return Call.objects.count()


def first_version(proposal):
    """The version a submitted demo proposal would have, frozen at its submission time."""
    content = snapshot(proposal)
    ProposalVersion.objects.create(
        proposal=proposal,
        number=1,
        stage=Proposal.Stage.FULL,
        content=content,
        content_hash=content_hash(content),
        submitted_at=proposal.submitted_at,
        submitted_by=proposal.principal_investigator,
    )


def _proposals():
    narit = Organisation.objects.filter(name="National Astronomical Research Institute of Thailand").first()
    sansa = Organisation.objects.filter(name="South African National Space Agency").first()
    somchai = User.objects.filter(email="somchai.k@narit.example").first()
    thandi = User.objects.filter(email="thandi.nkosi@sansa.example").first()
    if not (narit and sansa and somchai and thandi) or Proposal.objects.exists():
        return
    ce7 = Call.objects.get(reference="ce7-2023")
    submitted = Proposal.objects.create(
        call=ce7,
        organisation=narit,
        principal_investigator=somchai,
        created_by=somchai,
        title="Lunar dust and plasma sensor",
        abstract="Measures charged dust levitation near the south pole terminator.",
        cooperation_level=CooperationLevel.EQUIPMENT,
        cooperation_mode=CooperationMode.IN_KIND,
        areas=[Area.SCIENTIFIC_OBJECTIVES, Area.PAYLOADS],
        platform=ce7.platforms.get(kind=PlatformKind.LANDER),
        mass_kg=Decimal("4.2"),
        average_power_w=Decimal("12"),
        peak_power_w=Decimal("20"),
        length_mm=200,
        width_mm=120,
        height_mm=100,
        data_mb_per_day=Decimal("150"),
        min_operating_temp_c=Decimal("-170"),
        max_operating_temp_c=Decimal("70"),
        trl_now=6,
        trl_delivery=8,
        science_objectives="Dust transport and the plasma environment at the terminator.",
        heritage="Derived from a CubeSat plasma instrument.",
        schedule="Flight model delivered 18 months after selection.",
        status=Proposal.Status.SUBMITTED,
        submitted_at=datetime(2023, 6, 20, 10, 0, tzinfo=BEIJING),
    )
    first_version(submitted)
    ilrs1 = Call.objects.get(reference="ilrs1-2027")
    Proposal.objects.create(
        call=ilrs1,
        organisation=sansa,
        principal_investigator=thandi,
        created_by=thandi,
        title="Lunar surface magnetometer",
        abstract="A fluxgate magnetometer for long-term monitoring of crustal and induced fields.",
        cooperation_level=CooperationLevel.EQUIPMENT,
        cooperation_mode=CooperationMode.IN_KIND,
        areas=[Area.SCIENTIFIC_OBJECTIVES],
        platform=ilrs1.platforms.first(),
        mass_kg=Decimal("45"),
    )
