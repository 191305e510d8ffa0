"""What the portal's middleware costs: the CPU of one request to the bare view `/bench/hello` through the portal's
whole stack, against the same view through no middleware at all, in one process with production settings.

Requests go through Django's WSGI handler with the environment a browser's request has under gunicorn (the usual
headers; a session cookie and a CSRF cookie when signed in), so what is timed is what a worker does for them. The
session is Django's database session in PostgreSQL and the cache is Redis, as deployed. Time is the process's
CPU (`time.process_time`: PostgreSQL's and Redis's own work is not counted), per request, the median of many runs
with the variants taken in turn so that a busy machine weighs on each alike. Then each middleware's share, from
the stack cut after it (each middleware relies only on those before it), and the top lines of a cProfile.

    .venv/bin/python bench/middleware_bench.py [--runs 21] [--requests 200]

DATABASE_URL and REDIS_URL name the database (made and migrated when missing; nothing else is loaded) and the
cache; by default the benchmarks' (bench/harness.py). Each run adds a row to the middleware section of
bench/RESULTS.md and replaces the breakdown and profile below the table.
"""

import argparse
import cProfile
import io
import os
import pstats
import statistics
import subprocess
import sys
import time

import harness

PATH = "/bench/hello"
GOAL_MS = 0.3
FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
# What Firefox sends for a page, as gunicorn hands it to Django.
BROWSER_ENVIRON = {
    "REQUEST_METHOD": "GET",
    "SCRIPT_NAME": "",
    "PATH_INFO": PATH,
    "QUERY_STRING": "",
    "RAW_URI": PATH,
    "SERVER_NAME": harness.HOST,
    "SERVER_PORT": "8000",
    "SERVER_PROTOCOL": "HTTP/1.1",
    "SERVER_SOFTWARE": "gunicorn",
    "REMOTE_ADDR": "203.0.113.7",
    "REMOTE_PORT": "51234",
    "HTTP_HOST": f"{harness.HOST}:8000",
    "HTTP_USER_AGENT": FIREFOX,
    "HTTP_ACCEPT": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "HTTP_ACCEPT_LANGUAGE": "en-GB,en;q=0.7,ru;q=0.3",
    "HTTP_ACCEPT_ENCODING": "gzip, deflate, br, zstd",
    "HTTP_CONNECTION": "keep-alive",
    "HTTP_REFERER": f"http://{harness.HOST}:8000/",
    "HTTP_UPGRADE_INSECURE_REQUESTS": "1",
    "HTTP_SEC_FETCH_DEST": "document",
    "HTTP_SEC_FETCH_MODE": "navigate",
    "HTTP_SEC_FETCH_SITE": "same-origin",
    "HTTP_SEC_FETCH_USER": "?1",
    "HTTP_PRIORITY": "u=0, i",
    "wsgi.url_scheme": "http",
    "wsgi.version": (1, 0),
    "wsgi.multithread": False,
    "wsgi.multiprocess": True,
    "wsgi.run_once": False,
    "wsgi.errors": sys.stderr,
}
LABELS = {
    "bare": "Bare view, no middleware",
    "anonymous": "/bench/hello through the portal's stack, anonymous",
    "member": "/bench/hello through the portal's stack, signed-in partner member",
    "admin": "/bench/hello through the portal's stack, signed-in administrator who gave a second factor",
}


def arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=21, help="timed runs of each variant (the median is kept)")
    parser.add_argument("--requests", type=int, default=200, help="requests in each timed run")
    parser.add_argument("--no-write", action="store_true", help="print only; leave bench/RESULTS.md alone")
    return parser.parse_args()


def handler(middleware=None):
    """A WSGI handler as gunicorn's worker holds one, with `middleware` in place of the portal's list if given."""
    from django.core.handlers.wsgi import WSGIHandler
    from django.test.utils import override_settings

    if middleware is None:
        return WSGIHandler()
    with override_settings(MIDDLEWARE=middleware):
        return WSGIHandler()


def _start_response(status, headers, exc_info=None):
    if not status.startswith("200"):
        raise RuntimeError(f"{PATH} answered {status}")


def serve(wsgi, environ):
    """One request, its body read and the response closed, as a worker does."""
    response = wsgi({**environ, "wsgi.input": io.BytesIO()}, _start_response)
    try:
        return b"".join(response)
    finally:
        response.close()


def cpu_per_request(wsgi, environ, requests):
    start = time.process_time()
    for _request in range(requests):
        serve(wsgi, environ)
    return (time.process_time() - start) / requests


def signed_in_environ(user, *, device=None):
    """The environment of a browser signed in as `user` (through Django's login, so the portal's sign-in
    bookkeeping runs), having given `device` as second factor if named."""
    from django.conf import settings
    from django.contrib.auth import login
    from django.contrib.sessions.backends.db import SessionStore
    from django.http import HttpRequest
    from django.middleware.csrf import _get_new_csrf_string
    from django_otp import DEVICE_ID_SESSION_KEY

    from portal.security import services

    request = HttpRequest()
    request.META = dict(BROWSER_ENVIRON)
    request.session = SessionStore()
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    if device is not None:
        request.session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        request.session.pop(services.PENDING, None)
    request.session.save()
    cookie = f"csrftoken={_get_new_csrf_string()}; {settings.SESSION_COOKIE_NAME}={request.session.session_key}"
    return {**BROWSER_ENVIRON, "HTTP_COOKIE": cookie}


