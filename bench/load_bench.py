"""Throughput and latency of the portal's busiest pages and endpoints, with no writes and under a steady stream of
writes, against a bare Django view.

The portal runs under gunicorn with production settings on two data sets in one database: the large programme
loaded by `manage.py load_bench_data` (50,000 proposals) and, beside it, one call of pretalx's shape (2,000
proposals, 6,000 reviews, 60 reviewers; bench/review_call_data.py). `wrk` drives each address in turn from its
own process; each round measures every address once with nothing written and once while a background writer
commits 10 writes a second through the portal itself (draft saves, sign-ins through the login form, review
saves), and every figure is also given as a share of the bare view's throughput measured in the same round and
condition:

    .venv/bin/python bench/load_bench.py            # DATABASE_URL defaults to the dashboard benchmark's database

Every answer is made afresh (the portal keeps no copies of answers). Queries per request and the Django process's
CPU time are measured separately, in this process, through Django's test client with the same settings, token or
session, with a cProfile of the slowest addresses. The results are printed and written to the "load" section of
bench/RESULTS.md.
"""

import argparse
import cProfile
import io
import json
import pstats
import secrets
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import harness

WRK_SUMMARY = Path(__file__).resolve().parent / "wrk_summary.lua"
ADMIN_EMAIL = "bench.load@bench.example"
WRITES_PER_SECOND = 10
MAX_IN_FLIGHT = 20  # writes waiting for an answer at once; beyond that a write is counted as skipped
QUIET, WRITES = "no writes", "10 writes/s"
CONDITIONS = (QUIET, WRITES)


@dataclass
class Target:
    label: str
    path: str
    token: str = ""
    session: str = ""
    data_set: str = "programme"
    # Share of the bare view to reach under writes: lists and details 0.05, an administrator's call screen 0.01.
    goal: float = 0.0
    cpu_goal: float = 0.0  # seconds of Django CPU per request
    runs: dict = field(default_factory=lambda: {condition: [] for condition in CONDITIONS})
    queries: int = 0
    query_time: float = 0.0
    cpu: float = 0.0
    size: int = 0
    profile: str = ""

    @property
    def headers(self):
        if self.token:
            return {"Authorization": f"Token {self.token}"}
        if self.session:
            return {"Cookie": f"sessionid={self.session}"}
        return {}

    def median(self, condition, key):
        return statistics.median(run[key] for run in self.runs[condition])

    def shares(self, bare, condition):
        """Throughput as a share of the bare view's in the same round and condition: the machine was equally busy."""
        return [
            run["rate"] / bare_run["rate"] if bare_run["rate"] else float("nan")
            for run, bare_run in zip(self.runs[condition], bare.runs[condition], strict=True)
        ]


def arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=5, help="seconds of load per address, round and condition")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8, help="open connections wrk keeps busy")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers (two per core here)")
    return parser.parse_args()


