"""shareable_url: the link that is published (Graph's `link`, the template's `url`)."""

from __future__ import annotations

import pytest

from syndicator.ingest.normalize.urls import canonical_url, shareable_url


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        (
            "HTTPS://SKHCn.QuangTri.gov.vn/tin-tuc/bai-viet.html?id=12&utm_source=rss&fbclid=abc",
            "https://skhcn.quangtri.gov.vn/tin-tuc/bai-viet.html?id=12",
        ),
        (  # the article's parameters stay, in their order and encoding; trackers of any case go
            "https://quangtri.gov.vn/tin?ID=7&cat=kinh-te&UTM_Medium=x&q=a%2Fb+c&gclid=1&flag",
            "https://quangtri.gov.vn/tin?ID=7&cat=kinh-te&q=a%2Fb+c&flag",
        ),
        (  # the path keeps its case; spaces and raw Vietnamese are percent-encoded
            "http://Portal.Gov.VN:80/Tin Tức/Bài-1.html#binh-luan",
            "http://portal.gov.vn/Tin%20T%E1%BB%A9c/B%C3%A0i-1.html",
        ),
        ("https://sở.gov.vn:443/a", "https://xn--s-lym.gov.vn/a"),  # IDN host in ASCII form
        ("https://dichvucong.gov.vn:8443/p?id=1", "https://dichvucong.gov.vn:8443/p?id=1"),
        (  # Liferay's "clicked from" redirect is noise too
            "https://sonnmt.quangtri.gov.vn/-/asset_publisher/abc/content/tin-1"
            "?redirect=https%3A%2F%2Fsonnmt.quangtri.gov.vn%2Ftin&p_p_id=7",
            "https://sonnmt.quangtri.gov.vn/-/asset_publisher/abc/content/tin-1?p_p_id=7",
        ),
        ("https://quangtri.gov.vn?utm_source=zalo", "https://quangtri.gov.vn/"),
        ("  https://quangtri.gov.vn/a\n", "https://quangtri.gov.vn/a"),
    ],
)
def test_link_is_cleaned(raw: str, clean: str) -> None:
    """Scheme and host in lower case, trackers and fragment gone, path and query kept."""
    assert shareable_url(raw) == clean


def test_a_tracker_whose_value_holds_an_equals_sign_is_dropped() -> None:
    """fbclid values end in base64 padding ("=="): the name is what comes before the first "="."""
    raw = "https://baoquangtri.vn/tin-tuc/bai-1.html?id=5&fbclid=IwAR0kQx=="
    assert shareable_url(raw) == "https://baoquangtri.vn/tin-tuc/bai-1.html?id=5"


def test_a_stray_percent_in_the_query_is_encoded() -> None:
    """A "%" not followed by two hex digits becomes "%25" (a browser would send it so)."""
    raw = "https://baoquangtri.vn/tim-kiem?q=tang-100%&trang=2"
    assert shareable_url(raw) == "https://baoquangtri.vn/tim-kiem?q=tang-100%25&trang=2"


@pytest.mark.parametrize("raw", [None, "", "ftp://x.gov.vn/a", "mailto:vanthu@quangtri.gov.vn"])
def test_other_values_are_left_alone(raw: str | None) -> None:
    """Nothing to clean (no link, or not a web link): the value as it was."""
    assert shareable_url(raw) == raw


def test_clean_link_is_the_same_article_for_dedup() -> None:
    """Cleaning never changes which article a link is (its canonical form), and is idempotent."""
    raw = "HTTPS://SKHCn.QuangTri.gov.vn/tin-tuc/bai-viet.html?b=2&id=12&utm_source=rss#x"
    clean = shareable_url(raw)
    assert clean is not None and canonical_url(clean) == canonical_url(raw)
    assert shareable_url(clean) == clean
