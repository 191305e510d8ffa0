"""Fixtures for the fault tests: Celery workers in processes of their own, which a test may kill."""

import os
import signal
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection

from .mail import Mailbox


class Worker:
    """A `celery worker` process (prefork, one pool process, as in production) in a process group of its own."""

    def __init__(self, process, log):
        self.process = process
        self.log = log

    def kill(self):
        """SIGKILL the whole worker, main and pool processes together, as when its machine or container dies."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def output(self):
        return self.log.read_text(errors="replace")[-4000:]


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
        command = [sys.executable, "-m", "celery", "-A", "portal", "worker", "--hostname", f"{name}@%h"]
        command += ["--pool", "prefork", "--concurrency", "1", "--loglevel", "INFO"]
        command += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
        with log.open("wb") as output:
            process = subprocess.Popen(
                command,
                cwd=settings.BASE_DIR,
                env=environment,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        worker = Worker(process, log)
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.kill()
