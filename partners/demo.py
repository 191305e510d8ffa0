"""The programme's real partners (DOMAIN.md), used by `load_demo` and the benchmarks."""

from datetime import date

from .choices import OrganisationKind as K

# (name, own-language name, kind, country, city, joined, website)
PARTNERS = [
    ("China National Space Administration", "国家航天局", K.SPACE_AGENCY, "CN", "Beijing", date(2021, 3, 9),
     "https://www.cnsa.gov.cn"),
    ("Roscosmos State Corporation", "Госкорпорация «Роскосмос»", K.SPACE_AGENCY, "RU", "Moscow", date(2021, 3, 9),
     "https://www.roscosmos.ru"),
    ("Deep Space Exploration Laboratory", "深空探测实验室", K.RESEARCH_INSTITUTE, "CN", "Hefei", date(2022, 7, 1),
     ""),
    ("Bolivarian Agency for Space Activities", "Agencia Bolivariana para Actividades Espaciales",
     K.SPACE_AGENCY, "VE", "Caracas", date(2023, 7, 1), ""),
    ("South African National Space Agency", "", K.SPACE_AGENCY, "ZA", "Pretoria", date(2023, 7, 1),
     "https://www.sansa.org.za"),
    ("Azercosmos", "Azərkosmos", K.SPACE_AGENCY, "AZ", "Baku", date(2023, 7, 1), "https://azercosmos.az"),
    ("Space and Upper Atmosphere Research Commission", "پاکستان خلائی و بالائی فضائی تحقیقاتی کمیشن",
     K.SPACE_AGENCY, "PK", "Karachi", date(2023, 7, 1), "https://suparco.gov.pk"),
    ("National Academy of Sciences of Belarus", "Национальная академия наук Беларуси", K.RESEARCH_INSTITUTE,
     "BY", "Minsk", date(2023, 7, 1), ""),
    ("Egyptian Space Agency", "وكالة الفضاء المصرية", K.SPACE_AGENCY, "EG", "Cairo", date(2023, 7, 1), ""),
    ("National Astronomical Research Institute of Thailand", "สถาบันวิจัยดาราศาสตร์แห่งชาติ",
     K.RESEARCH_INSTITUTE, "TH", "Chiang Mai", date(2024, 7, 1), "https://www.narit.or.th"),
    ("Nicaraguan Space Agency", "Agencia Nicaragüense del Espacio", K.SPACE_AGENCY, "NI", "Managua",
     date(2024, 7, 1), ""),
    ("Government of Serbia — Space Programme", "Влада Србије", K.OTHER, "RS", "Belgrade", date(2024, 7, 1), ""),
    ("Kazakhstan Space Agency", "Қазақстан ғарыш агенттігі", K.SPACE_AGENCY, "KZ", "Astana", date(2024, 7, 1), ""),
    ("Senegalese Space Study Agency", "Agence Sénégalaise d'Études Spatiales", K.SPACE_AGENCY, "SN", "Dakar",
     date(2024, 7, 1), ""),
    ("Djibouti Space Programme", "Programme spatial de Djibouti", K.OTHER, "DJ", "Djibouti", date(2024, 7, 1), ""),
    ("Ethiopian Space Science and Geospatial Institute", "", K.RESEARCH_INSTITUTE, "ET", "Addis Ababa",
     date(2024, 7, 1), ""),
    ("Bolivian Space Agency", "Agencia Boliviana Espacial", K.SPACE_AGENCY, "BO", "La Paz", date(2024, 7, 1), ""),
    ("Asia-Pacific Space Cooperation Organization", "亚太空间合作组织", K.INTERNATIONAL_ORGANISATION, "",
     "Beijing", date(2023, 4, 25), "http://www.apsco.int"),
    ("International Lunar Observatory Association", "", K.INTERNATIONAL_ORGANISATION, "", "Kamuela",
     date(2022, 7, 1), "https://iloa.org"),
    ("Nano-SPACE", "", K.COMPANY, "CH", "", date(2023, 7, 1), ""),
]

DEMO_PASSWORD = "moonbase-demo-2026"
