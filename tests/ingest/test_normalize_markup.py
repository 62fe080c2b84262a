"""normalize.markup: HTML to text, sanitized HTML with absolute URLs, the first real image."""

from __future__ import annotations

import time

import pytest

from syndicator.ingest.normalize.markup import first_image, html_to_text, sanitize_html

BASE = "https://portal.example.gov.vn/vi/news/tin-tuc/bai-1.html"


def test_invalid_close_br_and_blocks_become_line_breaks() -> None:
    """VnExpress's invalid </br> and block tags separate text instead of gluing it together."""
    text = html_to_text('<a href="x"><img src="a.jpg"></a></br>Dòng một<p>Đoạn hai</p><li>Mục</li>')
    assert [line for line in text.split("\n") if line] == ["Dòng một", "Đoạn hai", "Mục"]


def test_entities_are_decoded_once() -> None:
    """Named and numeric entities (th&#7917;, &amp;) become characters."""
    assert html_to_text("Th&#7917; nghi&#7879;m &amp; &quot;đánh giá&quot;&nbsp;!") == (
        'Thử nghiệm & "đánh giá"\u00a0!'
    )


def test_scripts_and_styles_leave_no_text() -> None:
    """Script and style content never reaches the text."""
    assert html_to_text("<style>p{}</style>Tin<script>alert(1)</script> mới").strip() == ("Tin mới")


def test_table_cells_are_separated_by_spaces() -> None:
    """Cells of one row are separated, rows go on new lines."""
    text = html_to_text("<table><tr><td>Số</td><td>12</td></tr><tr><td>Ngày</td></tr></table>")
    assert [" ".join(line.split()) for line in text.split("\n") if line.strip()] == [
        "Số 12",
        "Ngày",
    ]


def test_plain_text_passes_straight_through() -> None:
    """Text with no tag or entity is returned as it is."""
    assert html_to_text("Không có thẻ nào") == "Không có thẻ nào"


def test_sanitize_keeps_the_allow_list_only() -> None:
    """Allowed tags survive; others are unwrapped; attributes outside the list are dropped."""
    html = sanitize_html(
        '<div class="x"><p style="color:red">Một <b>hai</b> <span>ba</span>'
        '</p><h2 id="t">Tiêu đề</h2><iframe src="https://e.vn/v"></iframe></div>',
        BASE,
    )
    assert html == "<p>Một <b>hai</b> ba</p><h2>Tiêu đề</h2>"


@pytest.mark.parametrize(
    "dangerous",
    [
        '<a href="javascript:alert(1)">x</a>',
        '<a href=" JaVaScRiPt:alert(1)">x</a>',
        '<img src="x.jpg" onerror="alert(1)">',
        '<img src="data:image/png;base64,iVBORw0KGgo=">',
        "<script>alert(1)</script>",
        "<style>body{display:none}</style>",
        '<a href="vbscript:msgbox(1)">x</a>',
    ],
)
def test_sanitize_removes_scripts_handlers_and_bad_urls(dangerous: str) -> None:
    """No script, style, event handler, javascript:/vbscript: or data: URL survives."""
    html = sanitize_html(dangerous, BASE).lower()
    for bad in ("javascript", "vbscript", "onerror", "<script", "<style", "data:", "alert"):
        assert bad not in html


def test_sanitize_makes_links_and_images_absolute() -> None:
    """Relative href and src resolve against the base (the item link)."""
    html = sanitize_html(
        '<a href="../thong-bao/2.html">a</a><img src="/uploads/a.jpg">'
        '<a href="mailto:vp@example.gov.vn">m</a>',
        BASE,
    )
    assert 'href="https://portal.example.gov.vn/vi/news/thong-bao/2.html"' in html
    assert 'src="https://portal.example.gov.vn/uploads/a.jpg"' in html
    assert 'href="mailto:vp@example.gov.vn"' in html


def test_sanitize_adds_rel_noopener_to_links() -> None:
    """Links open without handing the opener to the target site."""
    assert 'rel="noopener noreferrer"' in sanitize_html('<a href="https://a.vn/">a</a>', BASE)


def test_first_image_skips_data_uris_and_tracking_pixels() -> None:
    """The first <img> that is neither a data: URI nor a 1x1 pixel is chosen."""
    html = (
        '<img src="data:image/gif;base64,R0lGOD"><img src="https://t.vn/p.gif" width="1" '
        'height="1"><img src="https://a.vn/real.jpg"><img src="https://a.vn/second.jpg">'
    )
    assert first_image(html) == "https://a.vn/real.jpg"


def test_first_image_none_without_images() -> None:
    """HTML without an <img> gives no image."""
    assert first_image("<p>Không ảnh</p>") is None


def test_first_image_takes_linear_time_on_unclosed_tags() -> None:
    """60 KB of "<img" then "<a " repeated (html.parser took 20 s of CPU on it, its time growing
    with the square of the length) is searched in a few milliseconds; a picture after such junk
    is still found."""
    junk = "<p>Thông báo</p><img" + "<a " * 20_000
    started = time.process_time()
    assert first_image(junk) is None
    assert time.process_time() - started < 0.5
    assert first_image(junk + '<p><img src="https://a.vn/that.jpg"></p>') == "https://a.vn/that.jpg"


def test_first_image_of_raw_markup_ignores_non_web_sources() -> None:
    """Raw markup: data:, javascript: and 1x1 pixels are skipped; entities in src are decoded."""
    markup = (
        "<img src=\"javascript:alert(1)\"><img src='data:image/png;base64,AAAA'>"
        '<IMG SRC="/p.gif" WIDTH=1 HEIGHT=1><img src=" /anh.jpg?a=1&amp;b=2 ">'
    )
    assert first_image(markup) == "/anh.jpg?a=1&b=2"


@pytest.mark.parametrize(
    "markup",
    [
        '<p><img src="/a.jpg" alt="x"></p>',
        "<img src='/q.jpg?a=1&amp;b=\"2\"'>",
        '<img width="1" height="1" src="/pixel.gif"><img SRC="/real.png">',
        '<img src="data:image/gif;base64,R0"><img src="/b.jpg">',
        '<img alt="no source"><a href="/x"><img src=" /c.webp " width="100"></a>',
        "<p>no picture</p>",
    ],
)
def test_sanitized_fast_path_agrees_with_the_parser(markup: str) -> None:
    """On sanitize_html's output the pattern-based image finder picks what the HTML parser picks."""
    safe = sanitize_html(markup, "https://a.vn/tin/")
    assert first_image(safe, sanitized=True) == first_image(safe)
