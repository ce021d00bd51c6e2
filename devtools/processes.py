"""Child processes that never outlive us: spawning, stopping, and turning SIGTERM into an exception."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

_PR_SET_PDEATHSIG = 1
# Resolved now, not in the forked child: between fork and exec only the call itself should run.
_LIBC = ctypes.CDLL(None, use_errno=True) if sys.platform == "linux" else None


class Terminated(BaseException):
    """SIGTERM or SIGHUP arrived: unwind like KeyboardInterrupt so that `finally` blocks stop services."""

    def __init__(self, signum: int) -> None:
        super().__init__(f"terminated by {signal.Signals(signum).name}")
        self.signum = signum


def log(message: str) -> None:
    print(f"[devtools] {message}", file=sys.stderr, flush=True)


def install_termination_handlers() -> None:
    """Make SIGTERM and SIGHUP raise :class:`Terminated` in the main thread (Python's default just dies),
    and Ctrl-C raise KeyboardInterrupt even where SIGINT came ignored (commands started with `&`)."""

    def handler(signum: int, _frame: object) -> None:
        raise Terminated(signum)

    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, handler)
    signal.signal(signal.SIGINT, signal.default_int_handler)


@contextlib.contextmanager
def signals_deferred() -> Iterator[None]:
    """Hold back Ctrl-C and SIGTERM while cleaning up, so that a second one cannot cut the cleanup short."""
    deferred = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, deferred)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    # If we are killed outright (SIGKILL), the kernel sends the child SIGTERM: no orphaned servers.
    if _LIBC is not None:
        _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def spawn(
    cmd: Sequence[str | os.PathLike[str]],
    *,
    log_path: Path | None = None,
    env: Mapping[str, str] | None = None,
    cwd: Path | str | None = None,
    new_session: bool = True,
) -> subprocess.Popen[bytes]:
    """Start a child in its own session (Ctrl-C on the terminal does not reach it: we stop it in order).

    Its output goes to ``log_path`` when given, else to our stdout/stderr.
    """
    out = open(log_path, "ab") if log_path is not None else None  # the child keeps its own copy
    try:
        return subprocess.Popen(
            [str(part) for part in cmd],
            stdin=subprocess.DEVNULL if new_session else None,  # a foreground command keeps the terminal
            stdout=out,
            stderr=subprocess.STDOUT if out is not None else None,
            env=dict(env) if env is not None else None,
            cwd=cwd,
            start_new_session=new_session,
            preexec_fn=_die_with_parent if sys.platform == "linux" else None,
        )
    finally:
        if out is not None:
            out.close()


def signal_group(process: subprocess.Popen[bytes], signum: int) -> None:
    """Signal the child and everything it started (it leads its own process group)."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signum)


def _ask(process: subprocess.Popen[bytes], signum: int) -> None:
    # The child alone: servers such as gunicorn and celery stop their own workers in order, and a
    # celery worker whose pool processes were signalled with it hangs in its warm shutdown.
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signum)


def stop(process: subprocess.Popen[bytes], *, signum: int = signal.SIGTERM, timeout: float = 15.0) -> int:
    """Ask the child to stop, wait ``timeout`` seconds, then kill its whole group. Returns its status."""
    _ask(process, signum)
    try:
        return process.wait(timeout)
    except subprocess.TimeoutExpired:
        log(f"pid {process.pid} did not stop within {timeout:.0f}s: killing it")
        signal_group(process, signal.SIGKILL)
        return process.wait()


def stop_all(processes: Sequence[subprocess.Popen[bytes]], *, timeout: float = 15.0) -> None:
    """Stop several children at once: signal all, then wait for all, then kill the stragglers."""
    for process in processes:
        _ask(process, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    for process in processes:
        try:
            process.wait(max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            log(f"pid {process.pid} did not stop within {timeout:.0f}s: killing it")
            signal_group(process, signal.SIGKILL)
            process.wait()


def exit_status(returncode: int) -> int:
    """A shell-style exit status: 128 + N for a child killed by signal N."""
    return returncode if returncode >= 0 else 128 - returncode


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def pid_cwd(pid: int) -> str | None:
    """The working directory of a live process (Linux), used to recognise the servers we started."""
    try:
        return os.readlink(f"/proc/{pid}/cwd")
    except OSError:
        return None
