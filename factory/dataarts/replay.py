"""One use per signature: the replay cache of the v1 API.

A signature stays acceptable while its ``X-Sdk-Date`` is within the clock-skew window of the server's
time, so anyone who captures a signed request could send it again until then. Each accepted signature
is recorded in Django's cache (Redis in production, the file cache in the embedded run: both shared by
every web process) until its date leaves the window, and a second use is refused.

One allowance: ``X-Sdk-Date`` counts whole seconds, so the SDK signs two identical reads made within
one second (a client polling a task) identically. A read (GET, HEAD) may therefore repeat its signature
for ``READ_REUSE_SECONDS`` after the first use; a write never repeats.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from django.core.cache import cache

from factory.dataarts.errors import SERVICE_UNAVAILABLE, DataArtsError, SignatureInvalid

logger = logging.getLogger(__name__)

READ_METHODS = ("GET", "HEAD")
# The SDK's one-second date resolution plus the time for the second of two such reads to arrive.
READ_REUSE_SECONDS = 2.0
_KEY = "dataarts:signature:{access_key_id}:{signature}"


def signature_use_record(
    *,
    access_key_id: str,
    signature: str,
    method: str,
    signed_at: datetime,
    now: datetime,
    window: timedelta,
) -> None:
    """Record the first use of ``signature``; raise SignatureInvalid if it was used before.

    Call only once the signature is verified: recording a forged one would let anyone who sees a
    request in flight spend its signature before it arrives.
    """
    key = _KEY.format(access_key_id=access_key_id, signature=signature)
    # Kept until the signature's date is out of the window (a second after, against rounding).
    timeout = max(int((signed_at + window - now).total_seconds()) + 1, 1)
    first_use = now.timestamp()
    try:
        if cache.add(key, first_use, timeout=timeout):
            return
        recorded = cache.get(key)
    except Exception as exc:  # the cache backend's own errors (Redis down, an unwritable cache dir)
        logger.warning("v1 replay cache unavailable: %s", exc)
        # Refuse rather than accept unchecked: a replayed DELETE cannot be taken back.
        raise DataArtsError(
            "The request cannot be checked against replays now (the cache is not reachable); "
            "nothing was done, try again in a moment.",
            error_code=SERVICE_UNAVAILABLE,
            status=503,
        ) from exc
    if method.upper() in READ_METHODS and recorded is not None and first_use - recorded <= READ_REUSE_SECONDS:
        return
    raise SignatureInvalid(
        f"the request was replayed: its signature was already used{_when(recorded)}, and a signed "
        "request is accepted once; sign each request anew"
    )


def _when(recorded: object) -> str:
    if isinstance(recorded, (int, float)):
        return " at " + datetime.fromtimestamp(recorded, UTC).strftime("%Y%m%dT%H%M%SZ")
    return ""
