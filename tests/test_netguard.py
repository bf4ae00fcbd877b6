"""Tests of the private-network guard: address policy, connect-time checks, redirects to private hosts.
No test ever connects to anything but 127.0.0.1: a socket wrapper asserts it.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from faultserver import PRIVATE_TARGET, FaultServer  # noqa: E402

import newsflow.netguard as netguard  # noqa: E402
from newsflow.http import HttpClient, HttpSettings  # noqa: E402
from newsflow.netguard import AddressPolicy, check_url, is_public_address  # noqa: E402

ONLY_LOCALHOST = HttpSettings(feed_deadline_s=3, allowed_networks=("127.0.0.1/32",))


@pytest.fixture(scope="module")
def server():
    with FaultServer() as fs:
        yield fs


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch):
    """Fail the test if the guard ever lets a socket connect anywhere but 127.0.0.1."""
    connected: list[str] = []

    class CheckedSocket(socket.socket):
        def connect(self, address):
            assert address[0] == "127.0.0.1", f"test tried to connect to {address}"
            connected.append(address[0])
            return super().connect(address)

    monkeypatch.setattr(netguard.socket, "socket", CheckedSocket)
    return connected


def fake_dns(monkeypatch, answers):
    """Make getaddrinfo return `answers[host]` (a list of IPs, or a callable returning one)."""
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host in answers:
            ips = answers[host]() if callable(answers[host]) else answers[host]
            out = []
            for ip in ips:
                fam = socket.AF_INET6 if ":" in ip else socket.AF_INET
                sockaddr = (ip, port, 0, 0) if fam == socket.AF_INET6 else (ip, port)
                out.append((fam, socket.SOCK_STREAM, 6, "", sockaddr))
            return out
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(netguard.socket, "getaddrinfo", getaddrinfo)


REFUSED = [
    "127.0.0.1",
    "127.9.9.9",
    "10.0.0.1",
    "10.255.255.1",
    "172.16.0.1",
    "172.31.255.255",
    "192.168.1.1",
    "169.254.169.254",
    "100.64.0.1",
    "100.127.255.254",
    "0.0.0.0",
    "224.0.0.1",
    "239.255.255.250",
    "255.255.255.255",
    "240.0.0.1",
    "192.0.2.1",
    "198.18.0.1",
    "::1",
    "::",
    "fe80::1",
    "fc00::1",
    "fd12:3456::1",
    "ff02::1",
    "::ffff:127.0.0.1",
    "::ffff:10.0.0.1",
    "::ffff:169.254.169.254",
    "64:ff9b::a00:1",
    "2002:a00:1::1",
    "2001:db8::1",
]
PUBLIC = [
    "8.8.8.8",
    "1.1.1.1",
    "151.101.1.69",
    "2606:4700:4700::1111",
    "2a00:1450:4001:81b::200e",
    "::ffff:8.8.8.8",
    "100.63.255.255",
    "100.128.0.1",
    "172.32.0.1",
    "11.0.0.1",
]


@pytest.mark.parametrize("ip", REFUSED)
def test_non_public_addresses_refused(ip):
    assert not AddressPolicy().permits(ip)
    assert not is_public_address(ipaddress.ip_address(ip))


@pytest.mark.parametrize("ip", PUBLIC)
def test_public_addresses_permitted(ip):
    assert AddressPolicy().permits(ip)


def test_allow_list_is_exact():
    p = AddressPolicy.build(allowed=["127.0.0.1/32"])
    assert p.permits("127.0.0.1")
    assert not p.permits("127.0.0.2")
    assert not p.permits("10.0.0.1")
    assert not p.permits("169.254.169.254")
    assert p.permits("::ffff:127.0.0.1")  # the same address, IPv4-mapped


def test_deny_list_beats_everything():
    p = AddressPolicy.build(allow_private=True, denied=["169.254.0.0/16", "8.8.8.8/32"])
    assert p.permits("10.0.0.1")
    assert not p.permits("169.254.169.254")
    assert not p.permits("8.8.8.8")
    assert not p.permits("::ffff:169.254.169.254")


def test_check_url_literals():
    p = AddressPolicy()
    assert check_url("http://127.0.0.1:8080/feed", p)
    assert check_url("http://[::1]/feed", p)
    assert check_url("http://169.254.169.254/latest/meta-data/", p)
    assert check_url("http://example.com/feed", p) is None  # names are checked at connect time
    assert check_url("http://8.8.8.8/feed", p) is None


def test_guard_on_refuses_loopback_without_connecting(server, loopback_only):
    with HttpClient(HttpSettings(feed_deadline_s=3)) as c:
        res = c.fetch(server.url("healthy_feed"), kind="feed")
    assert res.status == "forbidden_address"
    assert "NEWSFLOW_ALLOW_PRIVATE_NETWORKS" in res.error
    assert server.hits("/feed/healthy.xml") == 0
    assert loopback_only == []


def test_guard_off_serves_loopback(server):
    with HttpClient(HttpSettings(feed_deadline_s=3, allow_private_networks=True)) as c:
        res = c.fetch(server.url("healthy_feed"), kind="feed")
    assert res.status == "ok"


def test_guard_off_from_env(server):
    s = HttpSettings.from_env({"NEWSFLOW_ALLOW_PRIVATE_NETWORKS": "1"})
    with HttpClient(s) as c:
        assert c.fetch(server.url("healthy_feed"), kind="feed").status == "ok"


def test_redirect_to_private_address_refused(server, loopback_only):
    with HttpClient(ONLY_LOCALHOST) as c:
        res = c.fetch(server.url("redirect_private"), kind="feed")
    assert res.status == "forbidden_address"
    assert res.redirects == [(302, PRIVATE_TARGET)]
    assert "10.255.255.1" in res.error
    assert set(loopback_only) == {"127.0.0.1"}


@pytest.mark.parametrize(
    "target",
    [
        "http://127.0.0.2:{port}/feed/healthy.xml",
        "http://[::1]:{port}/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::ffff:10.0.0.1]/",
    ],
)
def test_redirect_to_other_local_addresses_refused(server, target):
    target = target.format(port=server.port)
    with HttpClient(ONLY_LOCALHOST) as c:
        res = c.fetch(server.redirect_url(target), kind="feed")
    assert res.status == "forbidden_address", res
    assert res.redirects[-1][1].startswith(target.split("/feed")[0].rstrip("/"))


def test_hostname_is_checked_on_its_resolved_address(server, monkeypatch):
    fake_dns(monkeypatch, {"intranet.example": ["10.1.2.3"], "sneaky.example": ["127.0.0.1"]})
    with HttpClient(HttpSettings(feed_deadline_s=3)) as c:
        res = c.fetch(f"http://intranet.example:{server.port}/feed/healthy.xml", kind="feed")
        assert res.status == "forbidden_address" and "10.1.2.3" in res.error
        res = c.fetch(f"http://sneaky.example:{server.port}/feed/healthy.xml", kind="feed")
        assert res.status == "forbidden_address"


def test_localhost_name_refused(server):
    with HttpClient(HttpSettings(feed_deadline_s=3)) as c:
        res = c.fetch(f"http://localhost:{server.port}/feed/healthy.xml", kind="feed")
    assert res.status == "forbidden_address"


def test_connects_only_to_a_checked_address(server, monkeypatch, loopback_only):
    """A name resolving to a private and an allowed address is served by the allowed one only."""
    fake_dns(monkeypatch, {"mixed.example": ["10.9.9.9", "127.0.0.1"]})
    with HttpClient(ONLY_LOCALHOST) as c:
        res = c.fetch(f"http://mixed.example:{server.port}/feed/healthy.xml", kind="feed")
    assert res.status == "ok"
    assert loopback_only == ["127.0.0.1"]


def test_dns_rebinding_is_caught_at_connect_time(server, monkeypatch, loopback_only):
    """The address is checked on every resolution and the connection uses that very address."""
    answers = iter([["127.0.0.1"], ["10.0.0.1"], ["10.0.0.1"]])
    fake_dns(monkeypatch, {"rebind.example": lambda: next(answers)})
    with HttpClient(ONLY_LOCALHOST) as c:
        first = c.fetch(f"http://rebind.example:{server.port}/feed/healthy.xml", kind="feed")
    with HttpClient(ONLY_LOCALHOST) as c:  # a new pool: must resolve again
        second = c.fetch(f"http://rebind.example:{server.port}/feed/healthy.xml", kind="feed")
    assert first.status == "ok"
    assert second.status == "forbidden_address" and "10.0.0.1" in second.error
    assert loopback_only == ["127.0.0.1"]


def test_dns_failure_is_a_connection_error(monkeypatch):
    def fail(*a, **k):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(netguard.socket, "getaddrinfo", fail)
    with HttpClient(HttpSettings(feed_deadline_s=3)) as c:
        res = c.fetch("http://no-such-host.invalid/feed", kind="feed")
    assert res.status == "connection_error"
    assert "DNS" in res.error


def test_slow_dns_is_bounded_by_the_deadline(monkeypatch):
    import time

    def slow(*a, **k):
        time.sleep(3)
        raise socket.gaierror("too late")

    monkeypatch.setattr(netguard.socket, "getaddrinfo", slow)
    with HttpClient(HttpSettings(feed_deadline_s=1.0)) as c:
        t0 = time.monotonic()
        res = c.fetch("http://slow-dns.example/feed", kind="feed")
    assert res.status == "timeout"
    assert time.monotonic() - t0 < 1.6


def test_unreachable_first_address_does_not_eat_the_budget(server, monkeypatch):
    """With two addresses, a black-holed first one gets only part of the connect budget."""
    import time

    real_socket = netguard.socket.socket  # the loopback-only wrapper installed by the autouse fixture

    class BlackHole(real_socket):
        def connect(self, address):
            if getattr(self, "_black_hole", False):
                time.sleep(self.gettimeout() or 0)
                raise TimeoutError("timed out")
            return super().connect(address)

    attempts = []

    def make(family=-1, type=-1, proto=-1, fileno=None):
        if fileno is not None:  # socket.accept() in the server thread builds sockets too
            return real_socket(family, type, proto, fileno)
        sock = BlackHole(family, type, proto, fileno)
        sock._black_hole = not attempts
        attempts.append(sock)
        return sock

    monkeypatch.setattr(netguard.socket, "socket", make)
    fake_dns(monkeypatch, {"two.example": ["127.0.0.1", "127.0.0.1"]})
    settings = HttpSettings(feed_deadline_s=10, connect_timeout_s=6, allowed_networks=("127.0.0.1/32",))
    with HttpClient(settings) as c:
        t0 = time.monotonic()
        res = c.fetch(f"http://two.example:{server.port}/feed/healthy.xml", kind="feed")
        elapsed = time.monotonic() - t0
    assert res.status == "ok"
    assert len(attempts) == 2
    assert 2.5 < elapsed < 4.0  # the first attempt got half of the 6 s connect budget
