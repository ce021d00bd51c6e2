"""Request-size limits at the web layer (``factory.api.security.RequestSizeLimitMiddleware``): a body over
the configured limit is refused with 413 and the API's own error shape, from its declared length, before a
byte of it is read."""

from __future__ import annotations

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.test.client import encode_multipart

from factory.transfer.models import SystemTask
from tests.security.world import World, db_snapshot, snapshot_diff, v1_call
from tests.transfer.hostile.builders import dws_job, package_bytes

pytestmark = pytest.mark.django_db
BOUNDARY = "BoUnDaRyStRiNg"


class CountingStream(io.BytesIO):
    """A request body that counts what the server reads of it."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.bytes_read = 0

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        self.bytes_read += len(chunk)
        return chunk

    def readline(self, size: int | None = -1) -> bytes:
        line = super().readline(size)
        self.bytes_read += len(line)
        return line


@pytest.fixture
def limits(settings):
    settings.PACKAGE_MAX_PACKED_BYTES = 4000
    settings.UPLOAD_FORM_OVERHEAD_BYTES = 1000
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2000
    return settings


def _multipart(data: bytes) -> bytes:
    file = SimpleUploadedFile("big.zip", data, content_type="application/zip")
    return encode_multipart(BOUNDARY, {"file": file, "policy": "overwrite"})


def _post_counted(client: Client, path: str, body: bytes, content_type: str, declared: int | None = None):
    stream = CountingStream(body)
    length = str(declared if declared is not None else len(body))
    response = client.generic(
        "POST", path, **{"wsgi.input": stream, "CONTENT_LENGTH": length, "CONTENT_TYPE": content_type}
    )
    return response, stream


def test_a_package_over_the_limit_is_refused_before_it_is_read(world: World, limits, media) -> None:
    client = Client()
    client.force_login(world.a.admin)
    path = f"/api/workspaces/{world.a.workspace.pk}/imports/"
    body = _multipart(b"PK" + b"x" * 6000)
    before = db_snapshot()

    response, stream = _post_counted(client, path, body, f"multipart/form-data; boundary={BOUNDARY}")

    assert response.status_code == 413
    assert response.json() == {
        "message": f"The package upload is {len(body)} bytes; at most 5000 bytes are accepted.",
        "code": "request_too_large",
        "extra": {"fields": {}},
    }
    assert stream.bytes_read == 0
    assert snapshot_diff(before, db_snapshot()) == []
    assert not any(media.rglob("*.zip")) or all("export" in str(p) for p in media.rglob("*.zip"))


def test_a_declared_length_is_enough_to_refuse(world: World, limits) -> None:
    """A client announcing 10 GB is answered at once, whatever it actually sends."""
    client = Client()
    client.force_login(world.a.admin)
    path = f"/api/workspaces/{world.a.workspace.pk}/imports/"
    response, stream = _post_counted(
        client, path, b"--", f"multipart/form-data; boundary={BOUNDARY}", declared=10 * 1024**3
    )
    assert response.status_code == 413 and response.json()["code"] == "request_too_large"
    assert stream.bytes_read == 0


def test_a_package_within_the_limit_is_imported(
    world: World, limits, settings, django_capture_on_commit_callbacks
) -> None:
    settings.PACKAGE_MAX_PACKED_BYTES = 100_000
    data = package_bytes(jobs=[dws_job("within_limit", connection="alpha_conn")])
    client = Client()
    client.force_login(world.a.admin)
    file = SimpleUploadedFile("ok.zip", data, content_type="application/zip")
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(f"/api/workspaces/{world.a.workspace.pk}/imports/", {"file": file})
    assert response.status_code == 202, response.content
    assert SystemTask.objects.filter(public_id=response.json()["task"]["id"]).exists()


def test_a_json_body_over_the_limit_is_refused(world: World, limits) -> None:
    client = Client()
    client.force_login(world.a.admin)
    document = {"name": "big", "nodes": [], "padding": "x" * 3000}
    body = json.dumps({"document": document}).encode()
    before = db_snapshot()
    response, stream = _post_counted(
        client, f"/api/workspaces/{world.a.workspace.pk}/jobs/", body, "application/json"
    )
    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"
    assert (
        response.json()["message"]
        == f"The request body is {len(body)} bytes; at most 2000 bytes are accepted."
    )
    assert stream.bytes_read == 0
    assert snapshot_diff(before, db_snapshot()) == []
    # Under the limit, the same route works as usual (here: a validation error, not a 413).
    small = client.post(
        f"/api/workspaces/{world.a.workspace.pk}/jobs/", {"document": {}}, content_type="application/json"
    )
    assert small.status_code == 400


def test_the_v1_api_answers_in_its_own_shape(world: World, limits) -> None:
    body = {"name": "big", "processType": "BATCH", "nodes": [], "padding": "x" * 3000}
    response = v1_call(
        Client(),
        key=world.keys[world.a.admin.username],
        method="POST",
        path=f"/v1/{world.project_id}/jobs",
        workspace=None,
        body=body,
    )
    assert response.status_code == 413
    data = response.json()
    assert data["error_code"] == "DLF.3051" and "at most 2000 bytes" in data["error_msg"]


def test_other_paths_are_left_to_django(world: World, limits) -> None:
    """Pages and static files are not the APIs': Django's own limits apply there."""
    response = Client().post("/login/", {"username": "x" * 100, "password": "y"})
    assert response.status_code in (200, 403)
