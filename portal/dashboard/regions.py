"""Countries grouped by the continental regions of the UN M49 standard.

django-countries knows no continents, so the grouping is kept here, one line per region; a test checks
that every ISO 3166 code django-countries offers belongs to exactly one region. Antarctica has no M49
region and is kept apart; an organisation without a country is international.
"""

from django.utils.translation import gettext_lazy as _

AFRICA, AMERICAS, ANTARCTICA, ASIA, EUROPE, OCEANIA, INTERNATIONAL, UNKNOWN = (
    "africa",
    "americas",
    "antarctica",
    "asia",
    "europe",
    "oceania",
    "international",
    "unknown",
)

REGION_LABELS = {
    AFRICA: _("Africa"),
    AMERICAS: _("Americas"),
    ASIA: _("Asia"),
    EUROPE: _("Europe"),
    OCEANIA: _("Oceania"),
    ANTARCTICA: _("Antarctica"),
    INTERNATIONAL: _("International organisations"),
    UNKNOWN: _("Region not known"),
}

# M49 sub-regions in order, so each line can be checked against the published table.
_M49 = {
    AFRICA: (
        "DZ EG EH LY MA SD TN "  # Northern Africa
        "BI DJ ER ET IO KE KM MG MU MW MZ RE RW SC SO SS TF TZ UG YT ZM ZW "  # Eastern Africa
        "AO CD CF CG CM GA GQ ST TD "  # Middle Africa
        "BW LS NA SZ ZA "  # Southern Africa
        "BF BJ CI CV GH GM GN GW LR ML MR NE NG SH SL SN TG"  # Western Africa
    ),
    AMERICAS: (
        "AG AI AW BB BL BQ BS CU CW DM DO GD GP HT JM KN KY LC MF MQ MS PR SX TC TT VC VG VI "  # Caribbean
        "BZ CR GT HN MX NI PA SV "  # Central America
        "AR BO BR BV CL CO EC FK GF GS GY PE PY SR UY VE "  # South America
        "BM CA GL PM US"  # Northern America
    ),
    ASIA: (
        "KG KZ TJ TM UZ "  # Central Asia
        "CN HK JP KP KR MN MO TW "  # Eastern Asia
        "BN ID KH LA MM MY PH SG TH TL VN "  # South-eastern Asia
        "AF BD BT IN IR LK MV NP PK "  # Southern Asia
        "AE AM AZ BH CY GE IL IQ JO KW LB OM PS QA SA SY TR YE"  # Western Asia
    ),
    EUROPE: (
        "BG BY CZ HU MD PL RO RU SK UA "  # Eastern Europe
        "AX DK EE FI FO GB GG IE IM IS JE LT LV NO SE SJ "  # Northern Europe
        "AD AL BA ES GI GR HR IT ME MK MT PT RS SI SM VA "  # Southern Europe
        "AT BE CH DE FR LI LU MC NL"  # Western Europe
    ),
    OCEANIA: (
        "AU CC CX HM NF NZ "  # Australia and New Zealand
        "FJ NC PG SB VU "  # Melanesia
        "FM GU KI MH MP NR PW UM "  # Micronesia
        "AS CK NU PF PN TK TO TV WF WS"  # Polynesia
    ),
    ANTARCTICA: "AQ",
}

REGION_OF = {code: region for region, codes in _M49.items() for code in codes.split()}


def region_of(country_code):
    """The M49 region of an ISO country code; no code means an international organisation."""
    if not country_code:
        return INTERNATIONAL
    return REGION_OF.get(str(country_code).upper(), UNKNOWN)


def region_label(region):
    return REGION_LABELS[region]
