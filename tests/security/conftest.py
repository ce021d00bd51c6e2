"""Fixtures of the security tests: the two-workspace world (tests/security/world.py) on a private media
root, with fast password hashing."""

from __future__ import annotations

import pytest

from tests.security.world import World, world_build


@pytest.fixture(autouse=True)
def _fast_passwords(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture
def world(db, media) -> World:
    return world_build()
