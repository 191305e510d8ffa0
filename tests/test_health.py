"""Liveness and readiness probes: /readyz names what is down."""

import socket
from unittest import mock

import pytest
from django.db import OperationalError, connection


def _closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_healthz_answers_without_touching_the_database(client):
    response = client.get("/healthz")

    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_probes_answer_only_get(client, db):
    assert client.post("/healthz").status_code == 405
    assert client.post("/readyz").status_code == 405


@pytest.mark.services
def test_readyz_is_ready_when_the_database_and_the_broker_answer(client, db, celery_broker, settings):
    celery_broker(settings.TEST_REDIS_URL)

    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "broker": "ok"}}
    assert "no-cache" in response["Cache-Control"]


def test_readyz_names_the_broker_when_it_is_unreachable(client, db, celery_broker):
    celery_broker(f"redis://127.0.0.1:{_closed_port()}/0")

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "checks": {"database": "ok", "broker": "unavailable: OperationalError"},
    }


def test_readyz_names_the_database_when_it_fails(client, db):
    with mock.patch.object(connection, "cursor", side_effect=OperationalError("server closed the connection")):
        response = client.get("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == "unavailable: OperationalError"
    assert body["checks"]["broker"] == "ok"
