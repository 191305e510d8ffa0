"""How moments and numbers read in the active language: one function each, for pages, emails and messages."""

import functools
from datetime import datetime
from numbers import Number
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import get_language


def zone_name(local):
    """The zone of an aware moment as people read it: "UTC", or "CST (Asia/Shanghai)" where the abbreviation alone
    is ambiguous or only an offset ("+08")."""
    abbreviation = local.tzname()
    key = getattr(local.tzinfo, "key", abbreviation)
    return abbreviation if abbreviation == key else f"{abbreviation} ({key})"


def when(moment, zone=None):
    """Date and time in the active language's format, in `zone` (a name or tzinfo; by default the active zone:
    the signed-in person's, or an email recipient's), followed by the zone's name."""
    if not isinstance(moment, datetime):
        return ""
    if isinstance(zone, str):
        zone = ZoneInfo(zone)
    return _when(moment, zone or timezone.get_current_timezone(), get_language())


# A list shows the same few deadlines on every row: each is written once per zone and language.
@functools.lru_cache(maxsize=4096)
def _when(moment, zone, language):
    local = timezone.localtime(moment, zone)
    return f"{date_format(local, 'DATETIME_FORMAT')} {zone_name(local)}"


def number(value, decimal_places=None):
    """A number in the active language's notation with its thousands grouped: 12,345.5 / 12 345,5."""
    if not isinstance(value, Number) or isinstance(value, bool):
        return value
    return number_format(value, decimal_pos=decimal_places, use_l10n=True, force_grouping=True)


def beside(name, native):
    """A name with the partner's own-script form beside it, "Seismometer · 月震仪", when there is one."""
    native = (native or "").strip()
    if not native or native == name:
        return name
    return f"{name} · {native}"
