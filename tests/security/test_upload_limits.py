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
from tests.builders import package_bytes, package_dws_job
from tests.security.world import World, db_snapshot, snapshot_diff, v1_call

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
    data = package_bytes(jobs=[package_dws_job("within_limit", connection="alpha_conn")])
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


MIB = 1024 * 1024
LOGIN_ROUTES = ["/login/", "/admin/login/", "/api/session/login/"]


@pytest.fixture
def upload_temp_dir(settings, tmp_path):
    """Where Django would spool an uploaded file: empty, so that a test can tell nothing was written."""
    path = tmp_path / "uploads"
    path.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(path)
    return path


@pytest.mark.parametrize("path", LOGIN_ROUTES)
def test_an_anonymous_multipart_post_to_a_login_route_is_refused_unread(
    path: str, upload_temp_dir, settings
) -> None:
    """The review's finding: 64 MiB posted anonymously to a login route was spooled to a temporary file
    (the CSRF check parses the body) before the 403. Only the upload route takes a file now: anywhere
    else a multipart body is held to FILE_UPLOAD_MAX_MEMORY_SIZE, refused before it is read."""
    body = _multipart(b"PK" + b"x" * (64 * MIB))
    before = db_snapshot()

    response, stream = _post_counted(Client(), path, body, f"multipart/form-data; boundary={BOUNDARY}")

    assert response.status_code == 413
    limit = settings.FILE_UPLOAD_MAX_MEMORY_SIZE
    message = f"The request body is {len(body)} bytes; at most {limit} bytes are accepted."
    if path.startswith("/api/"):
        assert response.json() == {"message": message, "code": "request_too_large", "extra": {"fields": {}}}
    else:  # a page: plain text a person can read
        assert response["Content-Type"].startswith("text/plain") and response.content.decode() == message
    assert stream.bytes_read == 0
    assert list(upload_temp_dir.iterdir()) == []
    assert snapshot_diff(before, db_snapshot()) == []


def test_a_file_is_accepted_by_the_upload_route_only(world: World, limits, upload_temp_dir) -> None:
    """A package-sized multipart body to any other console route is refused, for logged-in users too."""
    limits.FILE_UPLOAD_MAX_MEMORY_SIZE = 1500
    client = Client()
    client.force_login(world.a.admin)
    body = _multipart(b"PK" + b"x" * 3000)  # under the package limit (5000), over the in-memory one
    content_type = f"multipart/form-data; boundary={BOUNDARY}"
    before = db_snapshot()

    refused, stream = _post_counted(
        client, f"/api/workspaces/{world.a.workspace.pk}/jobs/", body, content_type
    )

    assert refused.status_code == 413
    assert (
        refused.json()["message"]
        == f"The request body is {len(body)} bytes; at most 1500 bytes are accepted."
    )
    assert stream.bytes_read == 0 and list(upload_temp_dir.iterdir()) == []
    assert snapshot_diff(before, db_snapshot()) == []
    # The same body is read by the upload route (then refused by the import as not a zip).
    upload, stream = _post_counted(
        client, f"/api/workspaces/{world.a.workspace.pk}/imports/", body, content_type
    )
    assert upload.status_code != 413 and stream.bytes_read == len(body)


def test_a_small_login_form_still_works(world: World, limits) -> None:
    """Under the limits, the login page behaves as before: a wrong password is shown the form again."""
    response = Client().post("/login/", {"username": "x" * 100, "password": "y"})
    assert response.status_code in (200, 403)
