"""Which remote endpoints a promotion may talk to: the console's ``PROMOTION_REMOTE_ENDPOINTS`` setting.

A workspace admin types a profile's endpoint; the console's worker then sends signed requests there and
reports what answered. Left open, that makes the worker a probe of the console's own network (which
internal host and port answers, and a part of what it says). So the console's operator lists the hosts
a promotion may reach, one entry each, comma- or space-separated::

    *.myhuaweicloud.com                 (the default: DataArts Studio in any region, https on 443)
    dayu.internal.example.com           (exactly this host, https on 443)
    http://127.0.0.1:8001               (plain http too, and this port)
    https://*.example.com:*             (any port)

``*.`` matches any subdomain (not the domain itself), ``*`` alone any host. Without a port an entry
allows the scheme's default port only (443, or 80 for http). https is required unless the entry that
allows the host is written with ``http://``.

The endpoint is checked against the list when a profile is saved (``endpoint_refusal``) and again,
with its host resolved, each time a promotion connects (``endpoint_address_refusal``): every address the
host resolves to must be a public one (not loopback, private, link-local, shared, multicast or
reserved) unless an entry names the host exactly (no ``*``), which is how an operator allows an internal
console. A name that resolves differently between that check and the request (DNS rebinding) is not
caught: allow only hosts whose DNS the operator trusts.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

SETTING = "PROMOTION_REMOTE_ENDPOINTS"
DEFAULT_PORTS = {"https": 443, "http": 80}
ANY_PORT = -1


@dataclass(frozen=True)
class EndpointRule:
    """One entry of the setting."""

    host: str  # lower case: ``*``, ``*.domain`` or an exact host name or address
    port: int | None  # None: the scheme's default port; ANY_PORT: any
    http: bool  # plain http allowed too

    @property
    def exact(self) -> bool:
        return "*" not in self.host

    def matches(self, *, scheme: str, host: str, port: int) -> bool:
        if scheme == "http" and not self.http:
            return False
        if self.port is None and port != DEFAULT_PORTS[scheme]:
            return False
        if self.port not in (None, ANY_PORT) and port != self.port:
            return False
        if self.host == "*":
            return True
        if self.host.startswith("*."):
            return host.endswith(self.host[1:])
        return host == self.host


def _rule(entry: str) -> EndpointRule:
    text = entry.strip().lower()
    scheme, _, rest = text.rpartition("://")
    if scheme not in ("", "http", "https") or not rest or "/" in rest:
        raise ImproperlyConfigured(
            f"{SETTING}: {entry!r} is not [http://|https://]host[:port] (host such as *.example.com)."
        )
    host, port_text = rest, ""
    if rest.startswith("["):  # an IPv6 address: [::1]:8000
        host, _, tail = rest[1:].partition("]")
        port_text = tail[1:] if tail.startswith(":") else ""
    elif ":" in rest:
        host, _, port_text = rest.rpartition(":")
    if port_text == "*":
        port: int | None = ANY_PORT
    elif port_text:
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise ImproperlyConfigured(f"{SETTING}: {entry!r} has no valid port.")
        port = int(port_text)
    else:
        port = None
    if not host or ("*" in host and host != "*" and not (host.startswith("*.") and "*" not in host[2:])):
        raise ImproperlyConfigured(f"{SETTING}: {entry!r}: a * stands only for a whole host or '*.' first.")
    return EndpointRule(host=host, port=port, http=scheme == "http")


def endpoint_rules() -> list[EndpointRule]:
    """The setting's entries (a list, or a comma- or space-separated text)."""
    value = getattr(settings, SETTING, ())
    entries = value.replace(",", " ").split() if isinstance(value, str) else list(value)
    return [_rule(entry) for entry in entries if entry.strip()]


def _parts(url: str) -> tuple[str, str, int] | None:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower().rstrip(".")
    if scheme not in DEFAULT_PORTS or not host:
        return None
    return scheme, host, port if port is not None else DEFAULT_PORTS[scheme]


def endpoint_host(url: str) -> str:
    """The endpoint's host and port (``host:port``, lower case): what its keys are given to."""
    parts = _parts(url)
    return f"{parts[1]}:{parts[2]}" if parts else url.strip().lower()


def _matching(url: str) -> tuple[list[EndpointRule], str]:
    parts = _parts(url)
    if parts is None:
        return [], "it is not an http:// or https:// URL"
    scheme, host, port = parts
    rules = endpoint_rules()
    matching = [rule for rule in rules if rule.matches(scheme=scheme, host=host, port=port)]
    if matching:
        return matching, ""
    listed = ", ".join(
        ("http://" if r.http else "")
        + r.host
        + ("" if r.port is None else ":*" if r.port == ANY_PORT else f":{r.port}")
        for r in rules
    )
    https_port = DEFAULT_PORTS["https"] if port == DEFAULT_PORTS["http"] else port
    if scheme == "http" and any(r.matches(scheme="https", host=host, port=https_port) for r in rules):
        return [], f"use https:// (plain http is allowed only for hosts {SETTING} lists with http://)"
    return [], (
        f"this console does not allow promoting to {host}:{port}; its operator lists the hosts a promotion "
        f"may reach in {SETTING} (now: {listed or 'none'})"
    )


def endpoint_refusal(url: str) -> str:
    """Why the console may not talk to ``url`` by its setting ("" when it may); no name is resolved."""
    return _matching(url)[1]


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def endpoint_address_refusal(url: str) -> str:
    """``endpoint_refusal``, then the host resolved now: "" when every address it has may be reached
    (public ones, or any for a host an entry names exactly), else why not."""
    matching, refusal = _matching(url)
    if refusal:
        return refusal
    parts = _parts(url)
    assert parts is not None
    _, host, port = parts
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return f"its host name {host} does not resolve"
    if any(rule.exact for rule in matching):
        return ""
    if not infos or not all(_public(str(info[4][0])) for info in infos):
        return (
            f"{host} resolves to a loopback, private or link-local address, which {SETTING} allows only "
            "for a host it names exactly (no *)"
        )
    return ""
