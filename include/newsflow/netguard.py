"""Private-network (SSRF) guard: refuse loopback, private, link-local... addresses at connect time.
The check runs on the resolved IP inside the socket layer and we connect to exactly that IP (DNS-rebinding safe).
"""

from __future__ import annotations

import concurrent.futures
import ipaddress
import socket
import time
import typing
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpcore
from httpcore._backends.sync import SyncStream

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

#: Networks never reachable from the fetcher unless explicitly allowed. Python's ``is_global``
#: covers most of them; they are listed here so the policy is readable and auditable.
BLOCKED_NETWORKS: tuple[IPNetwork, ...] = tuple(
    ipaddress.ip_network(n)
    for n in (
        "0.0.0.0/8",  # "this network", unspecified
        "10.0.0.0/8",  # RFC 1918
        "100.64.0.0/10",  # carrier-grade NAT (RFC 6598)
        "127.0.0.0/8",  # loopback
        "169.254.0.0/16",  # link-local, incl. cloud metadata 169.254.169.254
        "172.16.0.0/12",  # RFC 1918
        "192.0.0.0/24",  # IETF protocol assignments
        "192.0.2.0/24",  # TEST-NET-1
        "192.88.99.0/24",  # 6to4 relay anycast
        "192.168.0.0/16",  # RFC 1918
        "198.18.0.0/15",  # benchmarking
        "198.51.100.0/24",  # TEST-NET-2
        "203.0.113.0/24",  # TEST-NET-3
        "224.0.0.0/4",  # multicast
        "240.0.0.0/4",  # reserved, incl. broadcast
        "::/128",  # unspecified
        "::1/128",  # loopback
        "64:ff9b:1::/48",  # local-use NAT64
        "100::/64",  # discard-only
        "2001::/23",  # IETF protocol assignments (Teredo etc.)
        "2001:db8::/32",  # documentation
        "fc00::/7",  # unique local (ULA)
        "fe80::/10",  # link-local
        "fec0::/10",  # deprecated site-local
        "ff00::/8",  # multicast
    )
)

#: Shortest connect attempt per address when a name has several (the budget is split between them).
MIN_ATTEMPT_S = 2.0
#: Default time allowed for one DNS resolution when the caller gives no timeout (seconds).
DEFAULT_RESOLVE_TIMEOUT_S = 10.0


class ForbiddenAddressError(Exception):
    """The guard refused to connect: the host resolves only to non-public addresses."""

    def __init__(self, host: str, addresses: typing.Sequence[str]):
        self.host = host
        self.addresses = list(addresses)
        shown = ", ".join(self.addresses) or host
        super().__init__(
            f"refused to connect to {host} ({shown}): private, loopback or reserved address; "
            "if this is intended (demo, tests), set NEWSFLOW_ALLOW_PRIVATE_NETWORKS=1 "
            "or add the network to NEWSFLOW_ALLOWED_NETWORKS"
        )


