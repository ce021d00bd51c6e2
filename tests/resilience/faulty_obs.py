"""A TCP proxy in front of OBS that injects faults into chosen requests: resets, 503s, stalls and
truncated answers, the ways an object store fails in real life."""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from typing import Any

RESET, ERROR_503, STALL, TRUNCATE = "reset", "503", "stall", "truncate"
_ERROR_503 = (
    b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/xml\r\nContent-Length: %d\r\n"
    b"Connection: close\r\n\r\n%s"
)
_ERROR_BODY = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>ServiceUnavailable</Code>'
    b"<Message>injected by the test proxy</Message></Error>"
)


@dataclass
class Fault:
    """Which requests get which fault: method, path prefix and a query substring must all match.
    ``times`` faults at most that many requests (None: all); ``after_bytes`` is where TRUNCATE cuts the
    response off."""

    action: str
    method: str | None = None
    path: str | None = None
    query: str | None = None
    times: int | None = None
    after_bytes: int = 2048
    fired: int = 0

    def matches(self, method: str, target: str) -> bool:
        path, _, query = target.partition("?")
        return (
            (self.times is None or self.fired < self.times)
            and (self.method is None or method == self.method)
            and (self.path is None or path.startswith(self.path))
            and (self.query is None or self.query in query)
        )


def _cut(sock: socket.socket) -> None:
    """Close now, even while another thread is blocked reading it (close() alone would wait for it)."""
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    _abort(sock)


def _abort(sock: socket.socket) -> None:
    """Close with a TCP reset, as a crashed server or a dropped route looks to the client."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    with contextlib.suppress(OSError):
        sock.close()


@dataclass(eq=False)  # hashed by identity: kept in a set
class _Conn:
    client: socket.socket
    upstream: socket.socket | None = None
    budget: int | None = None  # response bytes still to forward before TRUNCATE cuts the connection
    lock: threading.Lock = field(default_factory=threading.Lock)


class FaultyProxy:
    """A TCP proxy in front of the S3 endpoint that parses the requests going through it (request line,
    headers, Content-Length body: what botocore sends) and applies the first matching :class:`Fault`:

    RESET     drop the connection with a TCP reset instead of forwarding the request
    503       answer 503 ServiceUnavailable (an S3 error document) without forwarding it
    STALL     forward nothing and answer nothing: the client's read timeout fires
    TRUNCATE  forward it, then cut the response off after ``after_bytes`` bytes

    Responses are not parsed, just pumped back. ``log`` lists (method, target, action) of every request.
    SigV4 signs the Host header, which the proxy passes on unchanged, so signatures still verify.
    """

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.faults: list[Fault] = []
        self.log: list[tuple[str, str, str]] = []
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._conns: set[_Conn] = set()
        self._server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._server.bind(("127.0.0.1", 0))
        self._server.listen(64)
        self.endpoint = f"http://127.0.0.1:{self._server.getsockname()[1]}"
        threading.Thread(target=self._accept, name="obs-proxy", daemon=True).start()

    # -- the test's controls

    def fault(self, action: str, **match: Any) -> Fault:
        fault = Fault(action, **match)
        with self._lock:
            self.faults.append(fault)
        return fault

    def clear(self) -> None:
        """No faults any more; stalled connections are dropped (their clients have given up by then)."""
        with self._lock:
            self.faults.clear()
            self.log.clear()
            conns = list(self._conns)
        for conn in conns:
            if conn.upstream is None:  # stalled: never connected upstream
                _cut(conn.client)

    def seen(self, method: str | None = None, action: str | None = None) -> list[str]:
        with self._lock:
            return [t for m, t, a in self.log if (method in (None, m)) and (action in (None, a))]

    def close(self) -> None:
        self._closing.set()
        with contextlib.suppress(OSError):
            self._server.close()
        for conn in list(self._conns):
            _cut(conn.client)
            if conn.upstream is not None:
                _cut(conn.upstream)

    # -- the machinery

    def _accept(self) -> None:
        while not self._closing.is_set():
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            conn = _Conn(client)
            with self._lock:
                self._conns.add(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _match(self, method: str, target: str) -> Fault | None:
        with self._lock:
            fault = next((f for f in self.faults if f.matches(method, target)), None)
            if fault is not None:
                fault.fired += 1
            self.log.append((method, target, fault.action if fault else "pass"))
            return fault

    def _serve(self, conn: _Conn) -> None:
        try:
            self._requests(conn)
        except OSError:
            pass
        finally:
            _cut(conn.client)
            if conn.upstream is not None:
                _cut(conn.upstream)  # wakes the pump blocked reading it
            with self._lock:
                self._conns.discard(conn)

    def _connect_upstream(self, conn: _Conn) -> socket.socket:
        if conn.upstream is None:
            conn.upstream = socket.create_connection(self.upstream, timeout=10)
            conn.upstream.settimeout(None)
            threading.Thread(target=self._pump, args=(conn,), daemon=True).start()
        return conn.upstream

    def _pump(self, conn: _Conn) -> None:
        """Upstream to client, cutting the response off where a TRUNCATE fault says."""
        assert conn.upstream is not None
        try:
            while data := conn.upstream.recv(65536):
                with conn.lock:
                    budget = conn.budget
                    if budget is not None:
                        conn.budget = budget - len(data)
                if budget is not None and len(data) >= budget:
                    conn.client.sendall(data[:budget])
                    _cut(conn.client)
                    _cut(conn.upstream)
                    return
                conn.client.sendall(data)
        except OSError:
            pass
        _abort(conn.client)

    def _requests(self, conn: _Conn) -> None:
        client, buffer = conn.client, b""
        while True:
            while b"\r\n\r\n" not in buffer:
                chunk = client.recv(65536)
                if not chunk:
                    return
                buffer += chunk
            head, _, buffer = buffer.partition(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            method, target = (lines[0].split(" ") + ["", ""])[:2]
            headers = {
                k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])
            }
            fault = self._match(method, target)
            action = fault.action if fault else None
            if action == RESET:
                _abort(client)  # an RST, not the FIN that _serve's clean-up would send
                return
            if action == ERROR_503:
                client.sendall(_ERROR_503 % (len(_ERROR_BODY), _ERROR_BODY))
                time.sleep(0.05)
                return
            if action == STALL:
                client.settimeout(0.2)
                while not self._closing.is_set():  # swallow what comes until the client gives up
                    try:
                        if not client.recv(65536):
                            return
                    except TimeoutError:
                        if not any(f is fault for f in self.faults):  # cleared: drop it
                            return
                return
            upstream = self._connect_upstream(conn)
            if action == TRUNCATE:
                assert fault is not None
                with conn.lock:
                    conn.budget = fault.after_bytes
            upstream.sendall(head + b"\r\n\r\n")
            remaining = int(headers.get("content-length") or 0)
            body, buffer = buffer[:remaining], buffer[remaining:]
            upstream.sendall(body)
            remaining -= len(body)
            while remaining > 0:  # (after a 100 Continue, which the pump passes on)
                chunk = client.recv(min(65536, remaining))
                if not chunk:
                    return
                upstream.sendall(chunk)
                remaining -= len(chunk)
