from unittest import mock

from django.db import OperationalError


def test_healthz_answers_while_the_process_lives(client):
    assert client.get("/healthz").status_code == 200


def test_readyz_reports_ready_when_database_and_broker_answer(client, db):
    response = client.get("/readyz")
    assert response.status_code == 200 and response.json()["checks"]["database"] == "ok"


def test_readyz_names_the_database_when_it_is_down(client, db):
    with mock.patch("portal.views._check_database", side_effect=OperationalError("down")):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"].startswith("unavailable")


def test_readyz_names_the_broker_when_it_is_down(client, db, settings):
    from portal.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = False
    saved = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    try:
        response = client.get("/readyz")
    finally:
        app.conf.broker_url = saved
    assert response.status_code == 503
    assert response.json()["checks"]["broker"].startswith("unavailable")
    assert response.json()["checks"]["database"] == "ok"
