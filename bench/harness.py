"""What the load and deadline-rush benchmarks share: the portal served by gunicorn with production settings on
this machine, signing in through the login form, a description of the machine, and their sections of
bench/RESULTS.md.

`setup()` comes first: the benchmark process and the gunicorn it starts read the same environment, so what is
measured in-process (query counts) is the served portal's.
"""

import http.client
import os
import platform
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "RESULTS.md"
DATE = date.today().isoformat()
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/ilrs_bench_dashboard"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
HOST = "127.0.0.1"


def setup(*, programme=True):
    """Production settings on plain HTTP on this machine, then Django, with the programme loaded (unless
    `programme` is false) and static files collected (the production storage needs their manifest); the database is
    made, and loaded, when missing."""
    _configure()
    _create_database()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    if programme:
        call_command("load_bench_data", unless_loaded=True)
    call_command("collectstatic", interactive=False, verbosity=0)


def _create_database():
    import psycopg
    from psycopg import sql

    server, name = os.environ["DATABASE_URL"].rsplit("/", 1)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def _configure():
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    os.environ.setdefault("REDIS_URL", DEFAULT_REDIS_URL)
    os.environ.update(
        DJANGO_SETTINGS_MODULE="portal.settings.production",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS=f"{HOST},localhost,testserver",
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        CONN_MAX_AGE="60",
        # No broker: the task that delivers a receipt runs in the request after commit, which is more work per
        # request than handing it to a worker. Emails go nowhere.
        CELERY_BROKER_URL="",
        EMAIL_URL="dummymail://",
        LOG_LEVEL="WARNING",
        BENCH_HELLO="1",
    )
    sys.path.insert(0, str(ROOT))


def _free_port():
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


@contextmanager
def portal_server(*, workers, settings=None):
    """Serve the portal with gunicorn's sync workers (as the Dockerfile does), `settings` added to its
    environment; yields the port."""
    port = _free_port()
    log = tempfile.NamedTemporaryFile(prefix="ilrs-bench-gunicorn-", suffix=".log", delete=False)  # noqa: SIM115
    command = [sys.executable, "-m", "gunicorn", "portal.wsgi:application", "--bind", f"{HOST}:{port}"]
    command += ["--workers", str(workers), "--log-level", "warning"]
    environment = {**os.environ, **(settings or {})}
    server = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
    try:
        _wait_until_ready(port, server, log.name)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
        print(f"gunicorn log: {log.name}")


def _wait_until_ready(port, server, log_name):
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn stopped (exit {server.returncode}); see {log_name}")
        try:
            if request(port, "GET", "/healthz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    sys.exit(f"gunicorn did not answer /healthz within a minute; see {log_name}")


def request(port, method, path, *, body=None, headers=None, timeout=60):
    """One request on a new connection (sync workers close each one): status, headers and body."""
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        connection.close()


def _cookies(headers):
    return dict(
        value.split(";", 1)[0].split("=", 1) for name, value in headers if name.lower() == "set-cookie" and "=" in value
    )


def sign_in(port, *, email, password):
    """Sign in through the login form, as a browser does (CSRF token, then the form); returns the session cookie."""
    status, headers, body = request(port, "GET", "/accounts/login/")
    assert status == 200, f"login page answered {status}"
    csrf_cookie = _cookies(headers)["csrftoken"]
    form_token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()
    form = urlencode({"username": email, "password": password, "csrfmiddlewaretoken": form_token})
    status, headers, _body = request(
        port,
        "POST",
        "/accounts/login/",
        body=form,
        headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={csrf_cookie}"},
    )
    session = _cookies(headers).get("sessionid")
    assert status == 302 and session, f"signing in as {email} answered {status}"
    return session


def machine():
    """The processor, memory, database and software versions."""
    import django
    from django.db import connection

    cpu = Path("/proc/cpuinfo").read_text().splitlines()
    model = next((line.split(":", 1)[1].strip() for line in cpu if "model name" in line), platform.processor())
    memory = int(Path("/proc/meminfo").read_text().split()[1]) // 1024 // 1024
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0].split()[0]
    gunicorn = (
        subprocess.run([sys.executable, "-m", "gunicorn", "--version"], capture_output=True, text=True, check=True)
        .stdout.split()[-1]
        .strip("()")
    )
    return (
        f"{model}, {os.cpu_count()} CPUs, {memory} GB RAM; PostgreSQL {postgres} and Redis on the same machine; "
        f"Python {platform.python_version()}, Django {django.get_version()}, gunicorn {gunicorn}"
    )


def load_average():
    """The machine's 1, 5 and 15-minute load averages: how many processes wanted a core."""
    return " / ".join(f"{value:.1f}" for value in os.getloadavg())


def shared(before, after):
    """A sentence for the results: the machine was not the benchmark's alone."""
    return (
        f"The machine is shared: other processes were running (load average over 1 / 5 / 15 minutes {before} "
        f"before the run, {after} after), so the figures vary from run to run."
    )


def write_section(name, text):
    """Put `text` between this benchmark's markers in bench/RESULTS.md, leaving every other section as it is."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    block = f"{start}\n{text.rstrip()}\n{end}"
    current = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    if start in current:
        before, rest = current.split(start, 1)
        current = before + block + rest.split(end, 1)[1]
    else:
        current = current.rstrip("\n") + "\n\n" + block + "\n"
    RESULTS.write_text(current)
