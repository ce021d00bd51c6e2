"""`make run`: prepare the embedded installation, then serve it until Ctrl-C.

Steps: SeaweedFS as the local OBS (unless OBS_ENDPOINT is given; its data persists in var/seaweedfs and
its credentials in var/obs-credentials.json), `migrate`, `collectstatic`, `seed_demo` (when that command
exists), then gunicorn and a Celery worker. Everything runs in the foreground and stops together on
Ctrl-C or SIGTERM; a Celery worker that exits is started again, and if anything else dies, the others
are stopped and we exit non-zero.

Environment: PORT (default 8000), VAR_DIR (default var/), SHOW_OBS_SECRET=1 (print the local OBS's
secret access key in the banner: by default it is only said where to find it, so that it does not end
up in terminal scrollback, screen shares or CI logs), and everything factory/settings.py reads.
PROMOTION_REMOTE_ENDPOINTS (the hosts a remote promotion may reach) defaults here to DataArts' hosts and
any console on this machine over http (``*.myhuaweicloud.com http://127.0.0.1:* http://localhost:*``), so
that a second `make run` (PORT=8001 VAR_DIR=var2) can be a promotion target; to allow another host, set
it, e.g. ``PROMOTION_REMOTE_ENDPOINTS="*.myhuaweicloud.com dayu.internal.example.com" make run``.
The embedded run uses SQLite and the filesystem broker unless DATABASE_URL / CELERY_BROKER_URL are set.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from devtools.processes import (
    Terminated,
    install_termination_handlers,
    log,
    signals_deferred,
    spawn,
    stop_all,
)
from devtools.servers import (
    WEED_PORTS,
    ObsCredentials,
    ServiceError,
    port_is_free,
    private_file_write,
    services_started,
)

REPO_ROOT = Path(__file__).resolve().parent.parent
DEMO_BUCKET = "dlf-demo"
# What a remote promotion may reach in the embedded run: DataArts' hosts, and consoles on this machine.
LOCAL_PROMOTION_ENDPOINTS = "*.myhuaweicloud.com http://127.0.0.1:* http://localhost:*"
_CREDENTIAL_LINE = re.compile(r"^user \S+ password \S+$", re.MULTILINE)


def _var_dir() -> Path:
    # As factory/settings.py computes it.
    return Path(os.environ.get("VAR_DIR", REPO_ROOT / "var")).resolve()


def _obs_state(path: Path) -> tuple[ObsCredentials, dict[str, int]]:
    """The local OBS's fixed credentials (and last ports), kept so that restarts keep working."""
    try:
        state = json.loads(path.read_text())
        credentials = ObsCredentials(state["access_key_id"], state["secret_access_key"])
        ports = {name: int(port) for name, port in state.get("ports", {}).items()}
    except (OSError, ValueError, KeyError, TypeError):
        credentials, ports = ObsCredentials.generate(), {}
        _save_obs_state(path, credentials, ports)
    return credentials, ports


def _save_obs_state(path: Path, credentials: ObsCredentials, ports: dict[str, int]) -> None:
    text = json.dumps(
        {
            "access_key_id": credentials.access_key_id,
            "secret_access_key": credentials.secret_access_key,
            "ports": ports,
        },
        indent=2,
    )
    private_file_write(path, text + "\n")


def env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


def _manage(args: list[str], env: dict[str, str], *, capture: bool = False) -> str:
    """Run a management command in its own process; its output goes to the terminal as it comes."""
    cmd = [sys.executable, "manage.py", *args]
    if not capture:
        subprocess.run(cmd, cwd=REPO_ROOT, env=env, check=True)
        return ""
    with subprocess.Popen(cmd, cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, text=True) as process:
        assert process.stdout is not None
        lines = []
        for line in process.stdout:
            sys.stdout.write(line)
            lines.append(line)
        sys.stdout.flush()
    if process.returncode:
        raise subprocess.CalledProcessError(process.returncode, cmd)
    return "".join(lines)


def _has_command(name: str, env: dict[str, str]) -> bool:
    probe = (
        "import django; django.setup(); from django.core.management import get_commands; "
        f"print({name!r} in get_commands())"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO_ROOT, env=env, capture_output=True, text=True, check=True
    )
    return result.stdout.strip() == "True"


