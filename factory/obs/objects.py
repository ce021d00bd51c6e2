"""Reading, writing and browsing OBS objects. Every failure becomes an ObsError naming the path."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any, BinaryIO, Literal

from botocore.exceptions import BotoCoreError, ClientError

from factory.errors import ErrorCode
from factory.obs.client import obs_client
from factory.obs.errors import ObsError
from factory.obs.paths import ObsPath, obs_path_parse

logger = logging.getLogger(__name__)

PART_SIZE = 8 * 1024 * 1024  # S3 multipart parts must be >= 5 MiB except the last
ABORT_ATTEMPTS = 3  # on top of botocore's own retries of each call
ABORT_BACKOFF_SECONDS = 0.5  # doubled after each failed attempt


def _error_code(exc: Exception) -> str:
    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Code", ""))
    return ""


_FAILED = {"read": ErrorCode.OBS_READ_FAILED, "write": ErrorCode.OBS_WRITE_FAILED}


def _translate(exc: Exception, *, path: ObsPath, action: Literal["read", "write"]) -> ObsError:
    code = _error_code(exc)
    if code in ("NoSuchBucket",):
        return ObsError(
            f"The OBS bucket {path.bucket!r} does not exist ({path}).", code=ErrorCode.OBS_BUCKET_MISSING
        )
    if code in ("NoSuchKey", "404", "NotFound"):
        return ObsError(f"There is no OBS object at {path}.", code=ErrorCode.OBS_OBJECT_MISSING)
    if code in ("AccessDenied", "403", "AllAccessDisabled"):
        return ObsError(f"OBS refused to {action} {path}: access denied.", code=_FAILED[action])
    detail = code or type(exc).__name__
    return ObsError(f"Could not {action} {path} in OBS ({detail}).", code=_FAILED[action])


def _bucket_check(*, client: Any, path: ObsPath, action: Literal["read", "write"]) -> None:
    """Fail with obs_bucket_missing when the bucket does not exist. HEAD answers carry no error body,
    so a missing bucket shows as a bare 404 here; some S3 servers would otherwise create it on write."""
    try:
        client.head_bucket(Bucket=path.bucket)
    except (BotoCoreError, ClientError) as exc:
        if _error_code(exc) in ("404", "NoSuchBucket", "NotFound"):
            raise ObsError(
                f"The OBS bucket {path.bucket!r} does not exist ({path}).", code=ErrorCode.OBS_BUCKET_MISSING
            ) from exc
        raise _translate(exc, path=path, action=action) from exc


def obs_write_stream(*, path: ObsPath, chunks: Iterable[bytes], content_type: str = "application/zip") -> int:
    """Upload a stream as one object with a multipart upload; memory stays at one part.

    On any failure the upload is aborted, so nothing half-written is left in OBS.
    """
    client = obs_client()
    if path.is_prefix:
        raise ObsError(f"{path} names a folder, not an object.", code=ErrorCode.OBS_PATH_INVALID)
    _bucket_check(client=client, path=path, action="write")
    try:
        upload = client.create_multipart_upload(Bucket=path.bucket, Key=path.key, ContentType=content_type)
    except (BotoCoreError, ClientError) as exc:
        raise _translate(exc, path=path, action="write") from exc
    upload_id = upload["UploadId"]
    parts: list[dict[str, Any]] = []
    buffer = bytearray()
    total = 0

    def flush() -> None:
        number = len(parts) + 1
        result = client.upload_part(
            Bucket=path.bucket, Key=path.key, UploadId=upload_id, PartNumber=number, Body=bytes(buffer)
        )
        parts.append({"PartNumber": number, "ETag": result["ETag"]})
        buffer.clear()

    try:
        for chunk in chunks:
            buffer += chunk
            total += len(chunk)
            if len(buffer) >= PART_SIZE:
                flush()
        if buffer or not parts:
            flush()
        client.complete_multipart_upload(
            Bucket=path.bucket, Key=path.key, UploadId=upload_id, MultipartUpload={"Parts": parts}
        )
    except BaseException as exc:
        _multipart_abort(client=client, path=path, upload_id=upload_id)
        if isinstance(exc, (BotoCoreError, ClientError)):
            raise _translate(exc, path=path, action="write") from exc
        raise
    return total


def _multipart_abort(*, client: Any, path: ObsPath, upload_id: str) -> bool:
    """Abort a multipart upload, trying again a few times: OBS keeps (and bills) the parts of an upload
    nobody aborts. When it still fails, a warning names the upload; ``obs_multipart_abort_stale`` (run
    before each export to OBS) or the bucket's AbortIncompleteMultipartUpload lifecycle rule gets rid of
    it later (docs/operations.md)."""
    error: Exception | None = None
    for attempt in range(ABORT_ATTEMPTS):
        if attempt:
            time.sleep(ABORT_BACKOFF_SECONDS * 2 ** (attempt - 1))
        try:
            client.abort_multipart_upload(Bucket=path.bucket, Key=path.key, UploadId=upload_id)
        except (BotoCoreError, ClientError) as exc:
            if _error_code(exc) == "NoSuchUpload":
                return True
            error = exc
        else:
            return True
    logger.warning(
        "Could not abort the multipart upload %s of %s (%s); it is left in OBS until a later export to "
        "the same folder or the bucket's lifecycle rule aborts it.",
        upload_id,
        path,
        (_error_code(error) or type(error).__name__) if error else "",
    )
    return False


def obs_multipart_abort_stale(*, bucket: str, prefix: str, older_than: datetime | timedelta) -> int:
    """Abort the incomplete multipart uploads of ``*.zip`` objects directly under ``prefix`` that were
    started before ``older_than`` (a moment, or an age): the leftovers of writes whose abort failed.
    Best effort: OBS trouble is logged, never raised. Returns how many were aborted."""
    cutoff = datetime.now(UTC) - older_than if isinstance(older_than, timedelta) else older_than
    try:
        client = obs_client()
    except ObsError:
        return 0
    aborted = 0
    markers: dict[str, str] = {}
    try:
        for _page in range(10):  # a bounded look: this runs before every export
            page = client.list_multipart_uploads(Bucket=bucket, Prefix=prefix, **markers)
            for upload in page.get("Uploads", []):
                key = str(upload.get("Key", ""))
                rest = key[len(prefix) :]
                initiated = upload.get("Initiated")
                if "/" in rest or not rest.endswith(".zip") or initiated is None or initiated >= cutoff:
                    continue
                where = ObsPath(bucket, key)
                if _multipart_abort(client=client, path=where, upload_id=upload["UploadId"]):
                    logger.info("Aborted the stale multipart upload %s of %s", upload["UploadId"], where)
                    aborted += 1
            if not page.get("IsTruncated"):
                break
            markers = {"KeyMarker": page["NextKeyMarker"], "UploadIdMarker": page["NextUploadIdMarker"]}
    except (BotoCoreError, ClientError, KeyError) as exc:
        logger.warning("Could not list the multipart uploads under obs://%s/%s (%s)", bucket, prefix, exc)
    return aborted


def obs_download_to(*, path: ObsPath, fileobj: BinaryIO, max_bytes: int) -> int:
    """Copy an object into ``fileobj``, refusing objects larger than ``max_bytes`` before reading them."""
    client = obs_client()
    try:
        head = client.head_object(Bucket=path.bucket, Key=path.key)
    except (BotoCoreError, ClientError) as exc:
        if _error_code(exc) in ("404", "NoSuchKey", "NotFound"):
            _bucket_check(client=client, path=path, action="read")
        raise _translate(exc, path=path, action="read") from exc
    size = int(head.get("ContentLength", 0))
    if size > max_bytes:
        raise ObsError(
            f"{path} is {size} bytes; packages may be at most {max_bytes} bytes.",
            code=ErrorCode.OBS_TOO_LARGE,
        )
    try:
        body = client.get_object(Bucket=path.bucket, Key=path.key)["Body"]
        copied = 0
        for chunk in body.iter_chunks(1024 * 1024):
            copied += len(chunk)
            if copied > max_bytes:
                raise ObsError(
                    f"{path} grew beyond {max_bytes} bytes while reading.", code=ErrorCode.OBS_TOO_LARGE
                )
            fileobj.write(chunk)
    except (BotoCoreError, ClientError) as exc:
        raise _translate(exc, path=path, action="read") from exc
    return copied


def obs_exists(*, path: ObsPath) -> bool:
    try:
        obs_client().head_object(Bucket=path.bucket, Key=path.key)
    except (BotoCoreError, ClientError) as exc:
        if _error_code(exc) in ("404", "NoSuchKey", "NotFound"):
            return False
        raise _translate(exc, path=path, action="read") from exc
    return True


def obs_delete(*, path: ObsPath) -> None:
    try:
        obs_client().delete_object(Bucket=path.bucket, Key=path.key)
    except (BotoCoreError, ClientError) as exc:
        raise _translate(exc, path=path, action="write") from exc


def obs_browse(*, path: str = "", limit: int = 1000) -> dict[str, Any]:
    """Buckets when ``path`` is empty; otherwise the folders and objects directly under a prefix."""
    client = obs_client()
    if not path:
        try:
            buckets = client.list_buckets().get("Buckets", [])
        except (BotoCoreError, ClientError) as exc:
            raise ObsError(f"Could not list OBS buckets ({_error_code(exc) or type(exc).__name__}).") from exc
        return {"buckets": sorted(b["Name"] for b in buckets)}
    where = obs_path_parse(path if path.endswith("/") or "/" in path[6:] else path + "/", field="path")
    prefix = where.key if where.is_prefix else where.key + "/"
    try:
        page = client.list_objects_v2(Bucket=where.bucket, Prefix=prefix, Delimiter="/", MaxKeys=limit)
    except (BotoCoreError, ClientError) as exc:
        raise _translate(exc, path=where, action="read") from exc
    return {
        "path": str(ObsPath(where.bucket, prefix)),
        "prefixes": [f"obs://{where.bucket}/{p['Prefix']}" for p in page.get("CommonPrefixes", [])],
        "objects": [
            {
                "key": o["Key"],
                "path": f"obs://{where.bucket}/{o['Key']}",
                "size": o["Size"],
                "lastModified": o["LastModified"].isoformat(),
            }
            for o in page.get("Contents", [])
            if o["Key"] != prefix
        ],
        "truncated": bool(page.get("IsTruncated")),
    }