class Writer(threading.Thread):
    """Commits WRITES_PER_SECOND writes a second through the portal, spread evenly: of every 10, 4 draft saves
    (PATCH of a proposal through the API by its principal investigator), 2 sign-ins through the login form and 4
    review saves (a reviewer changes the grades of a submitted review through the API, which moves that
    reviewer's kept z-scores and the proposals they touch)."""

    PLAN = ("draft", "review", "sign_in", "draft", "review", "draft", "review", "sign_in", "draft", "review")

    def __init__(self, port, people):
        super().__init__(daemon=True)
        self.port, self.people = port, people
        self.running = threading.Event()
        self.stopped = threading.Event()
        self.done = Counter()
        self.statuses = Counter()
        self.latencies = []
        self.active_seconds = 0.0
        self.started = 0
        self.skipped = 0
        self.in_flight = 0
        self.lock = threading.Lock()

    def run(self):
        """Open loop: a write is started every 1/WRITES_PER_SECOND s whether or not the earlier ones have been
        answered (as people do not wait for each other), each in its own thread."""
        interval = 1 / WRITES_PER_SECOND
        number = 0
        next_at = time.monotonic()
        while not self.stopped.is_set():
            if not self.running.is_set():
                self.running.wait(0.1)
                next_at = time.monotonic()
                continue
            if self.in_flight >= MAX_IN_FLIGHT:
                self.skipped += 1  # the portal is not keeping up: not piled up to spill into the next phase
            else:
                with self.lock:
                    self.in_flight += 1
                threading.Thread(target=self._one, args=(number,), daemon=True).start()
                self.started += 1
            self.active_seconds += interval
            number += 1
            next_at += interval
            time.sleep(max(0.0, next_at - time.monotonic()))

    def _one(self, number):
        kind = self.PLAN[number % len(self.PLAN)]
        started = time.monotonic()
        try:
            status = getattr(self, kind)(number)
        except OSError:
            status = 0
        with self.lock:
            self.done[kind] += 1
            self.statuses[(kind, status)] += 1
            self.latencies.append(time.monotonic() - started)
            self.in_flight -= 1

    def drain(self, timeout=60):
        """Wait until every write started has been answered (before a phase with nothing written)."""
        deadline = time.monotonic() + timeout
        while self.in_flight and time.monotonic() < deadline:
            time.sleep(0.1)

    def _json(self, method, path, token, body):
        headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
        return harness.request(self.port, method, path, body=json.dumps(body), headers=headers)[0]

    def draft(self, number):
        proposal_pk, token = self.people["drafts"][number % len(self.people["drafts"])]
        body = {"abstract": f"A lunar payload, draft saved {number} times."}
        return self._json("PATCH", f"/api/v1/proposals/{proposal_pk}/", token, body)

    def review(self, number):
        review_pk, token, keys = self.people["reviews"][number % len(self.people["reviews"])]
        grade = 1 + number % 5
        body = {"scores": {key: 1 + (grade + n) % 5 for n, key in enumerate(keys)}}
        return self._json("PUT", f"/api/v1/reviews/{review_pk}/", token, body)

    def sign_in(self, number):
        email, password = self.people["sign_in"]
        try:
            harness.sign_in(self.port, email=email, password=password)
        except AssertionError:
            return 0
        return 302

    def rate(self):
        return self.started / self.active_seconds if self.active_seconds else 0.0

    def skipped_share(self):
        return self.skipped / (self.started + self.skipped) if self.started + self.skipped else 0.0


