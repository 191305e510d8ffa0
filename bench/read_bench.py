"""The Django process's CPU per answer, made afresh, for the portal's busiest lists, details and an administrator's
call screens, in-process through Django's test client with production settings (DEBUG off, no copies of answers).

    .venv/bin/python bench/read_bench.py                     # DATABASE_URL defaults to the dashboard benchmark's
    .venv/bin/python bench/read_bench.py --save before.json  # keep this run's figures ...
    .venv/bin/python bench/read_bench.py --before before.json  # ... and show them beside a later run's

Data: the programme of `manage.py load_bench_data` and, beside it, one call of pretalx's shape (2,000 proposals,
6,000 reviews, 60 reviewers; bench/review_call_data.py), both loaded when missing. Each address is requested
twice first (caches of templates, translations and the like warm, as in a running worker), then its queries are
counted, then `time.process_time()` is read around each of `--repeat` requests (the median is given: CPU of this
process only, so PostgreSQL's own work is not counted and a busy machine inflates the figures less than a clock
would), then 5 more requests run under cProfile, whose top lines by own time are kept. The table goes to the
"reads" section of bench/RESULTS.md unless `--no-write`.
"""

import argparse
import cProfile
import io
import json
import pstats
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import harness

ADMIN_EMAIL = "bench.reads@bench.example"


@dataclass
class Target:
    label: str
    path: str
    user: object = None
    token: str = ""
    goal: float = 0.010  # seconds of Django CPU per answer: 10 ms for a list or detail, 50 ms for a call screen
    queries: int = 0
    cpu: float = 0.0
    best: float = 0.0
    bare: float = 0.0  # the bare view's CPU per answer, measured between this address's requests
    size: int = 0
    profile: str = ""


def arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=20, help="timed requests per address (the median is given)")
    parser.add_argument("--only", default="", help="measure only the addresses whose label contains this text")
    parser.add_argument("--save", type=Path, help="write this run's figures to a JSON file")
    parser.add_argument("--before", type=Path, help="a JSON file of an earlier run, shown beside this one")
    parser.add_argument("--no-write", action="store_true", help="print the table, leave bench/RESULTS.md as it is")
    parser.add_argument("--profile-lines", type=int, default=8)
    return parser.parse_args()


def prepare():
    """The addresses, and the person each is requested as."""
    from django.db.models import Count
    from rest_framework.authtoken.models import Token
    from review_call_data import REFERENCE

    from partners.models import Organisation
    from portal.accounts.models import User
    from proposals.models import Call, Proposal, ReviewAssignment

    admin, _created = User.objects.get_or_create(
        email=ADMIN_EMAIL, defaults={"full_name": "Bench Reads", "is_programme_admin": True}
    )
    call = Call.objects.get(reference=REFERENCE)
    in_call = Proposal.objects.filter(call=call).annotate(team_size=Count("team")).order_by("-team_size", "pk")
    detail = in_call.first()
    reviewer = ReviewAssignment.objects.filter(proposal__call=call).order_by("pk").first().reviewer
    sizes = list(
        Organisation.objects.filter(status=Organisation.Status.ACTIVE)
        .annotate(proposal_count=Count("proposals"))
        .filter(proposal_count__gt=0)
        .order_by("proposal_count", "pk")
        .values_list("pk", "proposal_count")
    )
    busy_pk, busy_count = sizes[int(len(sizes) * 0.9)]
    mine = (
        Proposal.objects.filter(organisation_id=busy_pk)
        .annotate(team_size=Count("team"))
        .order_by("-team_size", "pk")
        .first()
    )
    partner = mine.principal_investigator

    def token(user):
        return Token.objects.get_or_create(user=user)[0].key

    admin_token = token(admin)
    screen = 0.050
    return [
        Target("Bare Django view (/bench/hello), for scale", "/bench/hello", goal=0.0003),
        Target(
            "Proposals API, administrator, call of 2,000, 50 a page",
            f"/api/v1/proposals/?call={call.pk}&page_size=50",
            token=admin_token,
        ),
        Target(
            f"Proposal detail API, administrator ({detail.team_size} co-investigators)",
            f"/api/v1/proposals/{detail.pk}/",
            token=admin_token,
        ),
        Target(
            f"Proposals API, partner ({busy_count} proposals), 25 a page", "/api/v1/proposals/", token=token(partner)
        ),
        Target("Reviews API, administrator, 50 a page", "/api/v1/reviews/?page_size=50", token=admin_token),
        Target(
            "Assignments API, reviewer's own (100), 50 a page",
            "/api/v1/assignments/?page_size=50",
            token=token(reviewer),
        ),
        Target(
            "Call's assignments API, administrator, 50 a page",
            f"/api/v1/calls/{call.pk}/assignments/?page_size=50",
            token=admin_token,
        ),
        Target(
            "Ranking API, administrator, 50 a page", f"/api/v1/calls/{call.pk}/ranking/?page_size=50", token=admin_token
        ),
        Target(
            "Ranking and decisions page, administrator, 100 rows",
            f"/manage/calls/{call.pk}/ranking/",
            user=admin,
            goal=screen,
        ),
        Target(
            "Call review page (review board), administrator",
            f"/manage/calls/{call.pk}/review/",
            user=admin,
            goal=screen,
        ),
        Target(
            "Release-decisions page, administrator (2,000 undecided)",
            f"/manage/calls/{call.pk}/release/",
            user=admin,
            goal=screen,
        ),
        Target(
            "Call submissions page, administrator", f"/manage/calls/{call.pk}/submissions/", user=admin, goal=screen
        ),
        Target(
            f"Proposal page, its principal investigator ({mine.team_size} co-investigators)",
            f"/proposals/{mine.pk}/",
            user=partner,
        ),
        Target(f"My proposals page, partner ({busy_count} proposals)", "/proposals/", user=partner),
    ]


