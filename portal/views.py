from django.conf import settings
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import F
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from partners.selectors import public_directory
from portal.errors import DomainError
from proposals import phases


def rate_limit(setting):
    """A django-ratelimit rate read from settings at request time, so deployments (and tests) can change it."""

    def rate(group, request):
        return getattr(settings, setting)

    return rate


def too_many_requests(request, exception):
    return render(request, "too_many_requests.html", status=429)


def bad_request(request, exception=None):
    """A request that cannot be read (too large a body, an unknown Host, characters no text may hold): JSON under
    /api/, a page elsewhere. Django answers so for the errors it finds itself (handler400), the portal
    (portal.middleware.CleanInputMiddleware) for those it refuses."""
    if request.path.startswith("/api/"):
        detail = _("The request could not be read: too large, malformed, or holding characters no text may hold.")
        return JsonResponse({"detail": str(detail)}, status=400)
    return render(request, "400.html", status=400)


def posted_object(request, queryset, field, message):
    """The object whose id a form posted as `field`, among `queryset`; a missing, tampered or unknown id is refused
    with `message` (a DomainError naming the field)."""
    try:
        found = queryset.filter(pk=int(request.POST.get(field, ""))).first()
    except ValueError:
        found = None
    if found is None:
        raise DomainError(message, field=field)
    return found


def paginate(request, queryset, per_page=25):
    """One page of a list, from the `page` query parameter; out-of-range pages show the last one."""
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def sort_by(request, queryset, sorts, tiebreak="pk"):
    """The queryset in the order the `sort` query parameter names, and that parameter as understood.

    `sorts` maps each sortable column's key to the fields it orders by ("-" first for a field that runs the
    other way); `sort=-key` reverses them. An unknown key keeps the queryset's own order and answers "".
    Empty values come last either way, and `tiebreak` keeps pages stable when values repeat.
    """
    sort = request.GET.get("sort", "")
    descending = sort.startswith("-")
    fields = sorts.get(sort[1:] if descending else sort)
    if not fields:
        return queryset, ""
    order = []
    for field in (*fields, tiebreak):
        reverse = field.startswith("-") != descending
        expression = F(field.lstrip("-"))
        order.append(expression.desc(nulls_last=True) if reverse else expression.asc(nulls_last=True))
    return queryset.order_by(*order), sort


def home(request):
    directory = public_directory()
    return render(
        request,
        "home.html",
        {
            "phases": phases.timeline(),
            "partner_count": directory.count(),
            "recent_partners": directory.order_by("-joined_on")[:6],
        },
    )


@require_GET
@never_cache
def healthz(request):
    return JsonResponse({"status": "ok"})


def _check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _check_broker():
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return
    from portal.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)


@require_GET
@never_cache
def readyz(request):
    """Ready when the database and the broker answer; otherwise 503 naming what failed."""
    checks = {}
    for name, check in (("database", _check_database), ("broker", _check_broker)):
        try:
            check()
            checks[name] = "ok"
        except Exception as exc:
            checks[name] = f"unavailable: {type(exc).__name__}"
    ready = all(value == "ok" for value in checks.values())
    return JsonResponse({"status": "ok" if ready else "unavailable", "checks": checks}, status=200 if ready else 503)


def bench_hello(request):
    """The smallest response through the whole middleware stack, no database: what the load benchmark compares to."""
    return HttpResponse("hello", content_type="text/plain")
