"""The programme's real partners (DOMAIN.md), used by `load_demo` and the benchmarks, and the demo's applications."""

from datetime import date, timedelta

from django.utils import timezone

from .choices import Area, CooperationLevel
from .choices import OrganisationKind as K
from .models import Registration

# (name, own-language name, kind, country, city, joined, website)
PARTNERS = [
    (
        "China National Space Administration",
        "国家航天局",
        K.SPACE_AGENCY,
        "CN",
        "Beijing",
        date(2021, 3, 9),
        "https://www.cnsa.gov.cn",
    ),
    (
        "Roscosmos State Corporation",
        "Госкорпорация «Роскосмос»",
        K.SPACE_AGENCY,
        "RU",
        "Moscow",
        date(2021, 3, 9),
        "https://www.roscosmos.ru",
    ),
    ("Deep Space Exploration Laboratory", "深空探测实验室", K.RESEARCH_INSTITUTE, "CN", "Hefei", date(2022, 7, 1), ""),
    (
        "Bolivarian Agency for Space Activities",
        "Agencia Bolivariana para Actividades Espaciales",
        K.SPACE_AGENCY,
        "VE",
        "Caracas",
        date(2023, 7, 1),
        "",
    ),
    (
        "South African National Space Agency",
        "",
        K.SPACE_AGENCY,
        "ZA",
        "Pretoria",
        date(2023, 7, 1),
        "https://www.sansa.org.za",
    ),
    ("Azercosmos", "Azərkosmos", K.SPACE_AGENCY, "AZ", "Baku", date(2023, 7, 1), "https://azercosmos.az"),
    (
        "Space and Upper Atmosphere Research Commission",
        "پاکستان خلائی و بالائی فضائی تحقیقاتی کمیشن",
        K.SPACE_AGENCY,
        "PK",
        "Karachi",
        date(2023, 7, 1),
        "https://suparco.gov.pk",
    ),
    (
        "National Academy of Sciences of Belarus",
        "Национальная академия наук Беларуси",
        K.RESEARCH_INSTITUTE,
        "BY",
        "Minsk",
        date(2023, 7, 1),
        "",
    ),
    ("Egyptian Space Agency", "وكالة الفضاء المصرية", K.SPACE_AGENCY, "EG", "Cairo", date(2023, 7, 1), ""),
    (
        "National Astronomical Research Institute of Thailand",
        "สถาบันวิจัยดาราศาสตร์แห่งชาติ",
        K.RESEARCH_INSTITUTE,
        "TH",
        "Chiang Mai",
        date(2024, 7, 1),
        "https://www.narit.or.th",
    ),
    (
        "Nicaraguan Space Agency",
        "Agencia Nicaragüense del Espacio",
        K.SPACE_AGENCY,
        "NI",
        "Managua",
        date(2024, 7, 1),
        "",
    ),
    ("Government of Serbia — Space Programme", "Влада Србије", K.OTHER, "RS", "Belgrade", date(2024, 7, 1), ""),
    ("Kazakhstan Space Agency", "Қазақстан ғарыш агенттігі", K.SPACE_AGENCY, "KZ", "Astana", date(2024, 7, 1), ""),
    (
        "Senegalese Space Study Agency",
        "Agence Sénégalaise d'Études Spatiales",
        K.SPACE_AGENCY,
        "SN",
        "Dakar",
        date(2024, 7, 1),
        "",
    ),
    ("Djibouti Space Programme", "Programme spatial de Djibouti", K.OTHER, "DJ", "Djibouti", date(2024, 7, 1), ""),
    (
        "Ethiopian Space Science and Geospatial Institute",
        "",
        K.RESEARCH_INSTITUTE,
        "ET",
        "Addis Ababa",
        date(2024, 7, 1),
        "",
    ),
    ("Bolivian Space Agency", "Agencia Boliviana Espacial", K.SPACE_AGENCY, "BO", "La Paz", date(2024, 7, 1), ""),
    (
        "Asia-Pacific Space Cooperation Organization",
        "亚太空间合作组织",
        K.INTERNATIONAL_ORGANISATION,
        "",
        "Beijing",
        date(2023, 4, 25),
        "http://www.apsco.int",
    ),
    (
        "International Lunar Observatory Association",
        "",
        K.INTERNATIONAL_ORGANISATION,
        "",
        "Kamuela",
        date(2022, 7, 1),
        "https://iloa.org",
    ),
    ("Nano-SPACE", "", K.COMPANY, "CH", "", date(2023, 7, 1), ""),
]

DEMO_PASSWORD = "moonbase-demo-2026"

# Applications waiting for an administrator:
# (name, own-language name, kind, country, city, contact, contact's email, days since they were sent)
APPLICATIONS = [
    (
        "Hefei University of Technology",
        "合肥工业大学",
        K.UNIVERSITY,
        "CN",
        "Hefei",
        "Zhang Min",
        "zhang.min@hfut.example",
        0,
    ),
    ("Universidad Mayor de San Andrés", "", K.UNIVERSITY, "BO", "La Paz", "Ana Quispe", "ana.quispe@umsa.example", 0),
    (
        "South African National Space Agency",
        "",
        K.SPACE_AGENCY,
        "ZA",
        "Hermanus",
        "Johan Botha",
        "johan.botha@sansa.example",
        0,
    ),
]


def add_applications(applications):
    """Add each application (as in APPLICATIONS) waiting for an administrator, unless its contact has one already."""
    now = timezone.now()
    for name, native, kind, country, city, contact, email, days in applications:
        sent = now - timedelta(days=days)
        Registration.objects.get_or_create(
            contact_email=email,
            defaults={
                "name": name,
                "native_name": native,
                "kind": kind,
                "country": country,
                "city": city,
                "areas": [Area.SCIENTIFIC_OBJECTIVES, Area.TALENT_TRAINING],
                "cooperation_levels": [CooperationLevel.EQUIPMENT],
                "contact_name": contact,
                "terms_accepted_at": sent,
                "status": Registration.Status.PENDING_REVIEW,
                "submitted_at": sent,
                "email_verified_at": sent,
                "queued_at": sent,
            },
        )
