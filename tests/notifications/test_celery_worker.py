"""A real Celery worker against Redis delivers the outbox; a broker outage loses nothing."""

import shutil
import socket
import subprocess
import time
from contextlib import contextmanager

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core import mail
from django.utils import timezone
from kombu import pools

from partners import services as partner_services
from portal.celery import app
from portal.notifications import tasks
from portal.notifications.models import OutboundEmail

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

REGISTRATION = {
    "name": "Broker Outage Institute",
    "kind": "research_institute",
    "country": "SN",
    "city": "Dakar",
    "areas": ["payloads"],
    "cooperation_levels": ["equipment"],
    "contact_name": "Awa Diop",
    "contact_email": "awa@outage.example.org",
}


def _reset_connections():
    if app._pool is not None:
        app._pool.force_close_all()
    app._pool = None
    app.amqp._producer_pool = None
    pools.reset()


@contextmanager
def broker(url):
    """Point the Celery app at a real broker, not in-process execution."""
    saved = (app.conf.task_always_eager, app.conf.broker_url)
    app.conf.task_always_eager = False
    app.conf.broker_url = url
    _reset_connections()
    try:
        yield
    finally:
        app.conf.task_always_eager, app.conf.broker_url = saved
        _reset_connections()


def _wait_for(condition, timeout=15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def _sent_to(address):
    return [message for message in mail.outbox if address in message.to]


def test_real_worker_delivers_an_outbox_row_after_commit():
    with broker(settings.TEST_REDIS_URL), start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        partner_services.submit_registration(data=REGISTRATION, language="en")
        assert _wait_for(lambda: _sent_to("awa@outage.example.org"))
    row = OutboundEmail.objects.get(to="awa@outage.example.org")
    assert row.status == OutboundEmail.Status.SENT and row.attempts == 1
    assert len(_sent_to("awa@outage.example.org")) == 1


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _redis(port):
    server = subprocess.Popen(
        [shutil.which("redis-server"), "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    assert _wait_for(lambda: _port_open(port), timeout=5)
    return server


def _port_open(port):
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def test_registration_succeeds_with_the_broker_down_and_its_email_goes_out_once_it_is_back():
    port = _free_port()
    url = f"redis://127.0.0.1:{port}/0"
    with broker(url):
        started = time.monotonic()
        registration = partner_services.submit_registration(data=REGISTRATION, language="en")
        assert time.monotonic() - started < 10, "a request must not hang on a dead broker"
        assert registration.pk
        row = OutboundEmail.objects.get(to="awa@outage.example.org")
        assert row.status == OutboundEmail.Status.PENDING and mail.outbox == []

        server = _redis(port)
        try:
            _reset_connections()
            OutboundEmail.objects.filter(pk=row.pk).update(created_at=timezone.now() - timezone.timedelta(minutes=5))
            with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
                tasks.requeue_undelivered.delay()
                tasks.requeue_undelivered.delay()
                assert _wait_for(lambda: OutboundEmail.objects.get(pk=row.pk).status == OutboundEmail.Status.SENT)
                time.sleep(1)
        finally:
            server.terminate()
            server.wait(5)
    assert len(_sent_to("awa@outage.example.org")) == 1
