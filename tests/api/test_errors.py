"""The console API's envelope for errors nobody expected, and settings that keep the queue and OBS sane."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys

from drf_spectacular.generators import SchemaGenerator
from rest_framework import exceptions

from factory.api.errors import exception_handler
from factory.dataarts.errors import domain_error_translate
from factory.errors import ErrorCode, ServiceUnavailable


def test_an_unexpected_exception_answers_the_envelope_and_is_logged_not_shown(caplog):
    with caplog.at_level(logging.ERROR, logger="factory.api.errors"):
        response = exception_handler(RuntimeError("password=hunter2 in /srv/secret"), {"view": None})

    assert response is not None and response.status_code == 500
    assert response.data == {
        "message": "Something went wrong on the server; the error was logged.",
        "code": "internal_error",
        "extra": {"fields": {}},
    }
    assert "hunter2" not in json.dumps(response.data)
    assert any(r.exc_info and "hunter2" in str(r.exc_info[1]) for r in caplog.records)


def test_queue_unavailable_is_a_503_in_both_apis():
    exc = ServiceUnavailable(
        "The task queue is not reachable; try again in a moment.", code="queue_unavailable"
    )
    response = exception_handler(exc, {})
    assert response is not None and (response.status_code, response.data["code"]) == (
        503,
        "queue_unavailable",
    )
    translated = domain_error_translate(exc)
    assert (translated.status, translated.error_code) == (503, "DLF.9004")


def test_drf_s_own_errors_answer_an_error_code():
    response = exception_handler(exceptions.MethodNotAllowed("PATCH"), {})
    assert response is not None and (response.status_code, response.data["code"]) == (
        405,
        "method_not_allowed",
    )
    # A code that is not one of ErrorCode's is DRF's generic one: the envelope's code is always a member.
    response = exception_handler(exceptions.PermissionDenied("No.", code="custom_check"), {})
    assert response is not None and (response.status_code, response.data["code"]) == (403, "error")


def test_the_schema_declares_the_envelope_and_every_code():
    schemas = SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]
    assert schemas["ErrorCode"]["enum"] == [code.value for code in ErrorCode]
    assert schemas["Error"]["properties"]["code"] == {"$ref": "#/components/schemas/ErrorCode"}
    assert schemas["Error"]["required"] == ["message", "code", "extra"]


def test_obs_max_attempts_counts_every_attempt(settings):
    from factory.obs import client

    settings.OBS_ENDPOINT, settings.OBS_ACCESS_KEY_ID, settings.OBS_SECRET_ACCESS_KEY = "http://x:1", "a", "b"
    settings.OBS_MAX_ATTEMPTS = 2
    client._client.cache_clear()
    try:
        retries = client.obs_client().meta.config.retries
    finally:
        client._client.cache_clear()
    assert retries == {"total_max_attempts": 2, "mode": "standard"}


def test_the_redis_visibility_timeout_outlasts_the_task_time_limit():
    env = {**os.environ, "CELERY_BROKER_URL": "redis://127.0.0.1:1/0", "CELERY_TASK_TIME_LIMIT": "7200"}
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "from factory import settings; print(settings.CELERY_BROKER_TRANSPORT_OPTIONS)",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "'visibility_timeout': 7500" in out
