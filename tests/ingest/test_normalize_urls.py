"""normalize.urls: canonical URLs for dedup, and resolving relative links."""

from __future__ import annotations

import pytest

from syndicator.ingest.normalize.urls import absolute_url, canonical_url


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("HTTP://Example.GOV.VN", "http://example.gov.vn/"),
        ("http://example.gov.vn:80/a", "http://example.gov.vn/a"),
        ("https://example.gov.vn:443/a", "https://example.gov.vn/a"),
        ("https://example.gov.vn:8443/a", "https://example.gov.vn:8443/a"),
        (
            "https://example.gov.vn/Tin-Tuc/Bai.html#binh-luan",
            "https://example.gov.vn/Tin-Tuc/Bai.html",
        ),
        (
            "https://a.vn/x?utm_source=zalo&utm_medium=oa&zarsrc=30&gidzl=abc&b=2&a=1",
            "https://a.vn/x?a=1&b=2",
        ),
        (
            "https://a.vn/x?fbclid=1&gclid=2&dclid=3&msclkid=4&yclid=5&mc_cid=6&mc_eid=7&_ga=8"
            "&igshid=9&id=10",
            "https://a.vn/x?id=10",
        ),
        ("https://a.vn/x?utm_source=rss", "https://a.vn/x"),
        ("https://sở.vn/tin tức", "https://xn--s-lym.vn/tin%20t%E1%BB%A9c"),
        ("https://a.vn/%e1%bb%a9", "https://a.vn/%E1%BB%A9"),
        ("  https://a.vn/x  ", "https://a.vn/x"),
        (
            "https://h.vn/web/guest/-/asset_publisher/AbC/content/bai?redirect=https%3A%2F%2Fh.vn"
            "&inheritRedirect=true&_com_liferay_x_INSTANCE_AbC_redirect=y",
            "https://h.vn/web/guest/-/asset_publisher/AbC/content/bai",
        ),
    ],
)
def test_canonical_url(raw: str, canonical: str) -> None:
    """Scheme/host lowercased, default port, fragment and trackers dropped, params sorted."""
    assert canonical_url(raw) == canonical


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("https://baoquangtri.vn./tin/bai-1.html", "https://baoquangtri.vn/tin/bai-1.html"),
        ("http://[2001:db8::1]:80/tin", "http://[2001:db8::1]/tin"),
        ("http://[2001:db8::1]:8080/tin", "http://[2001:db8::1]:8080/tin"),
        ("https://BienTap@QuangTri.gov.vn/tin", "https://BienTap@quangtri.gov.vn/tin"),
    ],
)
def test_canonical_host_edges(raw: str, canonical: str) -> None:
    """The host's trailing dot goes, an IPv6 host loses only its default port, and user info
    before "@" is kept as written while the host is lowercased."""
    assert canonical_url(raw) == canonical


def test_redirect_param_is_kept_outside_liferay() -> None:
    """Only Liferay asset_publisher links lose their `redirect` parameter."""
    assert canonical_url("https://a.vn/login?redirect=/x") == "https://a.vn/login?redirect=%2Fx"


def test_path_case_is_kept() -> None:
    """Paths are case-sensitive on most servers, so their case is kept."""
    assert canonical_url("https://a.vn/Trang/ChiTietTinTuc.aspx?nid=1") == (
        "https://a.vn/Trang/ChiTietTinTuc.aspx?nid=1"
    )


@pytest.mark.parametrize("odd", ["mailto:vp@a.vn", "/relative/path", "", "http://[::1", "tin tức"])
def test_non_web_or_broken_urls_come_back_unchanged(odd: str) -> None:
    """What is not an absolute http(s) URL is returned as given (stripped), never raising."""
    assert canonical_url(odd) == odd.strip()


@pytest.mark.parametrize(
    ("url", "base", "expected"),
    [
        ("/vi/news/1.html", "https://a.vn/vi/rss/", "https://a.vn/vi/news/1.html"),
        ("../../news/2.html", "https://a.vn/vi/rss/tin-tuc/", "https://a.vn/vi/news/2.html"),
        ("https://b.vn/x", "https://a.vn/", "https://b.vn/x"),
        ("javascript:alert(1)", "https://a.vn/", None),
        ("mailto:x@a.vn", "https://a.vn/", None),
        ("", "https://a.vn/", None),
        (None, "https://a.vn/", None),
    ],
)
def test_absolute_url(url: str | None, base: str, expected: str | None) -> None:
    """Relative links resolve against the base; only http(s) results are accepted."""
    assert absolute_url(url, base) == expected


def test_control_characters_are_dropped_and_a_relative_link_without_base_is_refused() -> None:
    """A tab or newline inside a link (as feeds wrap them) is removed, not replaced; a relative
    link with no base to resolve it against is no link."""
    assert absolute_url("https://a.vn/tin\t-1\n.html", None) == "https://a.vn/tin-1.html"
    assert absolute_url("/vi/news/1.html", None) is None


def test_canonical_query_keeps_empty_values_and_encodes_spaces_as_percent_20() -> None:
    """A parameter written empty is still part of the address; spaces become %20, not +."""
    assert canonical_url("https://stnmt.example.gov.vn/tin-tuc?id=5&trang=&tu khoa=đất đai") == (
        "https://stnmt.example.gov.vn/tin-tuc?id=5&trang=&tu%20khoa=%C4%91%E1%BA%A5t%20%C4%91ai"
    )


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("HTTP://[2001:DB8::1]/tin", "http://[2001:db8::1]/tin"),  # its last colon is no port
        ("https://SKHCN.QuangTri.gov.vn:/tin", "https://skhcn.quangtri.gov.vn/tin"),
        ("http://2130706433/tin", "http://2130706433/tin"),  # digits, but no colon: the host
    ],
)
def test_a_port_is_digits_after_the_last_colon(raw: str, canonical: str) -> None:
    """Only digits after a colon are a port: an IPv6 host without one keeps its colons, an
    empty port is the default one, and a host of digits alone is a host."""
    assert canonical_url(raw) == canonical


def test_an_address_of_another_scheme_is_left_as_written() -> None:
    """An ftp link with a host is not an http(s) URL: it comes back as written, not lowercased
    or re-encoded."""
    odd = "ftp://FTP.QuangTri.gov.vn/Van Ban/QD-123.pdf"
    assert canonical_url(odd) == odd


def test_a_stray_percent_in_the_path_is_encoded() -> None:
    """A "%" not followed by two hex digits becomes %25; an existing %XX stays."""
    assert canonical_url("https://a.vn/giam-50%-hoc-phi/%c4%91") == (
        "https://a.vn/giam-50%25-hoc-phi/%C4%91"
    )
