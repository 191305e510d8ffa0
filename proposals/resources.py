"""A proposal's resource requests against its platform's per-payload limits.

The checks are kept with the proposal (`Proposal.resource_checks`: which rule each field breaks and the two figures
compared, no text), computed whenever the proposal's own fields are saved, so that a list of proposals reads them
instead of comparing every row's figures with its platform's on every request. They are put into words in the
reader's language only where a proposal breaks a rule. Nothing here reads the database.
"""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from portal import formatting

# The fields the checks read: a save that changes none of them keeps the kept checks.
CHECKED_FIELDS = frozenset(
    (
        "platform",
        "mass_kg",
        "average_power_w",
        "peak_power_w",
        "length_mm",
        "width_mm",
        "height_mm",
        "data_mb_per_day",
        "min_operating_temp_c",
        "max_operating_temp_c",
        "trl_now",
        "trl_delivery",
    )
)

# Each per-payload limit: the proposal's field, the platform's field, and the message when it is exceeded.
LIMITS = [
    (
        "mass_kg",
        "max_mass_kg",
        _("Mass %(value)s kg exceeds the %(platform)s's %(limit)s kg per-payload limit."),
    ),
    (
        "average_power_w",
        "max_average_power_w",
        _("Average power %(value)s W exceeds the %(platform)s's %(limit)s W per-payload limit."),
    ),
    (
        "peak_power_w",
        "max_peak_power_w",
        _("Peak power %(value)s W exceeds the %(platform)s's %(limit)s W per-payload limit."),
    ),
    ("length_mm", "max_length_mm", _("Length %(value)s mm exceeds the %(platform)s's %(limit)s mm envelope.")),
    ("width_mm", "max_width_mm", _("Width %(value)s mm exceeds the %(platform)s's %(limit)s mm envelope.")),
    ("height_mm", "max_height_mm", _("Height %(value)s mm exceeds the %(platform)s's %(limit)s mm envelope.")),
    (
        "data_mb_per_day",
        "total_data_mb_per_day",
        _("Data volume %(value)s MB/day exceeds the %(platform)s's total of %(limit)s MB/day."),
    ),
]

# The rules a kept check names, with their messages; "over" is the per-payload limit of LIMITS.
MESSAGES = {
    "over": {field: message for field, _limit, message in LIMITS},
    "too_cold": _("The payload must operate down to %(limit)s °C on the %(platform)s; it is rated to %(value)s °C."),
    "too_hot": _("Operating up to %(value)s °C exceeds the %(platform)s's %(limit)s °C limit."),
    "temperatures_reversed": _("The highest operating temperature is below the lowest."),
    "peak_below_average": _("Peak power cannot be lower than average power."),
    "trl_falls": _("The TRL at delivery cannot be lower than the TRL now."),
}


def figure(value):
    """A decimal as plain text without trailing zeros: 12.5, 40."""
    return f"{Decimal(value).normalize():f}"


def check(proposal, platform):
    """Each rule the proposal's resource requests break on `platform` (None: no platform chosen, nothing to check),
    as {field: {"rule": …, "value": …, "limit": …}} with the figures as text; {} when there is none."""
    if platform is None:
        return {}
    checks = {}
    for field, limit_field, _message in LIMITS:
        value, limit = getattr(proposal, field), getattr(platform, limit_field)
        if value is not None and Decimal(value) > Decimal(limit):
            checks[field] = {"rule": "over", "value": figure(value), "limit": figure(limit)}
    low, high = proposal.min_operating_temp_c, proposal.max_operating_temp_c
    if low is not None and Decimal(low) < Decimal(platform.min_operating_temp_c):
        checks["min_operating_temp_c"] = {
            "rule": "too_cold",
            "value": figure(low),
            "limit": figure(platform.min_operating_temp_c),
        }
    if high is not None and Decimal(high) > Decimal(platform.max_operating_temp_c):
        checks["max_operating_temp_c"] = {
            "rule": "too_hot",
            "value": figure(high),
            "limit": figure(platform.max_operating_temp_c),
        }
    if low is not None and high is not None and Decimal(low) > Decimal(high):
        checks["max_operating_temp_c"] = {"rule": "temperatures_reversed"}
    peak, average = proposal.peak_power_w, proposal.average_power_w
    if peak is not None and average is not None and Decimal(peak) < Decimal(average):
        checks["peak_power_w"] = {"rule": "peak_below_average"}
    if proposal.trl_now and proposal.trl_delivery and proposal.trl_delivery < proposal.trl_now:
        checks["trl_delivery"] = {"rule": "trl_falls"}
    return checks


def described(checks, kind):
    """The kept `checks` as {field: message} in the active language; `kind` names the platform (its kind's label)."""
    if not checks:
        return {}
    name = str(kind).lower()
    problems = {}
    for field, found in checks.items():
        message = MESSAGES[found["rule"]]
        if isinstance(message, dict):
            message = message[field]
        params = {"platform": name}
        if "value" in found:
            params.update(value=_shown(found["value"]), limit=_shown(found["limit"]))
        problems[field] = message % params
    return problems


def _shown(text):
    """A quantity in a message, in the reader's notation: 2,500 / 2 500 / 12,5."""
    return formatting.number(Decimal(text).normalize())


def resource_problems(proposal):
    """Each resource request of the proposal as it is in memory (saved or not) that breaks a rule of its platform,
    as {field: message}."""
    checks = check(proposal, proposal.platform)
    return described(checks, proposal.platform.get_kind_display()) if checks else {}


def kept_resource_problems(proposal):
    """The same from the checks kept with the saved proposal: nothing is compared again."""
    checks = proposal.resource_checks
    return described(checks, proposal.platform.get_kind_display()) if checks else {}
