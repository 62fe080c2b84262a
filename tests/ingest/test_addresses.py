"""Which addresses a fetch may reach, `polling.allow_networks`, and the deadline watchdog's
hand-over of connections (plain values; no network)."""

from __future__ import annotations

import threading
import time
from ipaddress import ip_address, ip_network
from pathlib import Path

import pytest

from syndicator.config import load_settings
from syndicator.errors import ConfigError
from syndicator.ingest.addresses import (
    PUBLIC_ONLY,
    AddressPolicy,
    BlockedAddress,
    destination,
    is_public,
)
from syndicator.ingest.deadline import (
    LOCK,
    Guard,
    current_policy,
    guarding,
    release_connection,
    take_connection,
)

NOT_PUBLIC = [
    "127.0.0.1",  # loopback
    "127.255.255.254",
    "10.20.30.40",  # private
    "172.16.0.1",
    "192.168.1.10",
    "169.254.169.254",  # link-local: the cloud metadata endpoint
    "100.64.0.1",  # carrier-grade NAT
    "0.0.0.0",  # noqa: S104 - unspecified: Linux connects it to this host
    "224.0.0.1",  # multicast
    "240.0.0.1",  # reserved
    "255.255.255.255",
    "::1",
    "::",
    "fe80::1",
    "fc00::1",
    "fd12:3456::1",
    "ff02::1",
    "::ffff:127.0.0.1",  # IPv4-mapped loopback
    "::ffff:169.254.169.254",
    "::7f00:1",  # IPv4-compatible (deprecated)
    "2002:7f00:1::1",  # 6to4 around 127.0.0.1
    "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
]
PUBLIC = [
    "14.225.31.10",  # a Vietnamese portal's host
    "203.162.4.191",
    "8.8.8.8",
    "2001:ee0:4041::1",
    "2405:4800::1",
    "::ffff:14.225.31.10",  # IPv4-mapped, public inside
    "64:ff9b::e1f:a0a",  # NAT64 of a public address
]


@pytest.mark.parametrize("text", NOT_PUBLIC)
def test_non_public_addresses_are_refused_by_default(text: str) -> None:
    """Loopback, private, link-local, CGNAT, reserved, multicast, and IPv6 forms that lead to
    them are not public, so the default policy refuses them."""
    address = ip_address(text)
    assert not is_public(address)
    with pytest.raises(BlockedAddress, match=r"polling\.allow_networks"):
        PUBLIC_ONLY.check(address)


@pytest.mark.parametrize("text", PUBLIC)
def test_public_addresses_are_permitted(text: str) -> None:
    """Globally routable unicast addresses (and IPv6 forms carrying one) may be fetched."""
    assert is_public(ip_address(text))
    assert PUBLIC_ONLY.permits(ip_address(text))


def test_an_ipv6_form_leads_to_its_ipv4_address() -> None:
    """IPv4-mapped, 6to4 and NAT64 addresses are judged by the IPv4 address they reach."""
    assert destination(ip_address("::ffff:10.0.0.1")) == ip_address("10.0.0.1")
    assert destination(ip_address("2002:a00:1::")) == ip_address("10.0.0.1")
    assert destination(ip_address("64:ff9b::a00:1")) == ip_address("10.0.0.1")
    assert destination(ip_address("2001:ee0::1")) == ip_address("2001:ee0::1")


def test_an_allowed_range_admits_up_to_its_edge() -> None:
    """127.0.0.0/31 admits 127.0.0.0 and 127.0.0.1, not 127.0.0.2; an allowed IPv4 range also
    admits the same addresses written IPv4-mapped."""
    policy = AddressPolicy.allowing([ip_network("127.0.0.0/31")])
    assert policy.permits(ip_address("127.0.0.1"))
    assert policy.permits(ip_address("::ffff:127.0.0.1"))
    assert not policy.permits(ip_address("127.0.0.2"))
    assert not policy.permits(ip_address("::1"))


def test_a_literal_address_in_a_url_is_checked_and_a_name_is_left_to_dns() -> None:
    """check_literal refuses http://169.254.169.254/… and lets a host name pass (it is
    checked once resolved, at connect time)."""
    with pytest.raises(BlockedAddress):
        PUBLIC_ONLY.check_literal("http://169.254.169.254/latest/meta-data/")
    with pytest.raises(BlockedAddress):
        PUBLIC_ONLY.check_literal("http://[::ffff:127.0.0.1]:8080/rss")
    PUBLIC_ONLY.check_literal("https://quangtri.gov.vn/rss/tin-tuc.rss")


