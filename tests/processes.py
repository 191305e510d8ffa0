"""The portal's own processes started by tests: gunicorn web servers and Celery workers, each in a process group.

Each process runs from the repository with the environment the test gives it (its settings module, database,
broker) and writes its output to a log file the test can show when something goes wrong.
"""

import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

from django.conf import settings

from tests.helpers import free_port, wait_for


def start_process(command, *, environment, log):
    """`command` in a new session (so its children can be stopped with it), output to `log`."""
    with log.open("wb") as output:
        return subprocess.Popen(
            command,
            cwd=settings.BASE_DIR,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def stop_process(process, *, sig=signal.SIGINT, timeout=5):
    """Stop the process group: `sig` first, SIGKILL if it has not ended within `timeout` seconds."""
    if process.poll() is None:
        os.killpg(process.pid, sig)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout)


class PortalServer:
    def __init__(self, process, port, log):
        self.process = process
        self.base_url = f"http://127.0.0.1:{port}"
        self.log = log

    def get(self, path, timeout=10):
        """(status, body) of a GET; an error status is an answer too."""
        try:
            with urllib.request.urlopen(self.base_url + path, timeout=timeout) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def answers(self):
        try:
            return self.get("/healthz", timeout=1)[0] == 200
        except OSError:
            return False

    def workers(self):
        """The process ids of gunicorn's workers: the same ones before and after means no worker was restarted."""
        pid = self.process.pid
        return Path(f"/proc/{pid}/task/{pid}/children").read_text().split()

    def output(self):
        return self.log.read_text(errors="replace")[-4000:]

    def stop(self):
        stop_process(self.process)


def start_portal_server(environment, *, log, workers=1):
    """The portal under gunicorn on a free port of 127.0.0.1; returns at once (wait for `answers()`)."""
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "portal.wsgi:application", "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", str(workers)]
    return PortalServer(start_process(command, environment=environment, log=log), port, log)


def wait_until_answering(*servers, timeout=30):
    for server in servers:
        assert wait_for(server.answers, timeout=timeout), f"gunicorn did not start:\n{server.output()}"


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


def start_celery_worker(environment, *, name, log):
    command = [sys.executable, "-m", "celery", "-A", "portal", "worker", "--hostname", f"{name}@%h"]
    command += ["--pool", "prefork", "--concurrency", "1", "--loglevel", "INFO"]
    command += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
    return Worker(start_process(command, environment=environment, log=log), log)
