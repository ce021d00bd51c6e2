"""Settings for a pytest session: the project's settings, with the session's own files and Celery queue.

pytest-django loads the settings before any conftest runs, so the variables that factory.settings reads
at import time are set here, first: a throwaway ``VAR_DIR`` (keys, broker folders, static files),
``MEDIA_ROOT`` inside it, and a ``CELERY_QUEUE`` and ``CACHE_KEY_PREFIX`` of our own, so that the test
session never touches the developer's ``var/`` and never meets another session's tasks or cache entries
on a shared Redis. Values given in the
environment win. The Celery worker that tests start gets the same variables (see ``tests/harness.py``).
"""

import os
import re
import secrets
import shutil
import tempfile
from pathlib import Path

from devtools.processes import pid_alive

_VAR_PREFIX = "factory-test-var-"


def _remove_stale_var_dirs() -> None:
    """Sessions that were killed could not delete theirs: the pid in the name tells."""
    for path in Path(tempfile.gettempdir()).glob(f"{_VAR_PREFIX}*"):
        match = re.match(rf"{_VAR_PREFIX}(\d+)-", path.name)
        if match and not pid_alive(int(match[1])):
            shutil.rmtree(path, ignore_errors=True)


_created_var_dir = not os.environ.get("VAR_DIR")
if _created_var_dir:
    _remove_stale_var_dirs()
    os.environ["VAR_DIR"] = tempfile.mkdtemp(prefix=f"{_VAR_PREFIX}{os.getpid()}-")
os.environ.setdefault("MEDIA_ROOT", os.path.join(os.environ["VAR_DIR"], "media"))
os.environ.setdefault("CELERY_QUEUE", f"test-{os.getpid()}-{secrets.token_hex(3)}")
os.environ.setdefault("CACHE_KEY_PREFIX", os.environ["CELERY_QUEUE"])  # a Redis may be shared too
# Remote promotion reaches the harness's second console (http on loopback, its port chosen when it starts)
# besides DataArts' hosts; profiles in tests name hosts of example.com (never resolved: nothing connects).
os.environ.setdefault("PROMOTION_REMOTE_ENDPOINTS", "*.myhuaweicloud.com *.example.com http://127.0.0.1:*")

from factory.settings import *  # noqa: E402, F403

STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405 - WhiteNoise warns about a missing one

# tests/harness.py deletes VAR_DIR at the end of the session when it was made here (not in a child).
TEST_VAR_DIR_CREATED = _created_var_dir
