"""The harness itself: the services and processes that the other tests rely on are real and isolated."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest
from botocore.exceptions import ClientError
from django.conf import settings
from django.db import connection

from devtools import servers
from factory.celery import app as celery_app
from tests.harness import REPO_ROOT, CeleryWorker, ObsEnv, bucket_delete


def test_worker_answers_on_the_sessions_own_queue(live_worker: CeleryWorker) -> None:
    replies = celery_app.control.ping(destination=[live_worker.hostname], timeout=5)
    assert replies == [{live_worker.hostname: {"ok": "pong"}}]

    queues = celery_app.control.inspect(destination=[live_worker.hostname], timeout=5).active_queues()
    assert [queue["name"] for queue in queues[live_worker.hostname]] == [settings.CELERY_TASK_DEFAULT_QUEUE]
    assert celery_app.conf.task_default_queue == settings.CELERY_TASK_DEFAULT_QUEUE


def test_worker_uses_the_test_database_and_the_sessions_files(live_worker: CeleryWorker) -> None:
    worker_env = live_worker.environ()

    database_name = connection.settings_dict["NAME"]
    assert database_name.startswith("test_")
    assert worker_env["DATABASE_URL"].rsplit("/", 1)[-1] == database_name
    assert worker_env["VAR_DIR"] == str(settings.VAR_DIR)
    assert worker_env["MEDIA_ROOT"] == str(settings.MEDIA_ROOT)
    assert worker_env["CELERY_BROKER_URL"] == settings.CELERY_BROKER_URL
    # The session's files are not the developer's var/.
    assert Path(settings.VAR_DIR) != REPO_ROOT / "var"


def test_worker_can_be_killed_and_restarted(live_worker: CeleryWorker) -> None:
    first_pid = live_worker.pid

    live_worker.kill()
    assert not live_worker.alive
    assert not live_worker.ping(timeout=0.5)

    live_worker.restart()
    assert live_worker.pid != first_pid
    assert live_worker.ping(timeout=5)


def test_obs_refuses_a_wrong_secret(obs_env: ObsEnv, obs_bucket: str) -> None:
    wrong_secret = obs_env.client(secret_access_key=obs_env.secret_access_key + "x")
    with pytest.raises(ClientError) as refused:
        wrong_secret.list_objects_v2(Bucket=obs_bucket)
    assert refused.value.response["Error"]["Code"] in {"SignatureDoesNotMatch", "InvalidAccessKeyId"}

    unknown_key = obs_env.client(access_key_id="NOSUCHKEY")
    with pytest.raises(ClientError) as refused:
        unknown_key.put_object(Bucket=obs_bucket, Key="x", Body=b"x")
    assert refused.value.response["Error"]["Code"] in {"SignatureDoesNotMatch", "InvalidAccessKeyId"}


def test_obs_round_trips_an_object(s3, obs_bucket: str) -> None:
    s3.put_object(Bucket=obs_bucket, Key="packages/DLF_job.zip", Body=b"PK\x05\x06" + bytes(18))

    listed = s3.list_objects_v2(Bucket=obs_bucket, Prefix="packages/")
    assert [obj["Key"] for obj in listed["Contents"]] == ["packages/DLF_job.zip"]
    body = s3.get_object(Bucket=obs_bucket, Key="packages/DLF_job.zip")["Body"].read()
    assert body == b"PK\x05\x06" + bytes(18)


def test_bucket_delete_removes_a_bucket_with_contents(s3) -> None:
    s3.create_bucket(Bucket="test-harness-delete")
    for index in range(3):
        s3.put_object(Bucket="test-harness-delete", Key=f"dir/{index}.txt", Body=b"x")

    bucket_delete(s3, "test-harness-delete")

    assert "test-harness-delete" not in {bucket["Name"] for bucket in s3.list_buckets()["Buckets"]}


def test_chromium_shows_a_live_server_page(page) -> None:
    response = page.goto("/admin/login/")

    assert response is not None and response.status == 200
    assert page.get_by_label("Username").is_visible()


def test_worker_fixture_fails_clearly_without_postgresql(tmp_path: Path) -> None:
    """Without DATABASE_URL the session runs on SQLite, and a test wanting the worker fails (not skips)."""
    test_file = tmp_path / "test_needs_worker.py"
    test_file.write_text(
        textwrap.dedent(
            """
            def test_needs_worker(celery_worker):
                pass
            """
        )
    )
    env = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "MEDIA_ROOT"}}
    env["VAR_DIR"] = str(tmp_path / "var")
    result = subprocess.run(
        [
            sys.executable, "-m", "pytest", "-p", "tests.harness", "-c", str(REPO_ROOT / "pyproject.toml"),
            "--rootdir", str(REPO_ROOT), "-q", "-p", "no:cacheprovider", str(test_file),
        ],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )  # fmt: skip

    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 error" in result.stdout
    assert "skipped" not in result.stdout
    assert "the Celery worker needs PostgreSQL" in result.stdout
    assert "make test" in result.stdout


def test_services_run_passes_the_exit_status_and_cleans_up(tmp_path: Path) -> None:
    seen = tmp_path / "seen.txt"
    script = (
        "import os, pathlib, sys; "
        f"pathlib.Path({str(seen)!r}).write_text(os.environ['REDIS_URL'] + ' ' + os.environ['CELERY_BROKER_URL']); "
        "sys.exit(3)"
    )
    env = {key: value for key, value in os.environ.items() if key not in {"REDIS_URL", "CELERY_BROKER_URL"}}

    wrapper = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "devtools.servers",
            "run",
            "--need",
            "redis",
            "--",
            sys.executable,
            "-c",
            script,
        ],
        cwd=REPO_ROOT,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    _, stderr = wrapper.communicate(timeout=60)

    assert wrapper.returncode == 3, stderr
    redis_url, broker_url = seen.read_text().split()
    assert redis_url == broker_url and redis_url.startswith("redis://127.0.0.1:")
    assert "redis: stopped" in stderr
    # The directories it made are named after it; none is left.
    assert not list(Path(tempfile.gettempdir()).glob(f"{servers.TEMP_PREFIX}redis-{wrapper.pid}-*"))


def test_services_say_what_to_install_when_a_server_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(servers.os, "geteuid", lambda: 1000)  # not root: nothing gets installed
    monkeypatch.setattr(servers, "_postgres_bindir", lambda: None)
    monkeypatch.setattr(servers.shutil, "which", lambda name: None)

    with pytest.raises(servers.ServiceError, match=r"apt-get install postgresql.*DATABASE_URL"):
        servers.start_postgres()
    with pytest.raises(servers.ServiceError, match=r"apt-get install redis-server.*REDIS_URL"):
        servers.start_redis()


def test_local_obs_answers_only_through_s3(tmp_path: Path) -> None:
    """The SeaweedFS that `make run` and the harness start: its filer and volume servers refused nothing
    on 127.0.0.1 (any local user could read and write every object around the S3 signature check). They
    now refuse a request without a token signed with keys only SeaweedFS holds, and S3 with the access
    keys works as before."""
    import urllib.error
    import urllib.request

    running = servers.start_seaweedfs(data_dir=tmp_path / "weed", buckets=["walled"])
    try:
        s3 = servers.s3_client(
            endpoint=running.env["OBS_ENDPOINT"],
            access_key_id=running.env["OBS_ACCESS_KEY_ID"],
            secret_access_key=running.env["OBS_SECRET_ACCESS_KEY"],
        )
        s3.put_object(Bucket="walled", Key="jobs/secret.job", Body=b'{"name": "secret"}')

        def plain(method: str, port_name: str, path: str, body: bytes | None = None) -> tuple[int, str]:
            url = f"http://127.0.0.1:{running.ports[port_name]}{path}"
            try:
                with urllib.request.urlopen(
                    urllib.request.Request(url, data=body, method=method), timeout=10
                ) as r:
                    return r.status, r.read().decode(errors="replace")
            except urllib.error.HTTPError as error:
                return error.code, error.read().decode(errors="replace")

        attempts = [
            plain("GET", "filer.port", "/buckets/walled/jobs/secret.job"),
            plain("GET", "filer.port", "/buckets/walled/jobs/"),
            plain("PUT", "filer.port", "/buckets/walled/jobs/planted.job", b"{}"),
            plain("POST", "filer.port", "/buckets/walled/jobs/planted2.job", b"{}"),
            plain("DELETE", "filer.port", "/buckets/walled/jobs/secret.job"),
            plain("GET", "volume.port", "/1,0100000000"),
            plain("POST", "volume.port", "/1,0100000000", b"planted"),
        ]
        for status, text in attempts:
            assert status == 401 and "jwt" in text, (status, text)
        # Nothing changed, and S3 with the keys still reads and lists.
        assert s3.get_object(Bucket="walled", Key="jobs/secret.job")["Body"].read() == b'{"name": "secret"}'
        listed = [o["Key"] for o in s3.list_objects_v2(Bucket="walled").get("Contents", [])]
        assert listed == ["jobs/secret.job"]
    finally:
        running.stop()


def test_make_run_prints_the_obs_secret_only_when_asked(tmp_path: Path) -> None:
    from devtools.run import _banner

    env = {
        "OBS_ENDPOINT": "http://127.0.0.1:18333",
        "OBS_REGION": "us-east-1",
        "OBS_ACCESS_KEY_ID": "DEVKEYID",
        "OBS_SECRET_ACCESS_KEY": "sEcReT-value",
    }
    state = tmp_path / "var" / "obs-credentials.json"
    quiet = _banner(8000, env, ["user admin password x"], True, secret_file=state)
    assert "sEcReT-value" not in quiet
    assert f"secret access key  (hidden: in {state}, or run with SHOW_OBS_SECRET=1)" in quiet
    assert "access key id      DEVKEYID" in quiet
    shown = _banner(8000, env, [], True, show_secret=True, secret_file=state)
    assert "secret access key  sEcReT-value" in shown
