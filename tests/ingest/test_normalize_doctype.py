"""normalize.doctype and normalize.sniff: entity guard, non-feed answers, broken UTF-8."""

from __future__ import annotations

import pytest

from syndicator.errors import HostileFeed, NotAFeed
from syndicator.ingest.normalize.doctype import MAX_EXPANSION, check_doctype
from syndicator.ingest.normalize.sniff import check_body, has_feed_root, mend_utf8


def doc(subset: bytes, body: bytes = b"<rss/>") -> bytes:
    return b'<?xml version="1.0"?>\n<!DOCTYPE rss [' + subset + b"]>\n" + body


@pytest.mark.parametrize(
    "data",
    [
        b"<rss version='2.0'/>",
        b'<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" '
        b'"http://my.netscape.com/publish/formats/rss-0.91.dtd"><rss version="0.91"/>',
        doc(b'<!ENTITY id "tag:example.com,">', b"<rss>&id;&id;&id;</rss>"),
        doc(b"<!-- a comment with ] and > --><!ELEMENT rss ANY><!ATTLIST rss v CDATA '2.0'>"),
        doc(b'<!ENTITY % lat1 PUBLIC "-//W3C//ENTITIES Latin 1//EN" "xhtml-lat1.ent"> %lat1;'),
    ],
)
def test_harmless_doctypes_pass(data: bytes) -> None:
    """External DTDs, small internal entities and external parameter entities are accepted."""
    check_doctype(data)


@pytest.mark.parametrize(
    "data",
    [
        doc(b'<!ENTITY x SYSTEM "file:///etc/passwd">'),
        doc(b"<!ENTITY x PUBLIC 'p' 'http://evil.example/x'>"),
        doc(b'<!ENTITY a "&b;"><!ENTITY b "&a;">', b"<rss>&a;</rss>"),
        doc(b"<!ENTITY % p '<!ENTITY x \"y\">'> %p;"),
        doc(b"%undeclared;"),
        doc(b'<!ENTITY big "' + b"x" * 2000 + b'">', b"<rss>" + b"&big;" * 1000 + b"</rss>"),
        doc(b"".join(b'<!ENTITY e%d "x">' % i for i in range(100))),
        doc(b"<!ENTITY broken>"),
    ],
)
def test_hostile_doctypes_are_refused(data: bytes) -> None:
    """External, recursive, parameter, oversized, too many or unreadable entities are refused."""
    with pytest.raises(HostileFeed) as caught:
        check_doctype(data)
    assert caught.value.reason == "hostile_xml"


def paragraphs(count: int) -> bytes:
    return b"<rss>" + b"<p/>" * count + b"</rss>"


@pytest.mark.parametrize(
    "data",
    [
        doc(
            b"<!ENTITY a '" + b"x" * 1000 + b"'><!ATTLIST p z CDATA '" + b"&a;" * 100 + b"'>",
            paragraphs(200),
        ),
        doc(b'<!ATTLIST p z CDATA "' + b"x" * 10_000 + b'">', paragraphs(200)),
        doc(b"<!ATTLIST p a CDATA 'x' b CDATA \"" + b"y" * 10_000 + b'">', paragraphs(200)),
        doc(b'<!ATTLIST p z CDATA #FIXED "' + b"x" * 10_000 + b'">', paragraphs(200)),
        doc(b"<!ATTLIST>"),
        doc(b"".join(b'<!ATTLIST p%d z CDATA "x">' % i for i in range(65))),
    ],
)
def test_attribute_default_bombs_are_refused(data: bytes) -> None:
    """A default the parser would copy into every <p>, or an unreadable ATTLIST, is refused."""
    with pytest.raises(HostileFeed) as caught:
        check_doctype(data)
    assert caught.value.reason == "hostile_xml"


