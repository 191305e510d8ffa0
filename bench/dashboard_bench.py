"""Time the participation dashboard, the public page, the audit log and every export on a large programme.

Run against a scratch PostgreSQL database filled by `manage.py load_bench_data` (see `make bench-dashboard`):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ilrs_bench_dashboard .venv/bin/python bench/dashboard_bench.py

Settings are the shared base ones with DEBUG off, as in production; pages go through Django's test client
(the whole request: middleware, view, queries, template). The results are printed and written to the
"Dashboard, public page and exports" section of bench/RESULTS.md.
"""

import os
import platform
import re
import resource
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.base")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ["DEBUG"] = "False"
# Export files are written in this process, as a worker would, rather than queued for one.
os.environ["CELERY_TASK_ALWAYS_EAGER"] = "True"
os.environ.setdefault("MEDIA_ROOT", tempfile.mkdtemp(prefix="ilrs-bench-media-"))

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from partners.models import Organisation  # noqa: E402
from portal.accounts.models import User  # noqa: E402
from portal.audit.models import AuditEvent  # noqa: E402
from portal.dashboard import figures, services  # noqa: E402
from portal.dashboard.caching import FRESH_FOR, SETTLE, changed_at, data_version, forget_figures  # noqa: E402
from portal.dashboard.exports import EXPORTS  # noqa: E402
from portal.dashboard.models import ExportJob  # noqa: E402
from portal.dashboard.selectors import Scope  # noqa: E402
from proposals.models import Call, Proposal, Review, ReviewAssignment  # noqa: E402

RESULTS = ROOT / "bench" / "RESULTS.md"
SECTION = "## Dashboard, public page and exports"
START, END = "<!-- dashboard:start -->", "<!-- dashboard:end -->"
RUNS = 7
DATE = date.today().isoformat()


def timed(action, runs=RUNS, *, cold=False):
    """Median and slowest of `runs` timings in seconds, after one warm-up run.

    With `cold`, the dashboard's cached figures are forgotten before each run (not timed), as after any
    change to the data.
    """
    action()
    times = []
    for _run in range(runs):
        if cold:
            forget_figures()
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times), max(times)


def settle():
    """Wait until the last change is old enough for the dashboard to keep its figures (caching.SETTLE)."""
    time.sleep(max(0.0, changed_at(data_version()) + SETTLE + 0.1 - time.time()))


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def get(client, url, query=None):
    response = client.get(url, query or {})
    assert response.status_code == 200, (url, response.status_code)
    if response.streaming:
        return sum(len(chunk) for chunk in response.streaming_content)
    return len(response.content)


def query_count(client, url, query=None):
    with CaptureQueriesContext(connection) as captured:
        get(client, url, query)
    return len(captured)


def slowest_queries(action, top=5):
    """The time all of `action`'s queries took together, and the slowest of them."""
    with CaptureQueriesContext(connection) as captured:
        action()
    queries = sorted(captured.captured_queries, key=lambda q: -float(q["time"]))
    total = sum(float(q["time"]) for q in queries)
    return total, [(float(q["time"]), re.sub(r"\s+", " ", q["sql"])[:110]) for q in queries[:top]]


def machine():
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor(),
    )
    memory = int(Path("/proc/meminfo").read_text().split()[1]) // 1024 // 1024
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0].split()[0]
    return (
        f"{model}, {os.cpu_count()} CPUs, {memory} GB RAM; PostgreSQL {postgres} on the same machine; "
        f"Python {platform.python_version()}, Django {django.get_version()}"
    )


def main():
    if connection.vendor != "postgresql":
        sys.exit("Run the benchmark on PostgreSQL: set DATABASE_URL.")
    if settings.DEBUG:
        sys.exit("DEBUG must be off.")
    with connection.cursor() as cursor:
        # A freshly bulk-loaded database has no planner statistics yet; a live one has them.
        cursor.execute("ANALYZE")
    sizes = {
        "organisations": Organisation.objects.count(),
        "proposals": Proposal.objects.count(),
        "review assignments": ReviewAssignment.objects.count(),
        "reviews": Review.objects.count(),
        "calls": Call.objects.count(),
        "audit events": AuditEvent.objects.count(),
    }
    admin, _created = User.objects.get_or_create(
        email="bench.dashboard@bench.example",
        defaults={"full_name": "Bench Dashboard", "is_programme_admin": True},
    )
    client = Client()
    client.force_login(admin)
    dashboard = reverse("dashboard:dashboard")
    a_call = Call.objects.filter(status=Call.Status.DECIDED).order_by("pk").first()

    rows = []

    def page(label, url, query=None, *, visitor=client, cold=False):
        if not cold:
            settle()
        median, slowest = timed(lambda: get(visitor, url, query), cold=cold)
        size = get(visitor, url, query)
        if cold:
            forget_figures()
        rows.append((label, median, slowest, query_count(visitor, url, query), f"{size / 1024:.0f} KB"))

    median, slowest = timed(lambda: figures.build_sections(Scope()))
    rows.append(("Dashboard figures computed (queries and charts, no cache, no HTTP)", median, slowest, "", ""))
    page("Dashboard page, no filter, first view after a change", dashboard, cold=True)
    page("Dashboard page, no filter, cached", dashboard)
    page("Dashboard page, one call, first view after a change", dashboard, {"call": a_call.pk}, cold=True)
    page("Dashboard page, one call, cached", dashboard, {"call": a_call.pk})
    page(
        "Dashboard page, one phase and year, first view",
        dashboard,
        {"phase": "construction_1", "year": 2025},
        cold=True,
    )
    page(
        "Dashboard figure as CSV (reviewers' load)",
        reverse("dashboard:figure_export", args=["review", "reviewer_load", "csv"]),
    )
    page("Public participation page (anonymous)", reverse("dashboard:participation"), visitor=Client())
    page("Audit log, first page", reverse("dashboard:audit_log"))
    page("Audit log, filtered by action", reverse("dashboard:audit_log"), {"action": "proposal.withdrawn"})
    page("Exports page (with row counts)", reverse("dashboard:export_list"))

    exports = []
    for kind, export in EXPORTS.items():
        url = reverse("dashboard:export_stream", args=[kind])
        start = time.perf_counter()
        size = get(client, url)
        streamed = time.perf_counter() - start
        start = time.perf_counter()
        job = services.request_export(kind=kind, file_format=ExportJob.Format.XLSX, by=admin)
        job.refresh_from_db()
        excel = time.perf_counter() - start
        assert job.status == ExportJob.Status.DONE, job.error
        exports.append((export.title, job.rows_done, streamed, size, excel, job.file.size, peak_rss_mb()))
        job.file.delete()

    slow = slowest_queries(lambda: figures.build_sections(Scope()))
    report = render(sizes, rows, exports, slow)
    print(report)
    write(report)


