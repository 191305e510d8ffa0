import shutil
import socket
import subprocess

import pytest
from django.conf import settings
from django.core.cache import cache
from rest_framework.test import APIClient

from partners.models import Membership

from .factories import PASSWORD, MembershipFactory, OrganisationFactory, UserFactory
from .helpers import free_port, wait_for


def pytest_report_header(config):
    database = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    redis = "reachable" if settings.REDIS_AVAILABLE else "NOT reachable: tests that need it are skipped"
    return [f"database: {database}; redis: {redis}; REQUIRE_SERVICES={int(settings.REQUIRE_SERVICES)}"]


def pytest_collection_modifyitems(config, items):
    """Skip what needs PostgreSQL/Redis or Chromium when absent, saying so; with REQUIRE_SERVICES=1 nothing skips."""
    missing = []
    if not settings.POSTGRES_AVAILABLE:
        missing.append("PostgreSQL")
    if not settings.REDIS_AVAILABLE:
        missing.append("Redis")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    for item in items:
        if "services" in item.keywords and missing:
            item.add_marker(pytest.mark.skip(reason=f"needs {', '.join(missing)} (not reachable)"))
        if "browser" in item.keywords and not chromium and not settings.REQUIRE_SERVICES:
            item.add_marker(pytest.mark.skip(reason="needs Debian's chromium (not installed)"))


@pytest.fixture(autouse=True)
def _clear_cache():
    """Throttle counters and lock-outs live in the cache; each test starts clean."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def programme_admin(db):
    return UserFactory(email="admin@programme.example.org", full_name="Ada Admin", is_programme_admin=True)


@pytest.fixture
def organisation(db):
    return OrganisationFactory(name="South Lunar Institute", country="ZA")


@pytest.fixture
def other_organisation(db):
    return OrganisationFactory(name="Far Side University", country="BR", kind="university")


@pytest.fixture
def partner_admin(organisation):
    return MembershipFactory(
        organisation=organisation,
        role=Membership.Role.ADMIN,
        user__email="lead@south-lunar.example.org",
        user__full_name="Lerato Lead",
    ).user


@pytest.fixture
def partner_member(organisation):
    return MembershipFactory(
        organisation=organisation, user__email="member@south-lunar.example.org", user__full_name="Mpho Member"
    ).user


@pytest.fixture
def other_partner_admin(other_organisation):
    return MembershipFactory(
        organisation=other_organisation, role=Membership.Role.ADMIN, user__email="lead@farside.example.org"
    ).user


@pytest.fixture
def reviewer(db):
    return UserFactory(email="reviewer@example.org", full_name="Rosa Reviewer", is_reviewer=True)


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def login(client):
    """Sign a person in to the test client."""

    def _login(user):
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def api_as(api_client):
    def _as(user):
        api_client.force_authenticate(user)
        return api_client

    return _as


@pytest.fixture
def celery_broker(settings):
    """Send tasks to a real broker instead of running them in-process; the app is restored afterwards.

    The Celery app reads its settings live, but keeps a pool of broker connections: it is closed on
    every switch so no connection to another broker is reused.
    """
    from kombu import pools

    from portal.celery import app

    def reset_connections():
        app.pool.force_close_all()
        app._pool = None
        app.amqp._producer_pool = None
        pools.reset()

    def use(url):
        settings.CELERY_TASK_ALWAYS_EAGER = False
        settings.CELERY_BROKER_URL = url
        reset_connections()
        return app

    yield use
    reset_connections()


@pytest.fixture
def private_redis():
    """A throw-away redis-server on a free port, to be stopped and started again on the same port."""
    executable = shutil.which("redis-server")
    if executable is None:
        if settings.REQUIRE_SERVICES:
            pytest.fail("redis-server is needed for the broker fault tests")
        pytest.skip("needs redis-server on PATH for a private broker")
    port = free_port()

    class Server:
        url = f"redis://127.0.0.1:{port}/0"
        process = None

        def start(self):
            self.process = subprocess.Popen(
                [executable, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                stdout=subprocess.DEVNULL,
            )
            assert wait_for(self._answers, timeout=5), "private redis-server did not start"

        def stop(self):
            self.process.kill()
            self.process.wait(5)
            assert not self._answers()

        def _answers(self):
            with socket.socket() as sock:
                return sock.connect_ex(("127.0.0.1", port)) == 0

    server = Server()
    yield server
    if server.process is not None and server.process.poll() is None:
        server.stop()
