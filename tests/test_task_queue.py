"""Services queue tasks by name: the task runs (in-process under these settings), a broker outage never fails the
request, and a name that is no task fails at once instead of waiting in a queue no worker reads."""

import logging

import pytest

from portal.dashboard.models import ExportJob
from portal.task_queue import enqueue
from tests.helpers import free_port


def test_a_task_queued_by_name_runs(programme_admin):
    job = ExportJob.objects.create(requested_by=programme_admin, kind="people", format="csv")

    assert enqueue("portal.dashboard.tasks.run_export_job", job.pk) is True

    assert ExportJob.objects.get(pk=job.pk).status == ExportJob.Status.DONE


def test_a_name_that_is_no_task_fails_at_once(db):
    with pytest.raises(ModuleNotFoundError):
        enqueue("portal.dashboard.chores.run_export_job", 1)
    with pytest.raises(KeyError):
        enqueue("portal.dashboard.tasks.run_the_export_job", 1)


def test_a_broker_outage_is_logged_and_leaves_the_work_to_the_sweeper(db, celery_broker, caplog):
    celery_broker(f"redis://127.0.0.1:{free_port()}/0")

    with caplog.at_level(logging.WARNING, logger="portal.task_queue"):
        assert enqueue("portal.dashboard.tasks.run_export_job", 1) is False

    assert "Broker unavailable; portal.dashboard.tasks.run_export_job(1,) not queued" in caplog.text