def people():
    """A partner member and a programme administrator with an authenticator app (made once)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from portal.accounts.models import User

    member, _created = User.objects.get_or_create(
        email="middleware-bench-member@example.org",
        defaults={"full_name": "Mira Middleware", "time_zone": "Africa/Johannesburg"},
    )
    admin, _created = User.objects.get_or_create(
        email="middleware-bench-admin@example.org",
        defaults={"full_name": "Ada Middleware", "is_programme_admin": True, "time_zone": "Asia/Shanghai"},
    )
    device, _created = TOTPDevice.objects.get_or_create(user=admin, name="Authenticator app", confirmed=True)
    return member, admin, device


def environs():
    """The environment of each variant's request."""
    member, admin, device = people()
    return {
        "bare": BROWSER_ENVIRON,
        "anonymous": BROWSER_ENVIRON,
        "member": signed_in_environ(member),
        "admin": signed_in_environ(admin, device=device),
    }


VARIANTS = ("bare", "anonymous", "member", "admin")
BREAKDOWN_RUNS = 7
BREAKDOWN_REQUESTS = 50
SIGNED_IN = ("anonymous", "member", "admin")


def measure(handlers, variants, runs, requests):
    """Median CPU per request of each variant, the runs of all variants interleaved."""
    for name in VARIANTS:  # warm-up: imports, translations, connections
        for _request in range(20):
            serve(handlers[name], variants[name])
    times = {name: [] for name in VARIANTS}
    for _run in range(runs):
        for name in VARIANTS:
            times[name].append(cpu_per_request(handlers[name], variants[name], requests))
    return {name: statistics.median(values) for name, values in times.items()}


def middleware_breakdown(middleware, variants, runs, requests):
    """Each middleware's share of the CPU per request (the median for the stack cut after it, less that for the
    stack cut before it) and of the Python calls. Work a middleware only sets up and a later one sets off (the
    session read when the user is first looked at) counts for the later one."""
    stacks = [handler(middleware[:count]) for count in range(len(middleware) + 1)]
    costs = {name: [[] for _stack in stacks] for name in SIGNED_IN}
    for _run in range(runs):
        for index, stack in enumerate(stacks):
            for name in SIGNED_IN:
                serve(stack, variants[name])
                costs[name][index].append(cpu_per_request(stack, variants[name], requests))
    medians = {name: [statistics.median(values) for values in costs[name]] for name in SIGNED_IN}
    calls = {name: [calls_per_request(stack, variants[name]) for stack in stacks] for name in SIGNED_IN}
    return [
        (
            path,
            *(medians[name][index] - medians[name][index - 1] for name in SIGNED_IN),
            *(calls[name][index] - calls[name][index - 1] for name in SIGNED_IN),
        )
        for index, path in enumerate(middleware, start=1)
    ]


def calls_per_request(wsgi, environ, requests=20):
    serve(wsgi, environ)
    profiler = cProfile.Profile()
    profiler.enable()
    for _request in range(requests):
        serve(wsgi, environ)
    profiler.disable()
    return round(pstats.Stats(profiler).total_calls / requests)


def profile(wsgi, environ, requests=500):
    """Python function calls per request, and cProfile's top lines by own time, for `requests` requests."""
    serve(wsgi, environ)
    profiler = cProfile.Profile()
    profiler.enable()
    for _request in range(requests):
        serve(wsgi, environ)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(14)
    lines = [line for line in out.getvalue().splitlines() if line.strip()]
    start = next(n for n, line in enumerate(lines) if line.lstrip().startswith("ncalls"))
    text = "\n".join(line.replace(str(harness.ROOT), ".") for line in lines[start : start + 15])
    return round(stats.total_calls / requests), text


