"""Fixtures of the transfer tests: fast password hashing, the export world of
``tests/transfer/exporting.py``, and the import tests' target workspace and media root
(``tests/transfer/importing.py``)."""

from __future__ import annotations

import pytest

from tests.transfer.exporting import export_world  # noqa: F401 (fixture)
from tests.transfer.importing import Target, media_root, target_build


@pytest.fixture(autouse=True)
def _fast_export_passwords(settings) -> None:
    # Users are made per test; the default PBKDF2 hasher would spend most of the suite's time on them.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def target(db) -> Target:
    """A workspace to import into, with its members and the connections packages refer to."""
    return target_build()


@pytest.fixture
def media(settings, tmp_path):
    """Default storage in the test's own directory (uploads, reports)."""
    return media_root(settings, tmp_path)