def ms(seconds):
    return f"{seconds * 1000:,.0f} ms"


def cache_backend():
    backend = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    return "Redis (REDIS_URL), as deployed" if backend == "RedisCache" else f"{backend}, in this process"


def render(sizes, rows, exports, slow):
    lines = [
        SECTION,
        "",
        f"Measured {DATE} on {machine()}. Data: "
        + ", ".join(f"{count:,} {name}" for name, count in sizes.items())
        + " (made by `manage.py load_bench_data`).",
        "",
        "Rerun: `createdb -h 127.0.0.1 -U postgres ilrs_bench_dashboard` once, then `make bench-dashboard` "
        "(migrates, loads the programme if the database is empty, measures), or by hand:",
        "",
        "```",
        "export DATABASE_URL=postgres://postgres@127.0.0.1:5432/ilrs_bench_dashboard",
        "export REDIS_URL=redis://127.0.0.1:6379/0  # optional: the cache as deployed",
        ".venv/bin/python manage.py migrate && .venv/bin/python manage.py load_bench_data",
        ".venv/bin/python bench/dashboard_bench.py",
        "```",
        "",
        f"Pages through Django's test client with DEBUG off, the median and the slowest of {RUNS} runs after a "
        f"warm-up. Cache: {cache_backend()}. The dashboard keeps its figures in the cache until any counted row "
        f"changes (or for {FRESH_FOR // 60} minutes; from {SETTLE} s after the change): a *first view after a "
        "change* runs every aggregate query and renders the figures, a *cached* one reads the rendered figures "
        "back; both are given. The query counts are those of a first view.",
        "",
        "| What | Median | Slowest | Queries | Size |",
        "|---|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {label} | {ms(median)} | {ms(slowest)} | {queries} | {size} |"
        for label, median, slowest, queries, size in rows
    ]
    lines += [
        "",
        "Exports, once each: the CSV streamed through the page (read to the end), then the Excel file written by "
        "the background task (run in-process here). Peak memory is the process's highest resident size so far, "
        "so a number that stays flat means the export did not hold its rows in memory.",
        "",
        "| Export | Rows | CSV streamed | CSV size | Excel file | Excel size | Peak memory of the process |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {title} | {count:,} | {ms(csv_time)} | {csv_size / 1e6:.1f} MB | {ms(excel_time)} "
        f"| {excel_size / 1e6:.1f} MB | {rss:.0f} MB |"
        for title, count, csv_time, csv_size, excel_time, excel_size, rss in exports
    ]
    database_time, slowest = slow
    timings = {label: median for label, median, *_rest in rows}
    lines += [
        "",
        f"Reading: at this size the dashboard's aggregate queries alone take {ms(database_time)} together (the "
        "slowest are listed below), more than the half-second aim, so the rendered figures are cached and "
        "forgotten on every change to a counted row (`portal/dashboard/caching.py`): a cached view takes "
        f"{ms(timings['Dashboard page, no filter, cached'])}, the first view after a change "
        f"{ms(timings['Dashboard page, no filter, first view after a change'])}. Filtered views read fewer rows. "
        "An Excel file takes several times longer than the same CSV (openpyxl writes each cell as XML), which "
        "is why files are written by a Celery task whose page shows the progress; a CSV starts streaming at once.",
        "",
        "Slowest queries of the dashboard (one run, no filter):",
        "",
    ]
    lines += [f"- {seconds * 1000:.0f} ms: `{sql}…`" for seconds, sql in slowest]
    return "\n".join(lines) + "\n"


def write(section):
    """Replace this benchmark's part of bench/RESULTS.md (between its markers), keeping every other part."""
    block = f"{START}\n{section.rstrip()}\n{END}\n"
    text = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    pattern = re.compile(rf"^{re.escape(START)}\n.*?^{re.escape(END)}\n?", re.S | re.M)
    if not pattern.search(text):
        text = text.rstrip("\n") + "\n\n" + START + "\n" + END + "\n"
    RESULTS.write_text(pattern.sub(lambda _match: block, text))


if __name__ == "__main__":
    main()
