from django.utils.dateparse import parse_datetime

from . import services


def second_factor(request):
    """The moment by which the signed-in person must set up a second factor, for the banner on every page."""
    session = getattr(request, "session", None)
    if session is None:
        return {}
    enrol_by = parse_datetime(session.get(services.ENROL_BY) or "")
    return {"second_factor_enrol_by": enrol_by} if enrol_by else {}
