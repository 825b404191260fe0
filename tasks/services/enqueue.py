"""The one seam through which services queue Celery work: after the transaction commits.

``tasks/tasks.py`` (the Celery entry points) imports the services, so services never import it at
module level; they name the task here instead.
"""

from __future__ import annotations

from django.db import transaction


def enqueue_after_commit(task_name: str, *args) -> None:
    """Queue ``tasks.tasks.<task_name>(*args)`` once the current transaction commits (now if none)."""
    from tasks import tasks as celery_tasks

    task = getattr(celery_tasks, task_name)
    transaction.on_commit(lambda: task.delay(*args))
