"""Server-side request forgery (OWASP API7:2023): where a server that sends requests for its users may send them.

A webhook sender POSTs to whatever URL a user registered. Unchecked, that makes it the attacker's
proxy into the sender's own network: ``http://169.254.169.254/`` is a cloud's metadata service
(credentials), ``http://127.0.0.1:6379/`` the Redis next door, ``http://10.0.0.5/admin`` an internal
admin page. So a production sender resolves the host and refuses the URL if *any* address it
resolves to is not a public one. The text of the name proves nothing: ``2130706433``, ``0x7f.1``
and ``127.1`` all mean 127.0.0.1, and a public-looking name can resolve to a private address.
Nor does an IPv6 address prove it is one: ``::ffff:7f00:1`` (IPv4-mapped, RFC 4291 section 2.5.5.2),
``64:ff9b::7f00:1`` (NAT64, RFC 6052) and ``2002:7f00:1::`` (6to4, RFC 3056) carry an IPv4 address inside,
so the IPv4 address inside is classified too. RFC 6052 (section 3.1) forbids the NAT64 Well-Known Prefix
for non-global IPv4 addresses and makes translators drop such packets; refusing them here is defence in
depth. 6to4 is deprecated (RFC 7526), so all of 2002::/16 is refused, as are IPv6's reserved ranges
(``::/8``, which holds the deprecated IPv4-compatible addresses) and site-local ``fec0::/10`` (RFC 3879).

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
from urllib.parse import unquote, urlsplit

from urllib3.util import parse_url

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
SIX_TO_FOUR = ipaddress.ip_network("2002::/16")       # RFC 3056; relays deprecated (RFC 7526), IANA: not global
DOCUMENTATION_V6 = ipaddress.ip_network("3fff::/20")  # RFC 9637; Python 3.11 calls it global


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
        # 64:ff9b::7f00:1 carries 127.0.0.1, whatever Python's is_global says of it. RFC 6052 (3.1) forbids the
        # NAT64 Well-Known Prefix for non-global IPv4 and makes translators drop such packets: refusing them here
        # is defence in depth against a translator that does not. 6to4 is refused whatever it carries (RFC 7526).
        kind = address_kind(str(embedded_ipv4(ip)))
        return "non-global" if kind == "public" and ip in SIX_TO_FOUR else kind
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link-local"
    if ip.is_private:
        return "private"
    if ip.version == 6 and (ip.is_reserved or ip.is_site_local or ip in DOCUMENTATION_V6):
        return "non-global"  # ::/8 (IPv4-compatible, RFC 4291 2.5.5.1), fec0::/10 (RFC 3879), 5f00::/16, 3fff::/20
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
    """The host and port an http(s) ``url`` connects to, read as the HTTP client reads it; else ``UnsafeTarget``.

    Two URL parsers can read one URL differently (OWASP's SSRF cheat sheet; Orange Tsai, "A New Era of SSRF",
    2017): ``http://127.0.0.1\\@8.8.8.8/`` has host 8.8.8.8 for ``urllib.parse.urlsplit`` and 127.0.0.1 for
    urllib3, which requests connects with. So the host is taken from urllib3's ``parse_url``, and a URL with a
    backslash or a user name (``user@host``), or one the two parsers read differently, is refused outright.
    """
    if "\\" in url:
        raise UnsafeTarget("A URL with a backslash is refused: URL parsers disagree on where its host is.")
    try:
        ours, client = urlsplit(url), parse_url(url)
        port = client.port or DEFAULT_PORTS.get(client.scheme or "", 0)
        same = (unquote(ours.hostname or ""), ours.port) == ((client.host or "").strip("[]"), client.port)
    except ValueError:  # a port out of range, a malformed IPv6 literal (urllib3's LocationParseError is one too)
        raise UnsafeTarget("Not a valid URL.") from None
    if client.auth is not None or "@" in ours.netloc:
        raise UnsafeTarget("A URL with a user name (user@host) is refused: URL parsers disagree on where its host is.")
    if client.scheme not in DEFAULT_PORTS or not client.host:
        raise UnsafeTarget("Only http and https URLs with a host can be called.")
    if not same:
        raise UnsafeTarget("This URL's host reads differently to different URL parsers, so it is refused.")
    return client.host.strip("[]"), port


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