# --- polling.allow_networks ------------------------------------------------------------------


def write(tmp_path: Path, polling: str) -> Path:
    path = tmp_path / "settings.toml"
    path.write_text(f"[polling]\n{polling}\n", encoding="utf-8")
    return path


def test_allow_networks_reads_ranges_and_single_addresses(tmp_path: Path) -> None:
    """CIDR ranges of both families and a bare address (one host) are read; the default is
    none, so only public addresses are fetched."""
    settings = load_settings(
        write(tmp_path, 'allow_networks = ["10.20.0.0/16", "fd00:ab::/32", "192.168.5.7"]')
    )
    assert settings.polling.allow_networks == [
        ip_network("10.20.0.0/16"),
        ip_network("fd00:ab::/32"),
        ip_network("192.168.5.7/32"),
    ]
    assert load_settings(write(tmp_path, "")).polling.allow_networks == []


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ('["10.0.0.0/33"]', "'10.0.0.0/33' is not an address range"),
        ('["intranet.tinh.gov.vn"]', "'intranet.tinh.gov.vn' is not an address range"),
        ('["10.20.30.40/16"]', 'write "10.20.0.0/16" for that range'),
        ("[10]", "10 is not an address range"),
    ],
)
def test_a_bad_range_is_one_line_naming_the_key(tmp_path: Path, value: str, problem: str) -> None:
    """A range that is not CIDR, or has host bits set, fails loading with one line naming
    polling.allow_networks and the fix."""
    with pytest.raises(ConfigError) as raised:
        load_settings(write(tmp_path, f"allow_networks = {value}"))
    message = str(raised.value)
    assert "polling.allow_networks" in message and problem in message
    assert "\n" not in message


# --- the watchdog's hand-over of connections ---------------------------------------------------


class FakeConnection:
    """Stands in for a pooled connection: counts the watchdog's cuts."""

    def __init__(self) -> None:
        self.guard: Guard | None = None
        self.cuts = 0
        self.cut = threading.Event()

    def interrupt(self) -> None:
        self.cuts += 1
        self.cut.set()


def fire(guard: Guard) -> None:
    """What the watchdog does when the guard's deadline passes."""
    with LOCK:
        guard.fire()


def far() -> float:
    return time.monotonic() + 3600


def test_the_deadline_cuts_the_connection_the_fetch_holds() -> None:
    """A connection taken from the pool during a fetch is cut when that fetch's time is up."""
    connection = FakeConnection()
    with guarding(far(), PUBLIC_ONLY) as guard:
        take_connection(connection)
        fire(guard)
    assert (guard.fired, connection.cuts) == (True, 1)


def test_a_connection_back_in_the_pool_is_not_cut_by_its_last_fetch() -> None:
    """Once a connection is back in the pool (maybe already another fetch's), the deadline of
    the fetch that returned it does not touch it; the new holder's deadline does."""
    connection = FakeConnection()
    with guarding(far(), PUBLIC_ONLY) as first:
        take_connection(connection)
        release_connection(connection)
    with guarding(far(), PUBLIC_ONLY) as second:
        take_connection(connection)
        fire(first)
        assert connection.cuts == 0
        fire(second)
    assert connection.cuts == 1


def test_a_connection_taken_after_the_deadline_is_cut_at_once() -> None:
    """A redirect hop that takes a connection after time ran out gets it cut right away."""
    connection = FakeConnection()
    with guarding(far(), PUBLIC_ONLY) as guard:
        fire(guard)
        take_connection(connection)
    assert connection.cuts == 1


def test_the_watchdog_thread_fires_a_passed_deadline() -> None:
    """Registered with a deadline already passed, the fetch's connection is cut by the
    watchdog thread without anyone calling it."""
    connection = FakeConnection()
    with guarding(far(), PUBLIC_ONLY):
        take_connection(connection)  # holds a connection, far from its deadline
        with guarding(time.monotonic(), PUBLIC_ONLY) as late:
            take_connection(connection)
            assert connection.cut.wait(5)
        assert late.fired


def test_the_policy_belongs_to_the_running_fetch() -> None:
    """Inside a fetch its policy applies; outside any fetch (connectors, webhooks, whose
    addresses the operator set) there is none."""
    allowed = AddressPolicy.allowing([ip_network("10.0.0.0/8")])
    with guarding(far(), allowed):
        assert current_policy() is allowed
    assert current_policy() is None