def measure(target, repeat, profile_lines):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    extra = {}
    if target.user is not None:
        client.force_login(target.user)
    if target.token:
        extra["HTTP_AUTHORIZATION"] = f"Token {target.token}"
    for _warm in range(2):
        response = client.get(target.path, **extra)
    assert response.status_code == 200, (target.path, response.status_code)
    target.size = len(response.content)
    with CaptureQueriesContext(connection) as captured:
        client.get(target.path, **extra)
    target.queries = len(captured)
    # The bare view is timed between this address's requests: the machine is shared, and the ratio of the two
    # says more than either alone when other work comes and goes.
    bare = Client()
    times, bare_times = [], []
    for _request in range(repeat):
        start = time.process_time()
        client.get(target.path, **extra)
        times.append(time.process_time() - start)
        start = time.process_time()
        bare.get("/bench/hello")
        bare_times.append(time.process_time() - start)
    target.cpu, target.best = statistics.median(times), min(times)
    target.bare = statistics.median(bare_times)
    profiler = cProfile.Profile()
    profiler.enable()
    for _request in range(5):
        client.get(target.path, **extra)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(profile_lines)
    lines = [line for line in out.getvalue().splitlines() if line.strip()]
    start = next(n for n, line in enumerate(lines) if line.lstrip().startswith("ncalls"))
    site = str(Path(sys.executable).resolve().parent.parent)
    target.profile = "\n".join(
        line.replace(str(harness.ROOT), ".").replace(site, "venv") for line in lines[start : start + profile_lines + 1]
    )


def render(targets, before, busy, machine, repeat):
    """The section of bench/RESULTS.md: the table, and each address's profile."""
    earlier = {row["label"]: row for row in before or []}
    lines = [
        "## Reads made afresh: Django CPU per answer",
        "",
        f"Measured {harness.DATE} on {machine}. Load average over 1 / 5 / 15 minutes {busy[0]} before the run, "
        f"{busy[1]} after (the machine has 2 cores and is shared: a higher load inflates every figure).",
        "",
        "Rerun: `.venv/bin/python bench/read_bench.py` (same database and data sets as `make bench`). In-process, "
        "through Django's test client with production settings and no copies of answers; the CPU time of the Django "
        f"process (`time.process_time`, so PostgreSQL's own work is not counted), median of {repeat} requests after "
        "two warm-up requests. Goals: 10 ms for a list (50 rows) or a detail, 50 ms for an administrator's call "
        "screen on the call of 2,000 proposals.",
        "",
    ]
    header = "| Address | Queries | CPU, median | CPU, best | × bare view | Size | Goal |"
    rule = "|---|---:|---:|---:|---:|---:|---|"
    if earlier:
        header = (
            "| Address | Queries before → after | CPU before (× bare view) | **CPU after** (× bare view) | CPU, best "
            "| Size | Goal |"
        )
        rule = "|---|---:|---:|---:|---:|---:|---|"
    lines += [header, rule]
    for target in targets:
        met = "met" if target.cpu <= target.goal else "**not met**"
        goal = f"≤ {target.goal * 1000:.0f} ms: {met}"
        cpu = f"{target.cpu * 1000:.1f} ms"
        times_bare = f"{target.cpu / target.bare:.0f}×"
        if earlier:
            old = earlier.get(target.label)
            queries = f"{old['queries']} → {target.queries}" if old else f"{target.queries}"
            old_cpu = f"{old['cpu'] * 1000:.1f} ms ({old['cpu'] / old['bare']:.0f}×)" if old else "—"
            lines.append(
                f"| {target.label} | {queries} | {old_cpu} | **{cpu}** ({times_bare}) | {target.best * 1000:.1f} ms "
                f"| {target.size / 1024:.1f} KB | {goal} |"
            )
        else:
            lines.append(
                f"| {target.label} | {target.queries} | {cpu} | {target.best * 1000:.1f} ms | {times_bare} "
                f"| {target.size / 1024:.1f} KB | {goal} |"
            )
    lines += ["", "### Where the CPU goes (cProfile, 5 requests each, top lines by own time)", ""]
    for target in targets:
        lines += [f"{target.label}, {target.cpu * 1000:.1f} ms per answer:", "", "```", target.profile, "```", ""]
    return "\n".join(lines)


def main():
    options = arguments()
    harness.setup()
    from django.db import connection
    from review_call_data import load_review_call

    load_review_call()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    machine, busy_before = harness.machine(), harness.load_average()
    targets = [target for target in prepare() if options.only.lower() in target.label.lower()]
    for target in targets:
        measure(target, options.repeat, options.profile_lines)
        print(
            f"{target.label}: {target.cpu * 1000:.1f} ms, {target.cpu / target.bare:.0f}× the bare view "
            f"({target.queries} queries)",
            flush=True,
        )
    busy_after = harness.load_average()
    if options.save:
        figures = [
            {"label": t.label, "cpu": t.cpu, "bare": t.bare, "queries": t.queries, "size": t.size} for t in targets
        ]
        options.save.write_text(json.dumps(figures, indent=1))
    before = json.loads(options.before.read_text()) if options.before else None
    report = render(targets, before, (busy_before, busy_after), machine, options.repeat)
    print(report)
    if not options.no_write:
        harness.write_section("reads", report)


if __name__ == "__main__":
    main()
