"""The embedded installation's files: var/ (keys, the SQLite database with sessions and password hashes,
the broker's messages, uploads, the local OBS's data) is its owner's alone, and every key file is 0600
from the moment it exists, not chmod-ed after it was written."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

from devtools.run import _save_obs_state
from devtools.servers import ObsCredentials

REPO_ROOT = Path(__file__).resolve().parents[2]


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _start_settings(var_dir: Path) -> subprocess.CompletedProcess[str]:
    """A fresh process loading the settings with a permissive umask, as `make run` and gunicorn do."""
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "FIELD_ENCRYPTION_KEY"}}
    env.update(DJANGO_SETTINGS_MODULE="factory.settings", VAR_DIR=str(var_dir))
    code = "import os; os.umask(0o022); import django; django.setup()"
    return subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def test_var_and_its_keys_are_private_from_the_start(tmp_path: Path) -> None:
    var_dir = tmp_path / "var"
    result = _start_settings(var_dir)
    assert result.returncode == 0, result.stderr
    assert _mode(var_dir) == 0o700
    for key in ("secret_key", "field_key"):
        assert _mode(var_dir / key) == 0o600, key
        assert (var_dir / key).read_text().strip()
    assert sorted(p.name for p in var_dir.iterdir() if p.name.startswith(".")) == []  # no drafts left
    # A second start keeps the keys (sessions and ciphertexts survive restarts).
    keys = {key: (var_dir / key).read_text() for key in ("secret_key", "field_key")}
    assert _start_settings(var_dir).returncode == 0
    assert {key: (var_dir / key).read_text() for key in keys} == keys


def test_an_older_world_readable_var_is_tightened(tmp_path: Path) -> None:
    var_dir = tmp_path / "var"
    var_dir.mkdir(mode=0o755)
    var_dir.chmod(0o755)
    (var_dir / "secret_key").write_text("an-old-key-written-by-an-earlier-version\n")
    (var_dir / "secret_key").chmod(0o644)
    assert _start_settings(var_dir).returncode == 0
    assert _mode(var_dir) == 0o700
    assert _mode(var_dir / "secret_key") == 0o600
    assert (var_dir / "secret_key").read_text().startswith("an-old-key")


def test_the_local_obs_credentials_file_is_private(tmp_path: Path) -> None:
    path = tmp_path / "var" / "obs-credentials.json"
    credentials = ObsCredentials.generate()
    old_umask = os.umask(0o022)
    try:
        _save_obs_state(path, credentials, {})
        assert _mode(path.parent) == 0o700 and _mode(path) == 0o600
        path.chmod(0o644)  # as an older `make run` left it
        _save_obs_state(path, credentials, {"s3.port": 18333})
    finally:
        os.umask(old_umask)
    assert _mode(path) == 0o600
    assert json.loads(path.read_text())["secret_access_key"] == credentials.secret_access_key