def test_attribute_defaults_may_add_up_to_the_limit() -> None:
    """Defaults adding exactly MAX_EXPANSION characters pass; one element more is refused.

    Every way to write a <p> start tag counts; <pre> and <param> are other elements."""
    subset = b'<!ATTLIST p z CDATA "' + b"x" * 500 + b'"><!ATTLIST p y CDATA "' + b"x" * 500 + b'">'
    forms = (b"<p/>", b"<p>a</p>", b'<p\nclass="a"/>', b"<p\tz='1'>b</p>", b"<p\r\n/>")
    tags = [forms[i % len(forms)] for i in range(MAX_EXPANSION // 1000)]
    others = b"<pre>x</pre><param/>" * 100
    check_doctype(doc(subset, b"<rss>" + b"".join(tags) + others + b"</rss>"))
    with pytest.raises(HostileFeed):
        check_doctype(doc(subset, b"<rss>" + b"".join(tags) + b"<p>" + others + b"</rss>"))


def test_doctype_after_the_root_is_not_mistaken_for_one() -> None:
    """A DOCTYPE string inside content (CDATA) is not read as the document's DOCTYPE."""
    check_doctype(b'<rss><![CDATA[<!DOCTYPE x [<!ENTITY e SYSTEM "file:///x">]>]]></rss>')


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty_body"),
        (b"\n \t", "empty_body"),
        ("<!DOCTYPE html><html><body>Trang chủ</body></html>".encode(), "html_page"),
        (b'<?xml version="1.0"?>\n<html xmlns="http://www.w3.org/1999/xhtml"></html>', "html_page"),
        (
            b"<html><head><title>Just a moment...</title></head><body>cf-chl</body></html>",
            "js_challenge",
        ),
        (b'<script>document.cookie="a=b";location.reload();</script>', "js_challenge"),
    ],
)
def test_non_feed_bodies_are_named(data: bytes, reason: str) -> None:
    """Empty bodies, HTML pages and anti-bot challenge pages raise NotAFeed with their reason."""
    with pytest.raises(NotAFeed) as caught:
        check_body(data)
    assert caught.value.reason == reason


def test_html_page_with_noscript_notice_is_not_a_challenge() -> None:
    """A big ordinary page that mentions JavaScript is an html_page, not a challenge."""
    page = (
        b"<!DOCTYPE html><html><body><noscript>Please enable JavaScript</noscript>"
        + b"<p>Tin tuc</p>" * 3000
        + b"</body></html>"
    )
    with pytest.raises(NotAFeed) as caught:
        check_body(page)
    assert caught.value.reason == "html_page"


def test_rss_under_an_xhtml_doctype_is_still_a_feed() -> None:
    """The root element, not the DOCTYPE, decides: RSS under an XHTML DOCTYPE passes."""
    data = b'<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0//EN" "x"><rss><channel/></rss>'
    check_body(data)
    assert has_feed_root(data)


def test_mend_utf8_replaces_a_few_broken_bytes() -> None:
    """A UTF-8 body with one bad byte is mended, so it is not re-read as Windows-1252."""
    data = "<rss>Sở Nội vụ thông báo".encode() + b"\xff</rss>"
    mended, replaced = mend_utf8(data, "text/xml")
    assert replaced == 1
    assert mended.decode("utf-8") == "<rss>Sở Nội vụ thông báo\ufffd</rss>"


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        ("<rss>café crème à la carte</rss>".encode("latin-1"), "text/xml"),
        ('<?xml version="1.0" encoding="windows-1258"?><rss>Vi\xeat</rss>'.encode("latin-1"), None),
        ("<rss>Sở \xff</rss>".encode(), "text/xml; charset=iso-8859-1"),
        ("<rss>Sở Nội vụ</rss>".encode(), "text/xml"),
    ],
)
def test_mend_utf8_leaves_other_encodings_alone(data: bytes, content_type: str | None) -> None:
    """Latin-1 or cp1258 bodies, other declared charsets and valid UTF-8 are not touched."""
    assert mend_utf8(data, content_type) == (data, 0)