def queries(wsgi, environ):
    """The queries one request makes."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    serve(wsgi, environ)
    with CaptureQueriesContext(connection) as captured:
        serve(wsgi, environ)
    return len(captured)


def commit():
    def git(*args):
        command = ["git", *args]
        return subprocess.run(command, cwd=harness.ROOT, capture_output=True, text=True, check=False).stdout.strip()  # noqa: S603

    changed = git("status", "--porcelain", "--", "portal", "proposals", "partners")
    return git("rev-parse", "--short", "HEAD") + (" + changes" if changed else "")


def ms(seconds):
    return f"{seconds * 1000:.3f}"


TABLE_HEADER = (
    "| Date | Commit | Load average | Bare view | Anonymous | Signed in (member) | Signed in (admin, second factor) "
    "| **Stack over bare**: anonymous / member / admin | Python calls per request: bare / anonymous / member / admin "
    "| Queries: anonymous / member / admin |",
    "|---|---|---|---:|---:|---:|---:|---|---|---|",
)


def render(*, medians, breakdown, calls, profiles, counts, options, earlier_rows, busy):
    bare = medians["bare"]
    over = " / ".join(
        ms(medians[name] - bare) + (" ✓" if medians[name] - bare <= GOAL_MS / 1000 else " ✗") for name in SIGNED_IN
    )
    row = (
        f"| {harness.DATE} | {commit()} | {busy} | {ms(bare)} | {ms(medians['anonymous'])} | {ms(medians['member'])} "
        f"| {ms(medians['admin'])} | **{over}** | {' / '.join(str(calls[name]) for name in VARIANTS)} "
        f"| {' / '.join(str(counts[name]) for name in SIGNED_IN)} |"
    )
    lines = [
        "## Middleware: what the portal's stack costs over a bare view",
        "",
        "Rerun: `.venv/bin/python bench/middleware_bench.py` (also run by `make bench`). CPU of the Django process "
        "per request in ms (`time.process_time`: PostgreSQL's and Redis's own work is not counted), the median of "
        f"{options.runs} runs of {options.requests} requests each, the variants taken in turn. Requests go through "
        "Django's WSGI handler with a browser's headers, production settings on plain HTTP, sessions in PostgreSQL "
        "and the cache in Redis; the bare view is `/bench/hello` with `MIDDLEWARE = []` in the same process. The "
        "member is a partner's; the administrator gave an authenticator app's code. Goal: the stack adds at most "
        f"{GOAL_MS} ms (✓ met, ✗ not). One row per run, the newest last. The machine is shared, so absolute times "
        "move with its load; the Python calls per request (counted by cProfile) do not.",
        "",
        *TABLE_HEADER,
        *earlier_rows,
        row,
        "",
        "Reading: the stack checks the request's text for characters no text column holds with one look at all of "
        "it; builds the Content-Security-Policy header once from the settings (a view's decorator or a nonce still "
        "gets its own); takes the language from the cookie or Accept-Language without Django's look for a language "
        "prefix in each path (the portal's addresses have none); makes the messages' storage only when a message is "
        "added or read; looks up the device a sign-in gave as its second factor only when something asks whether "
        "the sign-in is verified; and notes a sign-in as last seen at most once a minute, each process asking its "
        "own memory before Redis. What a signed-in request still adds is Django's own sign-in: the session's row and "
        "the user's row read through the ORM (2 queries, plus the connection's health check), kept on purpose so "
        "that a session deleted from the database ends at once and a deactivated person is signed out at their next "
        "request; those reads alone cost more than the goal.",
        "",
        "Each middleware's share in the latest run: CPU in ms (the median for the stack cut after it less that for "
        f"the stack cut before it, {BREAKDOWN_RUNS} runs of {BREAKDOWN_REQUESTS} requests, so shares of a few "
        "hundredths are noise) and Python calls (exact). Work a middleware sets up lazily counts where a later one "
        "sets it off, such as the session and the user, read when the user is first looked at.",
        "",
        "| Middleware | CPU: anonymous | member | admin | Calls: anonymous | member | admin |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for path, *shares in breakdown:
        cpu, calls = shares[: len(SIGNED_IN)], shares[len(SIGNED_IN) :]
        lines.append(f"| `{path}` | {' | '.join(map(ms, cpu))} | {' | '.join(map(str, calls))} |")
    for name in ("anonymous", "member"):
        lines += ["", f"cProfile, {LABELS[name]}, 500 requests, top lines by own time:", "", "```"]
        lines += [profiles[name], "```"]
    return "\n".join(lines) + "\n"


def earlier_rows():
    """The table rows of earlier runs, kept as they are."""
    text = harness.RESULTS.read_text() if harness.RESULTS.exists() else ""
    start, end = "<!-- middleware:start -->", "<!-- middleware:end -->"
    if start not in text:
        return []
    section = text.split(start, 1)[1].split(end, 1)[0].splitlines()
    if TABLE_HEADER[0] not in section:
        return []
    rows = []
    for line in section[section.index(TABLE_HEADER[0]) + 2 :]:
        if not line.startswith("|"):
            break
        rows.append(line)
    return rows


def main():
    options = arguments()
    harness.setup(programme=False)
    from django.conf import settings

    busy = harness.load_average()
    variants = environs()
    portal = handler()
    handlers = {"bare": handler([]), "anonymous": portal, "member": portal, "admin": portal}
    medians = measure(handlers, variants, options.runs, options.requests)
    breakdown = middleware_breakdown(settings.MIDDLEWARE, variants, BREAKDOWN_RUNS, BREAKDOWN_REQUESTS)
    profiled = {name: profile(handlers[name], variants[name]) for name in VARIANTS}
    report = render(
        medians=medians,
        breakdown=breakdown,
        calls={name: calls for name, (calls, _text) in profiled.items()},
        profiles={name: text for name, (_calls, text) in profiled.items()},
        counts={name: queries(handlers[name], variants[name]) for name in SIGNED_IN},
        options=options,
        earlier_rows=earlier_rows(),
        busy=busy,
    )
    print(report)
    if not options.no_write:
        harness.write_section("middleware", report)


if __name__ == "__main__":
    os.chdir(harness.ROOT)
    main()
