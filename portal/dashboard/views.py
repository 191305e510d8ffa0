from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal import spreadsheets
from portal.errors import DomainError
from portal.files import file_response
from portal.permissions import requires
from portal.views import paginate, sort_by
from proposals.selectors import open_calls

from . import figures, permissions, selectors, services
from .caching import cached
from .exports import EXPORTS
from .filters import AuditEventFilter
from .forms import DashboardFilterForm, ExportRequestForm

# Public -----------------------------------------------------------------------------------------


def participation(request):
    totals, public_figures = figures.participation()
    context = {
        "totals": totals,
        "figures": public_figures,
        "phases": figures.phase_timeline(),
        "open_calls": open_calls().order_by("deadline", "pk"),
    }
    return render(request, "dashboard/participation.html", context)


# Dashboard --------------------------------------------------------------------------------------


@requires(permissions.can_view_dashboard)
def dashboard(request):
    form = DashboardFilterForm(request.GET or None)
    return render(request, "dashboard/dashboard.html", {"form": form, "sections": _sections_html(form.scope())})


def _sections_html(scope):
    """The figures as HTML, kept in the cache like the figures: a cached dashboard is a single read."""

    def render_sections():
        context = {"sections": figures.dashboard_sections(scope), "query": f"?{scope.key}" if scope.key else ""}
        return render_to_string("dashboard/_sections.html", context)

    return cached("sections-html", scope.key, render_sections)


@requires(permissions.can_view_dashboard)
def figure_export(request, section, key, file_format):
    """One figure's table as CSV or Excel, with the dashboard's filters."""
    figure = figures.find_figure(DashboardFilterForm(request.GET or None).scope(), section, key)
    if figure is None:
        raise Http404
    filename = f"{figure.key}-{timezone.localdate():%Y%m%d}.{file_format}"
    if file_format == "csv":
        return spreadsheets.csv_response(filename, figure.columns, figure.rows)
    # A figure is a few hundred rows at most: the workbook is built in memory.
    return spreadsheets.xlsx_response(filename, figure.title, figure.columns, figure.rows)


# Exports ----------------------------------------------------------------------------------------


@requires(permissions.can_export)
def export_list(request):
    context = {
        "exports": [{"export": export, "rows": export.count()} for export in EXPORTS.values()],
        "jobs": selectors.export_jobs_of(request.user),
        "form": ExportRequestForm(),
    }
    return render(request, "dashboard/export_list.html", context)


@requires(permissions.can_export)
def export_stream(request, kind):
    """The export as CSV, streamed as it is read from the database."""
    export = EXPORTS.get(kind)
    if export is None:
        raise Http404
    services.record_streamed_export(kind=kind, by=request.user)
    filename = f"{kind}-{timezone.localdate():%Y%m%d}.csv"
    return spreadsheets.csv_response(filename, export.header, export.rows(viewer=request.user))


@requires(permissions.can_export)
@require_POST
def export_request(request):
    form = ExportRequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose an export and a format."))
        return redirect("dashboard:export_list")
    try:
        job = services.request_export(
            kind=form.cleaned_data["kind"], file_format=form.cleaned_data["file_format"], by=request.user
        )
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("dashboard:export_list")
    return redirect("dashboard:export_job", pk=job.pk)


@requires(permissions.can_export)
def export_job(request, pk):
    job = selectors.get_export_job_for(user=request.user, pk=pk)
    return render(request, "dashboard/export_job.html", {"job": job, "retention_days": services.RETENTION.days})


@requires(permissions.can_export)
def export_download(request, pk):
    job = selectors.get_export_job_for(user=request.user, pk=pk, for_download=True)
    return file_response(job.file, filename=job.file.name.rsplit("/", 1)[-1])


# Audit ------------------------------------------------------------------------------------------


# The audit log's sortable columns (newest first unless one is chosen).
AUDIT_SORTS = {"time": ("created_at",), "actor": ("actor__full_name",), "organisation": ("organisation__name",)}


@requires(permissions.can_browse_audit)
def audit_log(request):
    filterset = AuditEventFilter(request.GET, queryset=selectors.audit_events())
    events, sort = sort_by(request, filterset.qs, AUDIT_SORTS)
    context = {"filter": filterset, "page": paginate(request, events, per_page=50), "sort": sort}
    return render(request, "dashboard/audit_log.html", context)