def _embedded_ipv4(addr: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """IPv4 address carried inside an IPv6 one (mapped, NAT64 well-known prefix, 6to4), if any."""
    if addr.ipv4_mapped is not None:
        return addr.ipv4_mapped
    if addr in ipaddress.ip_network("64:ff9b::/96"):
        return ipaddress.IPv4Address(int(addr) & 0xFFFFFFFF)
    if addr.sixtofour is not None:
        return addr.sixtofour
    # IPv4-compatible (deprecated) ::a.b.c.d
    if int(addr) >> 32 == 0 and int(addr) > 1:
        return ipaddress.IPv4Address(int(addr) & 0xFFFFFFFF)
    return None


def is_public_address(addr: IPAddress) -> bool:
    """True when `addr` is a globally routable unicast address (what a news site should be)."""
    if isinstance(addr, ipaddress.IPv6Address):
        if addr.ipv4_mapped is not None:
            return is_public_address(addr.ipv4_mapped)
        v4 = _embedded_ipv4(addr)
        if v4 is not None and not is_public_address(v4):
            return False
    if any(addr in net for net in BLOCKED_NETWORKS if net.version == addr.version):
        return False
    return bool(
        addr.is_global
        and not addr.is_multicast
        and not addr.is_reserved
        and not addr.is_unspecified
        and not addr.is_loopback
        and not addr.is_link_local
    )


@dataclass(frozen=True)
class AddressPolicy:
    """Which resolved addresses the fetcher may connect to.

    Order of decision: an address in ``denied`` is refused; then one in ``allowed`` is accepted;
    then a public address is accepted; a non-public one is accepted only if ``allow_private``.
    Tests can allow exactly ``127.0.0.1/32`` and still see 127.0.0.2 or 10.0.0.0/8 refused.
    """

    allow_private: bool = False
    allowed: tuple[IPNetwork, ...] = ()
    denied: tuple[IPNetwork, ...] = ()

    @classmethod
    def build(
        cls,
        *,
        allow_private: bool = False,
        allowed: typing.Iterable[str | IPNetwork] = (),
        denied: typing.Iterable[str | IPNetwork] = (),
    ) -> AddressPolicy:
        """Build from network strings such as ``"127.0.0.1/32"``; raises ValueError on a bad one."""
        return cls(
            allow_private=allow_private,
            allowed=tuple(ipaddress.ip_network(n, strict=False) for n in allowed),
            denied=tuple(ipaddress.ip_network(n, strict=False) for n in denied),
        )

    def permits(self, addr: IPAddress | str) -> bool:
        """True when connecting to `addr` is allowed by this policy."""
        if isinstance(addr, str):
            addr = ipaddress.ip_address(addr.split("%", 1)[0])
        candidates: list[IPAddress] = [addr]
        if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
            candidates.append(addr.ipv4_mapped)
        for a in candidates:
            if any(a in n for n in self.denied if n.version == a.version):
                return False
        for a in candidates:
            if any(a in n for n in self.allowed if n.version == a.version):
                return True
        if self.allow_private:
            return True
        return is_public_address(addr)


def literal_ip(host: str) -> IPAddress | None:
    """The IP address if `host` is an IP literal (``[::1]`` accepted), else None."""
    h = host.strip("[]").split("%", 1)[0]
    try:
        return ipaddress.ip_address(h)
    except ValueError:
        return None


def check_url(url: str, policy: AddressPolicy) -> str | None:
    """Cheap pre-check before any connection: the reason if the URL's host is a refused IP literal.

    Host names are checked later, at connect time, on the address they resolve to.
    """
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return None
    ip = literal_ip(host)
    if ip is not None and not policy.permits(ip):
        return str(ForbiddenAddressError(host, [str(ip)]))
    return None


#: Threads resolving names concurrently; a stuck resolver only holds one of them until it returns.
RESOLVER_THREADS = 32

_resolver_pool = concurrent.futures.ThreadPoolExecutor(max_workers=RESOLVER_THREADS, thread_name_prefix="newsflow-dns")


def resolve(host: str, port: int, timeout: float | None) -> list[tuple]:
    """getaddrinfo bounded by `timeout` (the stdlib call itself has no timeout)."""
    if literal_ip(host) is not None:
        return socket.getaddrinfo(host.strip("[]"), port, type=socket.SOCK_STREAM)
    fut = _resolver_pool.submit(socket.getaddrinfo, host, port, 0, socket.SOCK_STREAM)
    try:
        return fut.result(timeout=timeout if timeout is not None else DEFAULT_RESOLVE_TIMEOUT_S)
    except concurrent.futures.TimeoutError:
        raise httpcore.ConnectTimeout(f"DNS resolution of {host} timed out") from None
    except socket.gaierror as exc:
        raise httpcore.ConnectError(f"DNS resolution of {host} failed: {exc}; check the host name") from exc


class GuardedBackend(httpcore.SyncBackend):
    """httpcore network backend that resolves, checks every address, and connects to a checked one."""

    def __init__(self, policy: AddressPolicy):
        self.policy = policy

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[typing.Any] | None = None,
    ) -> httpcore.NetworkStream:
        start = time.monotonic()
        infos = resolve(host, port, timeout)
        permitted = [i for i in infos if self.policy.permits(i[4][0])]
        if not permitted:
            raise ForbiddenAddressError(host, sorted({str(i[4][0]) for i in infos}))
        last_exc: Exception | None = None
        for index, (family, type_, proto, _canon, sockaddr) in enumerate(permitted):
            remaining = None if timeout is None else max(0.001, timeout - (time.monotonic() - start))
            left = len(permitted) - index
            if remaining is not None and left > 1:
                # several addresses: don't let one black-holed address eat the whole connect budget
                remaining = min(remaining, max(remaining / left, MIN_ATTEMPT_S))
            sock = socket.socket(family, type_, proto)
            try:
                for option in socket_options or ():
                    sock.setsockopt(*option)
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                if local_address is not None:
                    sock.bind((local_address, 0))
                sock.settimeout(remaining)
                sock.connect(sockaddr)  # exactly the address we checked
            except TimeoutError as exc:
                sock.close()
                last_exc = httpcore.ConnectTimeout(f"connect to {host} ({sockaddr[0]}) timed out")
                last_exc.__cause__ = exc
            except OSError as exc:
                sock.close()
                last_exc = httpcore.ConnectError(f"connect to {host} ({sockaddr[0]}) failed: {exc}")
                last_exc.__cause__ = exc
            else:
                return SyncStream(sock)
        assert last_exc is not None
        raise last_exc
