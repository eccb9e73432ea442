"""Server-side request forgery (OWASP API7:2023): where a server that sends requests for its users may send them.

A webhook sender POSTs to whatever URL a user registered. Unchecked, that makes it the attacker's
proxy into the sender's own network: ``http://169.254.169.254/`` is a cloud's metadata service
(credentials), ``http://127.0.0.1:6379/`` the Redis next door, ``http://10.0.0.5/admin`` an internal
admin page. So a production sender resolves the host and refuses the URL if *any* address it
resolves to is not a public one. The text of the name proves nothing: ``2130706433``, ``0x7f.1``
and ``127.1`` all mean 127.0.0.1, and a public-looking name can resolve to a private address.
Nor does an IPv6 address prove it is one: ``::ffff:7f00:1`` (IPv4-mapped), ``64:ff9b::7f00:1``
(NAT64, RFC 6052) and ``2002:7f00:1::`` (6to4, RFC 3056) carry an IPv4 address inside, and a
translator or relay delivers to it; so the IPv4 address inside is what gets classified.

The course's receivers run on 127.0.0.1, so the reference API allows private targets by default
(config ``WEBHOOK_ALLOW_PRIVATE``); set it to False to see the production behaviour.

This plain version resolves the name, checks, and lets the HTTP client resolve it again to connect:
a DNS server that answers differently the second time (DNS rebinding) slips through. Production
senders connect to the very address they checked, or send through an egress proxy that checks it.
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Callable
from urllib.parse import urlsplit

from .errors import ApiDesignError

Resolve = Callable[[str, int], list[str]]  # (host, port) -> every address it resolves to
DEFAULT_PORTS = {"http": 80, "https": 443}


class UnsafeTarget(ApiDesignError):
    """The URL may not be requested: not http(s), unresolvable, or resolving to a non-public address (OWASP API7:2023)."""


def resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to, IPv4 and IPv6, as a connection would try them."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):  # socket.gaierror is an OSError; a label over 63 bytes is a UnicodeError
        raise UnsafeTarget(f"{host} does not resolve.") from None
    return sorted({info[4][0] for info in infos})


NAT64 = ipaddress.ip_network("64:ff9b::/96")          # RFC 6052, section 2.1: the IPv4 address is the last 32 bits
LOCAL_NAT64 = ipaddress.ip_network("64:ff9b:1::/48")  # RFC 8215: local use; where the IPv4 sits depends on the site


def embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one delivers to: IPv4-mapped (``::ffff:0:0/96``), NAT64 or 6to4 (``2002::/16``)."""
    if ip.ipv4_mapped:
        return ip.ipv4_mapped
    if ip in NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFF_FFFF)
    return ip.sixtofour


def address_kind(address: str) -> str:
    """``"public"``, or why the address is off limits: ``"loopback"``, ``"link-local"``, ``"private"``, ``"non-global"``."""
    ip = ipaddress.ip_address(address.split("%")[0])  # an IPv6 scope (fe80::1%eth0) is not part of the address
    if ip.version == 6 and ip in LOCAL_NAT64:
        return "non-global"
    if ip.version == 6 and embedded_ipv4(ip):
        ip = embedded_ipv4(ip)  # 64:ff9b::7f00:1 reaches 127.0.0.1, whatever Python's is_global says of it
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link-local"
    if ip.is_private:
        return "private"
    if not ip.is_global or ip.is_multicast:
        return "non-global"  # shared (100.64.0.0/10), reserved, multicast
    return "public"


def described(address: str, kind: str) -> str:
    """'a loopback address'; for an IPv6 address that carries an IPv4 one, which IPv4 address it reaches too."""
    ip = ipaddress.ip_address(address.split("%")[0])
    carried = embedded_ipv4(ip) if ip.version == 6 else None
    if carried is None:
        return f"a {kind} address"
    how = "an IPv4-mapped" if ip.ipv4_mapped else "a NAT64" if ip in NAT64 else "a 6to4"
    return f"{how} address that reaches {carried}, a {kind} address"


def host_and_port(url: str) -> tuple[str, int]:
    """The host and port an http(s) ``url`` connects to, or ``UnsafeTarget``."""
    try:
        parts = urlsplit(url)
        port = parts.port or DEFAULT_PORTS.get(parts.scheme, 0)
    except ValueError:  # a port out of range, a malformed IPv6 literal
        raise UnsafeTarget("Not a valid URL.") from None
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        raise UnsafeTarget("Only http and https URLs with a host can be called.")
    return parts.hostname, port


def check_target(url: str, *, allow_private: bool, resolve: Resolve = resolve) -> list[str]:
    """The addresses ``url`` resolves to, all public (none checked if ``allow_private``); else ``UnsafeTarget``."""
    host, port = host_and_port(url)
    if allow_private:
        return []
    addresses = resolve(host, port)
    for address in addresses:  # every one: a connection may use any of them
        kind = address_kind(address)
        if kind != "public":
            where = f"{host} is" if host == address else f"{host} resolves to {address},"
            raise UnsafeTarget(f"{where} {described(address, kind)}.")
    return addresses
