"""normalize.images: which picture represents an item."""

from __future__ import annotations

from typing import Any

from syndicator.ingest.normalize.images import pick_image

BASE = "https://a.vn/tin/1.html"


def test_media_content_comes_first() -> None:
    """An image media:content wins over thumbnail, enclosure and inline images."""
    entry: dict[str, Any] = {
        "media_content": [
            {"url": "https://a.vn/video.mp4", "medium": "video"},
            {"url": "https://a.vn/big.jpg", "medium": "image"},
        ],
        "media_thumbnail": [{"url": "https://a.vn/thumb.jpg"}],
        "enclosures": [{"href": "https://a.vn/enc.jpg", "type": "image/jpeg"}],
    }
    assert pick_image(entry, ['<img src="https://a.vn/inline.jpg">'], BASE) == (
        "https://a.vn/big.jpg"
    )


def test_thumbnail_then_enclosure_then_inline() -> None:
    """Without media:content the order is thumbnail, image enclosure, first <img>."""
    enclosure = {"enclosures": [{"href": "/enc.jpg", "type": "image/jpeg", "length": "1200"}]}
    assert pick_image({"media_thumbnail": [{"url": "/t.jpg"}], **enclosure}, [], BASE) == (
        "https://a.vn/t.jpg"
    )
    assert pick_image(enclosure, [], BASE) == "https://a.vn/enc.jpg"
    assert pick_image({}, ['<p><img src="../x.png"></p>'], BASE) == "https://a.vn/x.png"


def test_non_image_enclosures_and_pixels_are_ignored() -> None:
    """Audio enclosures, 1x1 thumbnails and data: URIs are never the picture."""
    entry: dict[str, Any] = {
        "enclosures": [{"href": "https://a.vn/a.mp3", "type": "audio/mpeg"}],
        "media_thumbnail": [{"url": "https://t.vn/p.gif", "width": "1", "height": "1"}],
        "media_content": [{"url": "data:image/png;base64,AAAA", "medium": "image"}],
    }
    assert pick_image(entry, ['<img src="data:image/gif;base64,R0">'], BASE) is None


def test_untyped_media_content_counts_when_it_looks_like_an_image() -> None:
    """media:content with neither medium nor type is taken when its URL names an image file."""
    assert pick_image({"media_content": [{"url": "https://a.vn/p.JPG?w=600"}]}, [], BASE) == (
        "https://a.vn/p.JPG?w=600"
    )
