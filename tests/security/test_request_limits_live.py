"""Request limits against the production server: gunicorn running the console's WSGI application, spoken
to over a socket, as `make run` starts it. What the test client cannot show: that the answer comes
before the body is sent (the server never waits for it), that no temporary file appears while the body
is still arriving, and how a chunked upload (no Content-Length) is answered."""

from __future__ import annotations

import json
import os
import socket
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from devtools.processes import spawn, stop
from devtools.servers import free_ports

REPO_ROOT = Path(__file__).resolve().parents[2]
BOUNDARY = "BoUnDaRyStRiNg"
MIB = 1024 * 1024


@dataclass
class Server:
    port: int
    temp_dir: Path  # the server's TMPDIR: where Django spools uploaded files
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    temp_dir = tmp_path / "tmp"
    temp_dir.mkdir()
    heartbeat = tmp_path / "heartbeat"
    heartbeat.mkdir()
    (port,) = free_ports(1)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "factory.settings",
        "VAR_DIR": str(tmp_path / "var"),
        "TMPDIR": str(temp_dir),
        "PYTHONUNBUFFERED": "1",
    }
    log_path = tmp_path / "gunicorn.log"
    process = spawn(
        [
            sys.executable, "-m", "gunicorn", "factory.wsgi:application", "--bind", f"127.0.0.1:{port}",
            "--workers", "1", "--threads", "2", "--worker-tmp-dir", str(heartbeat), "--no-control-socket",
        ],
        env=env,
        cwd=REPO_ROOT,
        log_path=log_path,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while True:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                break
        if process.poll() is not None or time.monotonic() > deadline:
            stop(process, timeout=10)
            pytest.fail(f"gunicorn did not start:\n{log_path.read_text(errors='replace')[-4000:]}")
        time.sleep(0.1)
    try:
        yield Server(port=port, temp_dir=temp_dir, log_path=log_path)
    finally:
        stop(process, timeout=20)


def _send_head_and_part(
    server: Server, *, path: str, headers: dict[str, str], body_start: bytes
) -> tuple[socket.socket, bytes]:
    """Send the request line, ``headers`` and the first bytes of the body, then wait (at most 10 s) for
    the answer without sending the rest. Returns the open connection and what the server answered."""
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    head = f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n" + "".join(
        f"{k}: {v}\r\n" for k, v in headers.items()
    )
    try:
        sock.sendall(head.encode() + b"\r\n" + body_start)
    except OSError:
        pass  # the server may have answered and closed already: read what it said
    answer = b""
    try:
        while len(answer) < _expected_length(answer):
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
    except TimeoutError:
        pass
    return sock, answer


def _expected_length(answer: bytes) -> int:
    """How long the whole answer is, once its head has arrived (every answer here has a Content-Length)."""
    head, found, _ = answer.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n") if found else ():
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return len(head) + 4 + int(value)
    return len(answer) + 1  # not all of the head yet


def _status_and_body(answer: bytes) -> tuple[int, bytes]:
    assert answer, "the server did not answer within 10 s (it is waiting for the body)"
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body


def _file_part_start(size: int) -> bytes:
    return (
        (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big.zip"\r\n'
            "Content-Type: application/zip\r\n\r\n"
        ).encode()
        + b"PK"
        + b"x" * (size - 2)
    )


@pytest.mark.parametrize("path", ["/login/", "/admin/login/", "/api/session/login/"])
def test_a_large_anonymous_post_is_answered_before_its_body_arrives(server: Server, path: str) -> None:
    """64 MiB announced to a login route: the server answers 413 at once, and writes no temporary file
    while the client is still sending (the review saw 1 GiB streamed to disk this way)."""
    declared = 64 * MIB
    sock, answer = _send_head_and_part(
        server,
        path=path,
        headers={
            "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
            "Content-Length": str(declared),
        },
        body_start=_file_part_start(256 * 1024),
    )
    try:
        spooled = sorted(p.name for p in server.temp_dir.iterdir())  # while the connection is still open
    finally:
        sock.close()
    status, body = _status_and_body(answer)
    assert status == 413, server.log()
    assert f"The request body is {declared} bytes; at most".encode() in body
    assert spooled == []


def test_a_chunked_upload_is_refused_with_411(server: Server) -> None:
    """An upload without Content-Length: gunicorn would hand Django a body of unknown size, which
    Django does not read (the import would see no file). Refused, saying what to send instead."""
    chunk = _file_part_start(4096)
    sock, answer = _send_head_and_part(
        server,
        path="/api/workspaces/1/imports/",
        headers={"Content-Type": f"multipart/form-data; boundary={BOUNDARY}", "Transfer-Encoding": "chunked"},
        body_start=f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n",
    )
    sock.close()
    status, body = _status_and_body(answer)
    assert status == 411, server.log()
    assert json.loads(body) == {
        "message": "A package upload must declare its size: send the Content-Length header "
        "(a chunked body without one is refused).",
        "code": "length_required",
        "extra": {"fields": {}},
    }
    assert list(server.temp_dir.iterdir()) == []


def test_an_upload_within_the_limit_reaches_the_console(server: Server) -> None:
    """The same server still reads a declared upload of acceptable size (here: refused as anonymous by
    the console API, after the limits let it through)."""
    body = _file_part_start(1024) + f"\r\n--{BOUNDARY}--\r\n".encode()
    sock, answer = _send_head_and_part(
        server,
        path="/api/workspaces/1/imports/",
        headers={
            "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
            "Content-Length": str(len(body)),
        },
        body_start=body,
    )
    sock.close()
    status, payload = _status_and_body(answer)
    assert status == 403 and json.loads(payload)["code"] == "not_authenticated"
