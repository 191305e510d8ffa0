"""Fixtures for the fault tests: Celery workers in processes of their own, which a test may kill."""

import os

import pytest
from django.conf import settings
from django.db import connection

from tests.processes import start_celery_worker

from .mail import Mailbox


@pytest.fixture
def mailbox(tmp_path):
    return Mailbox(tmp_path / "mailbox")


@pytest.fixture
def start_worker(transactional_db, mailbox, tmp_path):
    """Start workers against the test database and a broker; each is killed at teardown, whatever happened.

    Needs committed data (a transactional test): the workers read the rows through connections of their own.
    """
    workers = []

    def start(*, broker_url, name, visibility_timeout):
        log = tmp_path / f"worker-{name}.log"
        environment = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.faults.process_settings",
            "PYTHONPATH": str(settings.BASE_DIR),
            "FAULT_DATABASE_NAME": connection.settings_dict["NAME"],
            "FAULT_MAILBOX": str(mailbox.path),
            "CELERY_BROKER_URL": broker_url,
            "CELERY_VISIBILITY_TIMEOUT": str(visibility_timeout),
        }
        worker = start_celery_worker(environment, name=name, log=log)
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.kill()
