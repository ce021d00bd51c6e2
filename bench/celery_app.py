"""The console's Celery app with the bench's task recorder: ``celery -A bench.celery_app worker``.

The worker runs the console's own tasks (``factory.transfer.tasks``) unchanged; the signal handlers only
note each run's wall time, SQL queries and peak memory (see ``bench.measure``).
"""

from bench.measure import task_signals_connect
from factory.celery import app

task_signals_connect()

__all__ = ["app"]
