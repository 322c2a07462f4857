"""Where a webhook may be sent (SSRF guard): the host is resolved once, every address it resolves
to must be a public one (not loopback, private, link-local, multicast, reserved, shared or a cloud
metadata address) unless a configured network allows it, and the request then goes to that very
address: a DNS answer that changes between the check and the connection (DNS rebinding) cannot
send it elsewhere."""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from ..base import ConnectorRejected

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

# Cloud metadata services: refused even though some lie in ranges that a setting might allow.
METADATA = frozenset({ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")})


class TargetRefused(ConnectorRejected):
    """The address may not receive webhooks; the message, in French, is for the administrator."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str  # as written in the address (sent as Host and checked against the TLS certificate)
    port: int
    path: str  # with its query
    address: Address  # where to connect


def networks_parse(values: list[str] | tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(value.strip(), strict=False) for value in values if value.strip())


def _address_refused(address: Address, allowed: tuple[Network, ...]) -> bool:
    if isinstance(address, ipaddress.IPv6Address):
        # An IPv4 address wrapped in IPv6 (mapped ::ffff:a.b.c.d, 6to4 2002:…, Teredo) is judged as the
        # IPv4 address it carries: 2002:7f00:1::1 is 127.0.0.1 where a relay routes it.
        inner = address.ipv4_mapped or address.sixtofour or (address.teredo[1] if address.teredo else None)
        if inner is not None:
            address = inner
    if address in METADATA:  # before the allowed networks: no setting opens the metadata service
        return True
    if any(address in network for network in allowed):
        return False
    return not address.is_global or address.is_multicast or address.is_reserved or address.is_unspecified


def target_resolve(url: str, *, allowed: tuple[Network, ...], https_only: bool) -> Target:
    """The target of `url`, its host resolved and checked; TargetRefused when it may not be used."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise TargetRefused("L’adresse n’est pas une URL valide.") from error
    schemes = ("https",) if https_only else ("https", "http")
    if parts.scheme not in schemes:
        raise TargetRefused(
            "L’adresse doit commencer par https://."
            if https_only
            else "L’adresse doit commencer par https:// ou http://."
        )
    if parts.username or parts.password:
        raise TargetRefused("L’adresse ne doit pas contenir d’identifiant ni de mot de passe.")
    host = parts.hostname
    if not host:
        raise TargetRefused("L’adresse doit indiquer un nom de serveur.")
    port = port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise TargetRefused(f"Le nom de serveur « {host} » est introuvable.") from error
    addresses = list(dict.fromkeys(ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos))
    if not addresses:
        raise TargetRefused(f"Le nom de serveur « {host} » est introuvable.")
    refused = [address for address in addresses if _address_refused(address, allowed)]
    if refused:
        raise TargetRefused(
            f"L’adresse « {host} » mène à un réseau interne ou réservé ({refused[0]}) : "
            "les notifications ne peuvent être envoyées qu’à des serveurs publics."
        )
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(scheme=parts.scheme, host=host, port=port, path=path, address=addresses[0])
