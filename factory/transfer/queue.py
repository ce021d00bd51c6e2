"""Sending a Celery task from a request, with the broker possibly down.

The task rows are committed before their message is sent (``transaction.on_commit``): when the broker is
not reachable the send raises, the row would stay PENDING (blocking the workspace's imports) and the
request would end in an HTML 500. ``queue_send`` undoes what the caller committed (``on_failure``) and
answers 503 ``queue_unavailable`` instead.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from kombu.exceptions import OperationalError

from factory.errors import ServiceUnavailable

logger = logging.getLogger(__name__)

QUEUE_UNAVAILABLE = "queue_unavailable"
QUEUE_UNAVAILABLE_MESSAGE = "The task queue is not reachable; try again in a moment."
# kombu wraps the transport's connection errors in OperationalError; raw socket errors
# (ConnectionError and the other OSErrors) can still escape from some transports.
QUEUE_ERRORS: tuple[type[BaseException], ...] = (OperationalError, OSError)


def queue_unavailable() -> ServiceUnavailable:
    return ServiceUnavailable(QUEUE_UNAVAILABLE_MESSAGE, code=QUEUE_UNAVAILABLE)


def queue_send(send: Callable[[], Any], *, on_failure: Callable[[], None], what: str) -> None:
    """Run ``send``; when the broker is not reachable, run ``on_failure`` and raise 503."""
    try:
        send()
    except QUEUE_ERRORS as exc:
        logger.warning("Could not queue %s: the broker is not reachable (%s)", what, exc)
        try:
            on_failure()
        except Exception:
            logger.exception("Could not undo %s after the broker failed", what)
        raise queue_unavailable() from exc
