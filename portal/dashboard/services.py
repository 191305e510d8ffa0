"""Export files written in the background: asking for one, writing it, and sweeping up after."""

import io
import logging
import tempfile
from datetime import timedelta

from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit.services import record_event
from portal.errors import DomainError, NotAllowed
from portal.spreadsheets import write_csv, write_xlsx
from portal.task_queue import enqueue

from . import permissions
from .exports import EXPORTS
from .models import ExportJob

logger = logging.getLogger(__name__)

# Files hold personal data; they are deleted after a week, and the administrator can ask again.
RETENTION = timedelta(days=7)
# A queued job whose task was lost (broker down) is sent again after this long.
REQUEUE_AFTER = timedelta(minutes=5)
# Longer than the broker's visibility timeout: a job still "running" after this lost its worker.
STALLED_AFTER = timedelta(hours=2)


@transaction.atomic
def request_export(*, kind, file_format, by):
    """Queue an export file for a programme administrator; the task starts once the request commits."""
    if not permissions.can_export(by):
        raise NotAllowed(_("Only programme administrators can export."))
    if kind not in EXPORTS or file_format not in ExportJob.Format.values:
        raise DomainError(_("There is no such export."))
    job = ExportJob.objects.create(requested_by=by, kind=kind, format=file_format)
    record_event(actor=by, action="export.requested", obj=job, data={"kind": kind, "format": file_format})
    transaction.on_commit(lambda: enqueue_job(job.pk))
    return job


def record_streamed_export(*, kind, by):
    """Audit a CSV streamed straight to the administrator: who took which personal data, and when."""
    record_event(actor=by, action="export.streamed", obj=by, data={"kind": kind, "format": "csv"})


def enqueue_job(job_id):
    """Hand a job to the queue; if the broker is down the sweeper sends it later."""
    enqueue("portal.dashboard.tasks.run_export_job", job_id)


def _claim(job_id):
    """Mark a queued job running and return it, or None if it is gone, taken or already finished."""
    with transaction.atomic():
        job = ExportJob.objects.select_for_update(skip_locked=True).filter(pk=job_id).first()
        if job is None or job.status != ExportJob.Status.QUEUED:
            return None
        job.status = ExportJob.Status.RUNNING
        job.started_at = timezone.now()
        job.save(update_fields=["status", "started_at"])
    return job


def run_export(*, job_id):
    """Write a queued export to the file storage, saving progress as it goes; safe to run twice.

    Returns True when this call wrote the file.
    """
    job = _claim(job_id)
    if job is None:
        return False
    try:
        _write(job)
    except Exception as exc:
        logger.exception("Export %s failed", job.pk)
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportJob.Status.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000], finished_at=timezone.now()
        )
        return False
    return True


def _write(job):
    export = EXPORTS[job.kind]
    job.rows_total = export.count()
    job.save(update_fields=["rows_total"])

    def progress(done):
        ExportJob.objects.filter(pk=job.pk).update(rows_done=done)
        job.rows_done = done

    rows = export.rows(viewer=job.requested_by)
    filename = f"{job.kind}-{timezone.now():%Y%m%d-%H%M%S}.{job.format}"
    # The file is written to a temporary file on disk, then handed to the storage.
    with tempfile.TemporaryFile() as target:
        if job.format == ExportJob.Format.CSV:
            text = io.TextIOWrapper(target, encoding="utf-8", newline="")
            write_csv(text, export.header, rows, on_progress=progress)
            text.flush()
            text.detach()
        else:
            write_xlsx(target, export.title, export.header, rows, on_progress=progress)
        target.seek(0)
        job.file.save(filename, File(target, name=filename), save=False)
    job.status = ExportJob.Status.DONE
    job.finished_at = timezone.now()
    job.save(update_fields=["file", "status", "finished_at", "rows_done"])


def sweep_exports(*, now=None):
    """Send again the jobs whose task was lost, and delete the files past their retention period."""
    now = now or timezone.now()
    stalled = ExportJob.objects.filter(status=ExportJob.Status.RUNNING, started_at__lt=now - STALLED_AFTER)
    stalled.update(status=ExportJob.Status.QUEUED, rows_done=0)
    waiting = list(
        ExportJob.objects.filter(status=ExportJob.Status.QUEUED, created_at__lt=now - REQUEUE_AFTER).values_list(
            "pk", flat=True
        )[:100]
    )
    for job_id in waiting:
        enqueue_job(job_id)
    expired = 0
    for job in ExportJob.objects.filter(status=ExportJob.Status.DONE, finished_at__lt=now - RETENTION):
        job.file.delete(save=False)
        job.status = ExportJob.Status.EXPIRED
        job.save(update_fields=["file", "status"])
        expired += 1
    return {"requeued": len(waiting), "expired": expired}