def prepare(port):
    """The people and objects each address is requested as or about, and those the writer writes as; passwords
    are made up for this run."""
    from django.db.models import Count
    from django.utils import timezone
    from rest_framework.authtoken.models import Token
    from review_call_data import REFERENCE

    from partners.models import Organisation
    from portal.accounts.models import User
    from proposals.models import Call, Proposal, Review

    password = secrets.token_urlsafe(16)
    admin, _created = User.objects.get_or_create(
        email=ADMIN_EMAIL, defaults={"full_name": "Bench Load", "is_programme_admin": True}
    )
    sizes = list(
        Organisation.objects.filter(status=Organisation.Status.ACTIVE)
        .annotate(proposal_count=Count("proposals"))
        .filter(proposal_count__gt=0)
        .order_by("proposal_count", "pk")
        .values_list("pk", "proposal_count")
    )
    busy_pk, busy_count = sizes[int(len(sizes) * 0.9)]
    # A proposal of the busy organisation with the largest team; its principal investigator is the partner.
    proposal = (
        Proposal.objects.filter(organisation_id=busy_pk)
        .annotate(team_size=Count("team"))
        .order_by("-team_size", "pk")
        .first()
    )
    partner = proposal.principal_investigator
    review_call = Call.objects.get(reference=REFERENCE)
    programme_call = (
        Call.objects.filter(status=Call.Status.UNDER_REVIEW)
        .exclude(pk=review_call.pk)
        .annotate(size=Count("proposals"))
        .order_by("-size")[0]
    )
    # The writer's people: principal investigators of drafts in calls still open, reviewers of the review call.
    drafts = list(
        Proposal.objects.filter(
            status=Proposal.Status.DRAFT, call__status=Call.Status.OPEN, call__deadline__gt=timezone.now()
        )
        .order_by("pk")
        .select_related("principal_investigator")[:20]
    )
    reviews = list(
        Review.objects.filter(assignment__proposal__call=review_call, status=Review.Status.SUBMITTED)
        .select_related("assignment__reviewer")
        .order_by("pk")
    )[:: 6000 // 40][:40]
    people = {admin, partner, *(draft.principal_investigator for draft in drafts)}
    people |= {review.assignment.reviewer for review in reviews}
    for person in people:
        person.set_password(password)
        person.save(update_fields=["password"])

    def token(user):
        return Token.objects.get_or_create(user=user)[0].key

    keys = [criterion["key"] for criterion in review_call.criteria]
    writer_people = {
        "drafts": [(draft.pk, token(draft.principal_investigator)) for draft in drafts],
        "reviews": [(review.pk, token(review.assignment.reviewer), keys) for review in reviews],
        "sign_in": (partner.email, password),
    }
    partner_session = harness.sign_in(port, email=partner.email, password=password)
    admin_session = harness.sign_in(port, email=admin.email, password=password)
    admin_token = token(admin)
    review = "review call"
    targets = [
        Target("Bare Django view (/bench/hello)", "/bench/hello"),
        Target(
            "Proposals API, programme administrator (all 50,000), 25 a page",
            "/api/v1/proposals/",
            token=admin_token,
            goal=0.05,
            cpu_goal=0.010,
        ),
        Target(
            f"Proposals API, partner (organisation with {busy_count:,} proposals, 90th percentile)",
            "/api/v1/proposals/",
            token=token(partner),
            goal=0.05,
            cpu_goal=0.010,
        ),
        Target(
            f"Proposal page, its principal investigator ({proposal.team_size} co-investigators)",
            f"/proposals/{proposal.pk}/",
            session=partner_session,
            goal=0.05,
            cpu_goal=0.010,
        ),
        Target("Partner directory (/partners/, anonymous)", "/partners/", goal=0.05, cpu_goal=0.010),
        Target(
            f"Ranking API, administrator (call of {programme_call.size:,} proposals)",
            f"/api/v1/calls/{programme_call.pk}/ranking/",
            token=admin_token,
            goal=0.05,
            cpu_goal=0.010,
        ),
        Target(
            "Dashboard (/manage/dashboard/), administrator",
            "/manage/dashboard/",
            session=admin_session,
            goal=0.01,
            cpu_goal=0.050,
        ),
        Target(
            "Proposals API of the call, administrator, 50 a page",
            f"/api/v1/proposals/?call={review_call.pk}&page_size=50",
            token=admin_token,
            data_set=review,
            goal=0.05,
            cpu_goal=0.010,
        ),
        Target(
            "Reviews API, administrator, 50 a page",
            "/api/v1/reviews/?page_size=50",
            token=admin_token,
            data_set=review,
            goal=0.05,
            cpu_goal=0.010,
        ),
        Target(
            "Ranking API, administrator, 50 a page",
            f"/api/v1/calls/{review_call.pk}/ranking/?page_size=50",
            token=admin_token,
            data_set=review,
            goal=0.05,
            cpu_goal=0.010,
        ),
        Target(
            "Ranking page, administrator, 100 rows",
            f"/manage/calls/{review_call.pk}/ranking/",
            session=admin_session,
            data_set=review,
            goal=0.01,
            cpu_goal=0.050,
        ),
        Target(
            "Call review page, administrator",
            f"/manage/calls/{review_call.pk}/review/",
            session=admin_session,
            data_set=review,
            goal=0.01,
            cpu_goal=0.050,
        ),
        Target(
            "Public call page (anonymous)",
            f"/calls/{review_call.pk}/",
            data_set=review,
            goal=0.05,
            cpu_goal=0.010,
        ),
    ]
    return targets, writer_people


def check(port, target):
    status, _headers, body = harness.request(port, "GET", target.path, headers=target.headers)
    if status != 200:
        sys.exit(f"{target.label}: {target.path} answered {status}, not 200")
    target.size = len(body)


def wrk(port, target, *, duration, connections):
    command = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--timeout", "30s", "-s", str(WRK_SUMMARY)]
    for name, value in target.headers.items():
        command += ["-H", f"{name}: {value}"]
    # The command is made here from fixed parts and this run's own addresses and credentials.
    url = f"http://{harness.HOST}:{port}{target.path}"
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout  # noqa: S603
    summary = json.loads(next(line for line in output.splitlines() if line.startswith("BENCH "))[6:])
    summary["rate"] = summary["requests"] / (summary["duration_us"] / 1e6)
    return summary


def measure_in_process(target, repeat=20):
    """Queries of one request, and the Django process's CPU time per request (median of `repeat`), through the
    test client after a first request (as under load, the caches are warm): no gunicorn, no load tool, and the
    database's own work not counted; with a cProfile of one request (its top lines by own time)."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    if target.session:
        client.cookies[settings.SESSION_COOKIE_NAME] = target.session
    extra = {"HTTP_AUTHORIZATION": target.headers["Authorization"]} if target.token else {}
    client.get(target.path, **extra)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(target.path, **extra)
    assert response.status_code == 200, (target.path, response.status_code)
    target.queries = len(captured)
    target.query_time = sum(float(query["time"]) for query in captured.captured_queries)
    times = []
    for _request in range(repeat):
        start = time.process_time()
        client.get(target.path, **extra)
        times.append(time.process_time() - start)
    target.cpu = statistics.median(times)
    profiler = cProfile.Profile()
    profiler.enable()
    for _request in range(5):
        client.get(target.path, **extra)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(8)
    lines = [line for line in out.getvalue().splitlines() if line.strip()]
    start = next(n for n, line in enumerate(lines) if line.lstrip().startswith("ncalls"))
    target.profile = "\n".join(line.replace(str(harness.ROOT), ".") for line in lines[start : start + 9])


def middleware_cost(repeat=200):
    """CPU per request of the bare view through the portal's middleware and through none (same process)."""
    from django.test import Client
    from django.test.utils import override_settings

    def per_request(client):
        client.get("/bench/hello")
        start = time.process_time()
        for _request in range(repeat):
            client.get("/bench/hello")
        return (time.process_time() - start) / repeat

    with_stack = per_request(Client())
    with override_settings(MIDDLEWARE=[]):
        without = per_request(Client())
    return with_stack, without


def main():
    options = arguments()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install -y wrk")
    harness.setup()
    from django.db import connection
    from review_call_data import load_review_call

    load_review_call()
    with connection.cursor() as cursor:
        # A freshly bulk-loaded database has no planner statistics yet; a live one has them.
        cursor.execute("ANALYZE")
    machine, busy_before = harness.machine(), harness.load_average()
    # The writer signs in twice a second from one address: the sign-in form's limit per address is lifted here.
    with harness.portal_server(workers=options.workers, settings={"RATELIMIT_LOGIN": "100000/h"}) as port:
        targets, people = prepare(port)
        writer = Writer(port, people)
        writer.start()
        for target in targets:
            check(port, target)
            wrk(port, target, duration=2, connections=options.connections)  # warm-up
        for round_number in range(options.rounds):
            for condition in CONDITIONS:
                if condition == WRITES:
                    writer.running.set()
                    time.sleep(1)
                for target in targets:
                    run = wrk(port, target, duration=options.duration, connections=options.connections)
                    target.runs[condition].append(run)
                    print(f"round {round_number + 1}, {condition}: {target.label}: {run['rate']:.0f} requests/s")
                writer.running.clear()
                writer.drain()
        writer.stopped.set()
        writer.join(timeout=30)
        for target in targets:
            check(port, target)
    busy_after = harness.load_average()
    for target in targets:
        measure_in_process(target)
    middleware = middleware_cost()
    print("writer:", dict(writer.statuses))
    report = render(targets, options, machine, (busy_before, busy_after), writer, middleware)
    print(report)
    harness.write_section("load", report)


def render(targets, options, machine, busy, writer, middleware):
    bare = targets[0]
    with_stack, without = middleware
    written = ", ".join(f"{count:,} {kind.replace('_', '-')}s" for kind, count in sorted(writer.done.items()))
    refused = sum(count for (kind, status), count in writer.statuses.items() if status not in (200, 302))
    lines = [
        "## Load: the portal under gunicorn, with no writes and under 10 writes a second",
        "",
        f"Measured {harness.DATE} on {machine}. {harness.shared(*busy)} "
        "Data, in one database: the dashboard benchmark's programme (2,000 organisations, 50,000 proposals, "
        "150,000 reviews, made by `manage.py load_bench_data`) and beside it one call of pretalx's shape (2,000 "
        "proposals, 6,000 submitted reviews, 60 reviewers; `bench/review_call_data.py`).",
        "",
        f"Rerun: `make bench` (or `.venv/bin/python bench/load_bench.py`). The portal runs under gunicorn with "
        f"{options.workers} sync workers and production settings (plain HTTP, DEBUG off, Redis cache, "
        "persistent database connections) and keeps no copies of answers: every answer is made afresh. `wrk` "
        f"(Debian's) keeps {options.connections} connections busy on one address at a time for {options.duration} s; "
        f"each of {options.rounds} rounds (after a warm-up) drives every address once with nothing written and once "
        f"while a writer commits {WRITES_PER_SECOND} writes a second through the same portal (of every 10: 4 draft "
        "saves through the API, 2 sign-ins through the login form, 4 review saves through the API that change a "
        "submitted review's grades and so the reviewer's kept z-scores). Shares are of the bare view's throughput "
        "in the same round and condition (median of the rounds); requests/s and latencies are medians of the "
        "rounds. The load tool shares the 2 cores with the server, PostgreSQL and Redis, so these are figures of "
        "the whole machine. Queries and the Django process's CPU per request (median of 20; PostgreSQL's work not "
        "included) are measured apart, in-process through Django's test client with the same settings and "
        "credentials, after the load.",
        "",
        f"The writer started {writer.rate():.1f} writes a second while on (of {WRITES_PER_SECOND} due; "
        f"{writer.skipped:,} not started, {writer.skipped_share():.0%}, because {MAX_IN_FLIGHT} were already "
        f"waiting for an answer) and had {written} answered ("
        f"{refused} answered other than 200/302; median {statistics.median(writer.latencies) * 1000:.0f} ms, "
        f"slowest {max(writer.latencies) * 1000:.0f} ms).",
        "",
        "| Data set | Address | Requests/s, no writes | Share, no writes | Requests/s, 10 writes/s "
        "| **Share, 10 writes/s** | p50 / p99, 10 writes/s | Queries (their time) | Django CPU per request "
        "| Size | Goal under writes (share; CPU) |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    missed = []
    for target in targets:
        quiet = statistics.median(target.shares(bare, QUIET))
        loaded = statistics.median(target.shares(bare, WRITES))
        if target.goal:
            met_share, met_cpu = loaded >= target.goal, target.cpu <= target.cpu_goal
            verdict = (
                f"≥ {target.goal:g}: {'met' if met_share else '**not met**'}; "
                f"≤ {target.cpu_goal * 1000:.0f} ms: {'met' if met_cpu else '**not met**'}"
            )
            if not (met_share and met_cpu):
                missed.append(target.label)
        else:
            verdict = "—"
        bad = sum(run["bad_status"] + run["socket_errors"] for runs in target.runs.values() for run in runs)
        note = f" ({bad} errors)" if bad else ""
        lines.append(
            f"| {target.data_set} | {target.label} | {target.median(QUIET, 'rate'):,.0f}{note} | {quiet:.3f} "
            f"| {target.median(WRITES, 'rate'):,.0f} | **{loaded:.3f}** "
            f"| {target.median(WRITES, 'p50_us') / 1000:.1f} / {target.median(WRITES, 'p99_us') / 1000:.0f} ms "
            f"| {target.queries} ({target.query_time * 1000:.1f} ms) | {target.cpu * 1000:.1f} ms "
            f"| {target.size / 1024:.1f} KB | {verdict} |"
        )
    goals = [target for target in targets if target.goal]
    lines += [
        "",
        "Goals under writes: lists and details ≥ 0.05 of the bare view and ≤ 10 ms of Django CPU for a page of "
        "rows; an administrator's call screen ≥ 0.01 and ≤ 50 ms — "
        + (
            f"met by all {len(goals)}."
            if not missed
            else f"met by {len(goals) - len(missed)} of {len(goals)}; not met: {'; '.join(missed)}."
        ),
        "",
        f"Middleware: the bare view costs {with_stack * 1000:.2f} ms of CPU per request through the portal's "
        f"middleware and {without * 1000:.2f} ms through none (same process, {harness.DATE}): the stack adds "
        f"{(with_stack - without) * 1000:.2f} ms (goal ≤ 0.3 ms).",
        "",
        "Every request answered 200 (checked before and after the load, and wrk counted no 4xx or 5xx) unless "
        "errors are shown.",
        "",
        "Reading: the portal keeps no copies of whole answers any more (the copies kept under PostgreSQL's "
        "snapshot were all dropped by any write anywhere, and rewrote typed text holding their CSRF placeholder), "
        "so the two conditions measure the same code and differ by what the writes cost the machine. The ranking "
        "no longer recomputes a call's scores on every read: each proposal's figures are kept with it and brought "
        "up to date with each review (`proposals/scoring.py`), so the ranking API and page read one page of rows "
        "from the database; the call's review page writes its 2,000 proposals and the reviewers as plain values "
        "instead of instances with their teams (2.2 s before). What remains is Python per row: DRF's serializers "
        "(the proposals and reviews API), template loops (the ranking page's decision forms) and the session, user "
        "and token read through the ORM on every request; on this machine, shared with other work, every figure is "
        "several times what the same code costs on an idle one (compare the bare view's rate with earlier runs).",
        "",
        "### Where the CPU goes (cProfile, 5 requests each, top lines by own time)",
        "",
    ]
    for target in sorted(targets[1:], key=lambda target: -target.cpu)[:5]:
        lines += [f"{target.label} ({target.data_set}), {target.cpu * 1000:.1f} ms per request:", "", "```"]
        lines += [target.profile, "```", ""]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
