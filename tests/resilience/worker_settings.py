"""Settings of the dedicated Celery worker of tests/resilience (not a test module).

The session's settings, with the Redis transport told to hand back the messages of a worker killed
outright (``acks_late``: they stay unacknowledged) after ``RESILIENCE_VISIBILITY_TIMEOUT`` seconds instead
of an hour, and to look for them every second. Everything else comes from the environment the fixture
gives the worker (broker, queue, OBS endpoint through the fault-injecting proxy, time limits).
"""

import os

from devtools.test_settings import *  # noqa: F403

CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": int(os.environ.get("RESILIENCE_VISIBILITY_TIMEOUT", "3600")),
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
