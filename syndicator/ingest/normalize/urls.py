"""URLs: make them absolute, and reduce them to one canonical form for dedup."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from functools import partial
from urllib.parse import parse_qsl, quote, unquote_plus, urlencode, urljoin, urlsplit, urlunsplit

# Query parameters that only track the click; two copies of one article differ only by these.
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "msclkid",
        "yclid",
        "gbraid",
        "wbraid",
        "ttclid",
        "twclid",
        "mc_cid",
        "mc_eid",
        "_ga",
        "_gl",
        "igshid",
        "gidzl",
        "zarsrc",
        "zalo_ref",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
    }
)
TRACKING_PREFIXES = ("utm_",)
# Liferay asset_publisher links carry the listing page they were clicked from.
LIFERAY_NOISE = frozenset({"redirect", "inheritredirect"})
DEFAULT_PORTS = {"http": 80, "https": 443}
WEB_SCHEMES = frozenset({"http", "https"})

# Characters left as they are when re-quoting a path: RFC 3986 reserved + unreserved + "%".
_PATH_SAFE = "/%:@!$&'()*+,;=-._~"
_QUERY_SAFE = _PATH_SAFE + "?"
_ABSOLUTE_WEB = re.compile(r"https?://[^\s/?#]+(?:[/?#]\S*)?\Z", re.IGNORECASE)
_PERCENT = re.compile(r"%([0-9a-fA-F]{2})")
_BAD_PERCENT = re.compile(r"%(?![0-9a-fA-F]{2})")


_CONTROL = re.compile("[\x00-\x1f\x7f]")
_WEB_URL = re.compile(r"https?://", re.IGNORECASE)


def web_url(url: str | None) -> str | None:
    """`url` if it is an http(s) address (the only kind a platform can fetch or a reader open):
    the one rule for a link or picture from feed text, in posts and on every page."""
    return url if url and _WEB_URL.match(url) else None


def absolute_url(url: str | None, base: str | None) -> str | None:
    """Resolve `url` against `base`; None unless the result is an http(s) URL."""
    if not url:
        return None
    # Browsers drop tabs and newlines inside URLs; other control characters have no place there
    # either (and PostgreSQL refuses NUL in text).
    url = _CONTROL.sub("", url).strip()
    if _ABSOLUTE_WEB.match(url):  # the usual case: skip urljoin, the slow part
        return url
    try:
        resolved = urljoin(base, url) if base else url
        scheme = urlsplit(resolved).scheme.lower()
    except ValueError:
        return None
    return resolved if scheme in WEB_SCHEMES else None


def canonical_url(url: str) -> str:
    """The form two links to the same article share: used for dedup, never shown."""
    return _rebuilt(url.strip(), _canonical_query)


def shareable_url(url: str | None, keep: Collection[str] = ()) -> str | None:
    """The link to publish: scheme and host in lower case (IDNA for a non-ASCII host), no
    default port, no tracking parameters but those named in `keep` (lower case: our own
    campaign's), no fragment; the path and the other parameters kept, in their order (unlike
    canonical_url, this one is shown and followed). Graph refuses a link like
    "HTTPS://SKHCn.QuangTri.gov.vn/..." as not a valid URL."""
    if not url:
        return url
    return _rebuilt(url.strip(), partial(_kept_query, keep=frozenset(keep)))


def _rebuilt(url: str, query_of: Callable[..., str]) -> str:
    """The URL with scheme, host and path in canonical form, the query as `query_of` keeps it
    and no fragment; a URL that is not http(s) or cannot be taken apart stays as it is."""
    try:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in WEB_SCHEMES or not parts.netloc:
            return url
        netloc = _canonical_netloc(scheme, parts.netloc)
        path = _canonical_path(parts.path)
        query = query_of(parts.query, liferay="/-/asset_publisher/" in path)
    except ValueError:  # includes UnicodeError
        return url
    return urlunsplit((scheme, netloc, path, query, ""))


def _kept_query(query: str, *, liferay: bool, keep: frozenset[str] = frozenset()) -> str:
    """The query without noise parameters (but those in `keep`), the others byte for byte
    (only spaces and raw non-ASCII percent-encoded): re-encoding could change what the portal
    reads."""
    kept = []
    for part in query.split("&"):
        key = unquote_plus(part.partition("=")[0])
        if part and (key.lower() in keep or not _is_noise(key, liferay=liferay)):
            kept.append(part)
    return quote(_BAD_PERCENT.sub("%25", "&".join(kept)), safe=_QUERY_SAFE)


def _canonical_netloc(scheme: str, netloc: str) -> str:
    userinfo, _, hostport = netloc.rpartition("@")
    host, port = _split_port(hostport)
    host = _canonical_host(host)
    if port is not None and port != DEFAULT_PORTS.get(scheme):
        host = f"{host}:{port}"
    return f"{userinfo}@{host}" if userinfo else host


def _split_port(hostport: str) -> tuple[str, int | None]:
    host, sep, port = hostport.rpartition(":")
    if sep and port.isascii() and port.isdigit():
        return host, int(port)
    if sep and not port:  # "host:" means the default port
        return host, None
    return hostport, None  # no port, or the colons of a bracketed IPv6 address


def _canonical_host(host: str) -> str:
    host = host.lower().rstrip(".")
    if host.isascii():
        return host
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host


def _canonical_path(path: str) -> str:
    if not path:
        return "/"
    # Percent-encode raw non-ASCII and spaces, but never re-encode an existing %XX.
    path = quote(_BAD_PERCENT.sub("%25", path), safe=_PATH_SAFE)
    return _PERCENT.sub(lambda m: "%" + m.group(1).upper(), path)


def _canonical_query(query: str, *, liferay: bool) -> str:
    if not query:
        return ""
    pairs = [
        (key, value)
        for key, value in parse_qsl(query, keep_blank_values=True)
        if not _is_noise(key, liferay=liferay)
    ]
    return urlencode(sorted(pairs), quote_via=quote)


def _is_noise(key: str, *, liferay: bool) -> bool:
    lowered = key.lower()
    if lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES):
        return True
    # Liferay also namespaces it per portlet: "_com_liferay_..._INSTANCE_x_redirect".
    return liferay and (lowered in LIFERAY_NOISE or lowered.endswith("_redirect"))
