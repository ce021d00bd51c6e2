"""Fixtures of the transfer tests: fast password hashing, and the export world of
``tests/transfer/exporting.py``."""

from __future__ import annotations

import pytest

from tests.transfer.exporting import export_world  # noqa: F401 (fixture)


@pytest.fixture(autouse=True)
def _fast_export_passwords(settings) -> None:
    # Users are made per test; the default PBKDF2 hasher would spend most of the suite's time on them.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