def _wait_for_port(port: int, process: subprocess.Popen[bytes], timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return True
        time.sleep(0.1)
    return False


def _banner(
    port: int,
    env: dict[str, str],
    users: list[str],
    obs_started: bool,
    *,
    show_secret: bool = False,
    secret_file: Path | None = None,
) -> str:
    lines = ["", f"  DataArts Factory console: http://127.0.0.1:{port}/"]
    lines += [f"    {line}" for line in users]
    if env.get("OBS_ENDPOINT"):
        if show_secret:
            secret = env.get("OBS_SECRET_ACCESS_KEY", "")
        elif secret_file is not None:
            secret = f"(hidden: in {secret_file}, or run with SHOW_OBS_SECRET=1)"
        else:
            secret = "(hidden: run with SHOW_OBS_SECRET=1)"
        lines += [
            f"  OBS{' (local SeaweedFS)' if obs_started else ''}: {env['OBS_ENDPOINT']}  region "
            f"{env.get('OBS_REGION', '')}",
            f"    access key id      {env.get('OBS_ACCESS_KEY_ID', '')}",
            f"    secret access key  {secret}",
        ]
        if obs_started:
            lines.append(f"    bucket for import/export: obs://{DEMO_BUCKET}/")
    lines += ["  Ctrl-C stops everything.", ""]
    return "\n".join(lines)


RESTART_DELAY_MAX = 30.0  # seconds between restarts of a worker that keeps exiting at once


def _supervise(
    children: dict[str, subprocess.Popen[bytes]],
    *,
    restart: dict[str, Callable[[], subprocess.Popen[bytes]]] | None = None,
) -> int:
    """Watch ``children``: one named in ``restart`` (the Celery worker, which exits when it loses the
    broker mid-task) is started again, with a growing delay if it keeps exiting at once; any other
    (the web server, OBS) ending stops everything. ``children`` is updated in place with the new process."""
    restart = restart or {}
    started = dict.fromkeys(children, time.monotonic())
    delays: dict[str, float] = {}
    due: dict[str, float] = {}
    while True:
        now = time.monotonic()
        for name, process in list(children.items()):
            if name in due:
                if now >= due[name]:
                    del due[name]
                    log(f"restarting {name}")
                    children[name] = restart[name]()
                    started[name] = time.monotonic()
                continue
            if process.poll() is None:
                continue
            if name not in restart:
                log(f"{name} exited with status {process.returncode}: stopping the others")
                return 1
            quick = now - started[name] < 10.0
            delays[name] = min(RESTART_DELAY_MAX, delays.get(name, 0.5) * 2) if quick else 1.0
            log(f"{name} exited with status {process.returncode}: restarting it in {delays[name]:.0f} s")
            due[name] = now + delays[name]
        time.sleep(0.5)


def main() -> int:
    port = int(os.environ.get("PORT") or 8000)
    if not port_is_free(port):
        log(f"port {port} is in use: stop what runs there, or choose another with PORT=...")
        return 1
    install_termination_handlers()
    var_dir = _var_dir()
    # Created 0700 before anything is written into it (settings.py also tightens an older var/).
    var_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    state_path = var_dir / "obs-credentials.json"
    obs_wanted = not os.environ.get("OBS_ENDPOINT")
    credentials, ports = _obs_state(state_path) if obs_wanted else (None, {})
    children: dict[str, subprocess.Popen[bytes]] = {}
    try:
        with services_started(
            ["seaweedfs"] if obs_wanted else [],
            obs_data_dir=var_dir / "seaweedfs",
            obs_credentials=credentials,
            obs_ports=ports,
            obs_buckets=[DEMO_BUCKET, *filter(None, [os.environ.get("OBS_BUCKET")])],
        ) as started:
            if "seaweedfs" in started.running and credentials is not None:
                chosen = started.running["seaweedfs"].ports
                if set(chosen) == set(WEED_PORTS) and chosen != ports:
                    _save_obs_state(state_path, credentials, chosen)
            env = {
                **os.environ,
                **started,
                "DJANGO_SETTINGS_MODULE": "factory.settings",
                "PYTHONUNBUFFERED": "1",
            }
            env.setdefault("PROMOTION_REMOTE_ENDPOINTS", LOCAL_PROMOTION_ENDPOINTS)
            _manage(["migrate", "--noinput"], env)
            _manage(["collectstatic", "--noinput", "--verbosity", "0"], env)
            users: list[str] = []
            if _has_command("seed_demo", env):
                users = _CREDENTIAL_LINE.findall(_manage(["seed_demo"], env, capture=True))
            else:
                log("no seed_demo command yet: no demo data")
            try:
                children["gunicorn"] = spawn(
                    [
                        sys.executable, "-m", "gunicorn", "factory.wsgi:application",
                        "--bind", f"127.0.0.1:{port}", "--workers", "2", "--threads", "4", "--timeout", "300",
                        "--graceful-timeout", "20", "--access-logfile", "-",
                        "--no-control-socket",  # one shared ~/.gunicorn/gunicorn.ctl would clash between runs
                    ],
                    env=env,
                    cwd=REPO_ROOT,
                )  # fmt: skip

                def worker() -> subprocess.Popen[bytes]:
                    return spawn(
                        [sys.executable, "-m", *"celery -A factory worker -l info --concurrency 2".split()],
                        env=env,
                        cwd=REPO_ROOT,
                    )

                children["celery worker"] = worker()
                if _wait_for_port(port, children["gunicorn"]):
                    banner = _banner(
                        port,
                        env,
                        users,
                        "seaweedfs" in started.running,
                        show_secret=env_flag("SHOW_OBS_SECRET"),
                        secret_file=state_path if obs_wanted else None,
                    )
                    print(banner, flush=True)
                # The worker exits when Redis goes away under a running task (kombu): start it again.
                # The web server or OBS ending stops everything.
                for name, process in started.processes.items():
                    children[f"{name} (OBS)"] = process
                try:
                    return _supervise(children, restart={"celery worker": worker})
                finally:
                    for name in started.processes:
                        children.pop(f"{name} (OBS)", None)  # stopped by services_started
            finally:
                # Web and worker first (the worker finishes its task); the services stop as the `with` exits.
                with signals_deferred():
                    stop_all(list(children.values()), timeout=25)
    except ServiceError as error:
        log(str(error))
        return 1
    except subprocess.CalledProcessError as error:
        log(f"`{' '.join(map(str, error.cmd[1:]))}` failed with status {error.returncode}")
        return 1
    except (KeyboardInterrupt, Terminated):
        log("stopped")
        return 0


if __name__ == "__main__":
    sys.exit(main())
