"""The boto3 client for OBS, configured once from settings and cached per process."""

from __future__ import annotations

import threading
from functools import cache
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings

from factory.errors import ErrorCode

_lock = threading.Lock()


def obs_configured() -> bool:
    return bool(settings.OBS_ENDPOINT and settings.OBS_ACCESS_KEY_ID and settings.OBS_SECRET_ACCESS_KEY)


@cache
def _client(endpoint: str, access_key: str, secret_key: str, region: str) -> Any:
    config = Config(
        signature_version="s3v4",
        s3={"addressing_style": "path"},
        connect_timeout=settings.OBS_CONNECT_TIMEOUT,
        read_timeout=settings.OBS_READ_TIMEOUT,
        # total_max_attempts counts the first call too (max_attempts would count only the retries).
        retries={"total_max_attempts": settings.OBS_MAX_ATTEMPTS, "mode": "standard"},
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
    )
    with _lock:  # boto3's default session is not thread-safe when creating clients
        return boto3.session.Session().client(
            "s3",
            endpoint_url=endpoint,
            aws_access_key_id=access_key,
            aws_secret_access_key=secret_key,
            region_name=region,
            config=config,
        )


def obs_client() -> Any:
    from factory.obs.errors import ObsError

    if not obs_configured():
        raise ObsError(
            "OBS is not configured on this server (OBS_ENDPOINT and its keys are not set).",
            code=ErrorCode.OBS_UNAVAILABLE,
        )
    return _client(
        settings.OBS_ENDPOINT, settings.OBS_ACCESS_KEY_ID, settings.OBS_SECRET_ACCESS_KEY, settings.OBS_REGION
    )


def obs_available() -> tuple[bool, str]:
    """Whether OBS can be used now: configured and answering. The reason is shown to the user when not."""
    if not obs_configured():
        return False, "OBS is not configured on this server; import from the local PC instead."
    try:
        obs_client().list_buckets()
    except (BotoCoreError, ClientError) as exc:
        return (
            False,
            f"OBS at {settings.OBS_ENDPOINT} is not answering ({type(exc).__name__}); import from the local PC instead.",
        )
    return True, ""
