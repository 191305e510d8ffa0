"""Queue a Celery task by its name, so that a service never imports the tasks module that calls it.

Tasks call services; services queue tasks here by name ("portal.dashboard.tasks.run_export_job"), and the two
modules never import each other.
"""

import logging
from importlib import import_module

from celery import current_app

logger = logging.getLogger(__name__)


def enqueue(name, *args):
    """Queue the task `name` with `args`; answers whether the broker took it.

    A broker outage never fails the caller's request: it is logged, and the task's sweeper sends the work later
    (the outbox's, the export jobs', the nightly affinity). A name that is no task fails loudly, outage or not.
    """
    task = _task(name)
    try:
        task.delay(*args)
    except Exception:  # the broker being unreachable must never fail the user's request
        logger.warning("Broker unavailable; %s%r not queued, left for its sweeper", name, args, exc_info=True)
        return False
    return True


def _task(name):
    # A worker imports every app's tasks at start; a web process only those something imported: import the one named.
    if name not in current_app.tasks:
        import_module(name.rpartition(".")[0])
    return current_app.tasks[name]
