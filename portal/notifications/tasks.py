from celery import shared_task

from . import services


@shared_task(bind=True, acks_late=True, max_retries=None)
def deliver_email(self, email_id):
    """Deliver one outbox row; a retried or duplicated task never sends twice."""
    try:
        return services.deliver(email_id=email_id)
    except services.DeliveryFailed as exc:
        if self.request.is_eager:
            return False
        raise self.retry(countdown=exc.retry_in, max_retries=services.MAX_ATTEMPTS) from exc


@shared_task
def requeue_undelivered():
    """Re-queue every outbox row left pending, e.g. because the broker was down when it was written."""
    ids = services.due_email_ids()
    for email_id in ids:
        services.enqueue_delivery(email_id)
    return len(ids)
