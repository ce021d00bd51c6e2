"""The second console that remote promotions go to (``tests/second_console.py``), started once per session
on first use, with the SeaweedFS bucket its packages are staged in."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.harness import bucket_delete, require_postgresql
from tests.second_console import SecondConsole, second_console_start


@pytest.fixture(scope="session")
def staging_bucket(s3: Any) -> Iterator[str]:
    """The bucket both consoles' workspaces may use: promotions stage their packages in it."""
    import secrets

    name = f"staging-{secrets.token_hex(5)}"
    s3.create_bucket(Bucket=name)
    yield name
    bucket_delete(s3, name)


@pytest.fixture(scope="session")
def second_console(
    django_db_setup: None, django_db_blocker: Any, staging_bucket: str
) -> Iterator[SecondConsole]:
    """Another console on another port (gunicorn), its own database, Celery worker and keys; see
    ``tests/second_console.py``."""
    from django.db import connection

    require_postgresql("the second console")
    with django_db_blocker.unblock():
        test_database = connection.settings_dict["NAME"]
    console = second_console_start(test_database=test_database, bucket=staging_bucket)
    yield console
    console.stop()
