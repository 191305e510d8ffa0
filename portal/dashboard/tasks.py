from celery import shared_task

from . import services


@shared_task(acks_late=True)
def run_export_job(job_id):
    """Write one export file; a duplicated or retried task finds the job taken and does nothing."""
    return services.run_export(job_id=job_id)


@shared_task
def sweep_export_jobs():
    """Re-send lost export jobs and delete the files past their retention period."""
    return services.sweep_exports()
