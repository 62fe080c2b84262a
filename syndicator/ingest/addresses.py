"""Which network addresses a feed fetch may connect to: public ones, and the ranges allowed.

Feed URLs come from settings and redirect targets from portals, so without this a feed (or a
portal that was taken over) could make the fetcher read the machine's own services, the LAN or
the cloud metadata endpoint (169.254.169.254). The check is made on the address actually
dialled, after DNS, so a public-looking name that resolves to a private address is refused too.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address
from urllib.parse import urlsplit

Address = IPv4Address | IPv6Address
Network = IPv4Network | IPv6Network
NAT64 = IPv6Network("64:ff9b::/96")  # RFC 6052: the last 32 bits are the IPv4 address reached


class BlockedAddress(OSError):
    """A connection refused before it was made: the address is not public and not allowed."""

    def __init__(self, address: Address) -> None:
        super().__init__(
            f"connects to {address}, which is not a public address; if the portal really is "
            f"there, add its range to polling.allow_networks"
        )
        self.address = address


def destination(address: Address) -> Address:
    """Where an address leads: the IPv4 address an IPv4-mapped, 6to4 or NAT64 one carries."""
    if isinstance(address, IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is not None:
            return embedded
        if address in NAT64:
            return IPv4Address(int(address) & 0xFFFF_FFFF)
    return address


def is_public(address: Address) -> bool:
    """Globally routable unicast: not loopback, private, link-local, CGNAT, reserved or multicast."""
    target = destination(address)
    return target.is_global and not (target.is_multicast or target.is_reserved)


@dataclass(frozen=True)
class AddressPolicy:
    """Public addresses, plus the operator's own ranges (portals on a provincial intranet)."""

    allowed: tuple[Network, ...] = ()

    @classmethod
    def allowing(cls, networks: Iterable[Network]) -> AddressPolicy:
        return cls(tuple(networks))

    def permits(self, address: Address) -> bool:
        if is_public(address):
            return True
        target = destination(address)
        return any(target in network or address in network for network in self.allowed)

    def check(self, address: Address) -> None:
        """Raise BlockedAddress unless the address may be connected to."""
        if not self.permits(address):
            raise BlockedAddress(address)

    def check_literal(self, url: str) -> None:
        """Refuse a URL whose host is a forbidden IP address, before any connection (this also
        holds behind a proxy, which resolves host names itself)."""
        literal = literal_address(urlsplit(url).hostname or "")
        if literal is not None:
            self.check(literal)


PUBLIC_ONLY = AddressPolicy()


def literal_address(host: str) -> Address | None:
    """The host as an IP address if it is written as one, else None (a name)."""
    try:
        return ip_address(host)
    except ValueError:
        return None
