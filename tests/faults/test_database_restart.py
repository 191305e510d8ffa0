"""PostgreSQL restarted under a running portal: /readyz says so at once, and the same server process recovers.

A private cluster (initdb into a temporary directory, on a free port) stands for the database, so stopping it
disturbs nobody else; the portal runs as in production, under gunicorn, with persistent connections.
"""

import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

from tests.helpers import free_port
from tests.processes import start_portal_server, wait_until_answering

pytestmark = pytest.mark.services

APPLICATION_NAME = "portal-web"


def _unavailable(reason):
    if settings.REQUIRE_SERVICES:
        pytest.fail(f"REQUIRE_SERVICES=1 but {reason}")
    pytest.skip(reason)


class Cluster:
    """A PostgreSQL cluster of our own, run by the `postgres` OS user when the tests run as root."""

    def __init__(self, bindir, directory):
        self.bindir = Path(bindir)
        self.directory = Path(directory)
        self.data = self.directory / "data"
        self.port = free_port()
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def url(self, database, **options):
        query = "&".join(f"{key}={value}" for key, value in options.items())
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}" + (f"?{query}" if query else "")

    def _run(self, program, *args):
        command = [*self.as_postgres, str(self.bindir / program), *args]
        result = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
        assert result.returncode == 0, f"{program} failed:\n{result.stdout}{result.stderr}\n{self.log()}"

    def init(self):
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale", "-N")

    def start(self):
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.directory / "log"), "-o", options, "-w", "start")

    def stop(self, mode="fast"):
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def is_running(self):
        return (self.data / "postmaster.pid").exists()

    def log(self):
        path = self.directory / "log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def query(self, database, sql):
        with psycopg.connect(self.url(database), autocommit=True, connect_timeout=5) as connection:
            cursor = connection.execute(sql)
            return cursor.fetchall() if cursor.description else None


@pytest.fixture
def private_postgres():
    """A started PostgreSQL cluster on a free port with an empty `portal` database; removed at teardown."""
    installed = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda path: int(Path(path).parts[4]))
    if not installed:
        _unavailable("no PostgreSQL server binaries in /usr/lib/postgresql/*/bin for a private cluster")
    if os.geteuid() == 0 and not shutil.which("runuser"):
        _unavailable("initdb refuses to run as root and runuser is not available to run it as postgres")
    directory = tempfile.mkdtemp(prefix="ilrs-pg-")
    cluster = Cluster(Path(installed[-1]).parent, directory)
    try:
        if cluster.as_postgres:
            try:
                shutil.chown(directory, "postgres", "postgres")
            except LookupError:
                _unavailable("initdb refuses to run as root and there is no `postgres` OS user to run it")
        cluster.init()
        cluster.start()
        cluster.query("postgres", "CREATE DATABASE portal")
        yield cluster
    finally:
        if cluster.is_running():
            cluster.stop(mode="immediate")
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def portal_server(private_postgres, tmp_path):
    """The portal under gunicorn (one sync worker), migrated onto the private cluster, stopped at teardown."""
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.dev",
        "DEBUG": "false",
        "DATABASE_URL": private_postgres.url("portal"),
        "REDIS_URL": "",
        "CELERY_BROKER_URL": settings.TEST_REDIS_URL,
        "LOG_LEVEL": "WARNING",
    }
    migrate = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input"],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert migrate.returncode == 0, migrate.stdout + migrate.stderr
    # Connections kept between requests (CONN_MAX_AGE), named so the test can find them in pg_stat_activity.
    environment["DATABASE_URL"] = private_postgres.url("portal", application_name=APPLICATION_NAME)
    environment["CONN_MAX_AGE"] = "600"
    server = start_portal_server(environment, log=tmp_path / "gunicorn.log")
    try:
        wait_until_answering(server, timeout=20)
        yield server
    finally:
        server.stop()


def _readiness(server):
    status, body = server.get("/readyz")
    return status, json.loads(body)


def _portal_connections(cluster):
    return cluster.query("postgres", f"SELECT pid FROM pg_stat_activity WHERE application_name = '{APPLICATION_NAME}'")


def test_readyz_reports_a_postgresql_restart_and_the_running_server_reconnects(private_postgres, portal_server):
    ready = (200, {"status": "ok", "checks": {"database": "ok", "broker": "ok"}})
    workers = portal_server.workers()
    assert len(workers) == 1
    assert _readiness(portal_server) == ready
    [connection] = _portal_connections(private_postgres)
    assert _readiness(portal_server) == ready
    assert _portal_connections(private_postgres) == [connection], "one connection, kept between requests"

    private_postgres.stop()
    started = time.monotonic()
    answer = _readiness(portal_server)
    elapsed = time.monotonic() - started

    assert answer == (
        503,
        {"status": "unavailable", "checks": {"database": "unavailable: OperationalError", "broker": "ok"}},
    )
    assert elapsed < 2, f"/readyz took {elapsed:.1f} s to say the database is down"

    private_postgres.start()

    assert _readiness(portal_server) == ready
    status, home = portal_server.get("/")
    assert status == 200 and "ILRS Partner Portal" in home
    [reconnected] = _portal_connections(private_postgres)
    assert reconnected != connection, "a new connection replaced the one the restart broke"
    assert portal_server.process.poll() is None and portal_server.workers() == workers, (
        f"the same server process recovered, without a restart:\n{portal_server.output()}"
    )
