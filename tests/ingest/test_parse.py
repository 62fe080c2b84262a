"""parse_feed: fixture feeds against their expected output, and hostile or broken input."""

from __future__ import annotations

import contextlib
import json
import random
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from syndicator import errors
from syndicator.errors import FeedError, HostileFeed, NotAFeed
from syndicator.ingest.parse import parse_feed
from syndicator.records import ParsedFeed, ParsedItem
from tests.helpers.paths import CORPUS, FIXTURES

FEEDS = FIXTURES / "feeds"
CORPUS = CORPUS
FEED_URL = "https://portal.example.gov.vn/vi/rss/tin-tuc/"
FETCHED_AT = datetime(2026, 11, 1, tzinfo=UTC)
TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def parse(body: bytes, content_type: str | None = "text/xml", url: str = FEED_URL) -> ParsedFeed:
    return parse_feed(body, url=url, content_type=content_type, fetched_at=FETCHED_AT, tz=TZ)


def as_expected(item: ParsedItem) -> dict[str, Any]:
    return {
        "guid": item.guid,
        "link": item.link,
        "url": item.url,
        "title": item.title,
        "summary": item.summary,
        "image": item.image,
        "published": item.published.isoformat() if item.published else None,
        "categories": list(item.categories),
        "flags": sorted(item.flags),
    }


FIXTURES = sorted(FEEDS.glob("*.xml"))


@pytest.mark.parametrize("fixture", FIXTURES, ids=[p.stem for p in FIXTURES])
def test_fixture_matches_expected(fixture: Path) -> None:
    """Each fixture feed normalizes to exactly the items (or the error) written beside it."""
    expected = json.loads(fixture.with_suffix(".expected.json").read_text(encoding="utf-8"))
    body = fixture.read_bytes()
    if isinstance(expected, dict):
        with pytest.raises(getattr(errors, expected["error"])) as caught:
            parse(body)
        assert caught.value.reason == expected["reason"]
        return
    assert [as_expected(item) for item in parse(body).items] == expected


def test_every_fixture_has_expected_output() -> None:
    """No fixture feed is left without its expected-output file."""
    assert FIXTURES
    assert all(p.with_suffix(".expected.json").exists() for p in FIXTURES)


def test_cp1258_fixture_really_holds_decomposed_windows_1258_bytes() -> None:
    """The Windows-1258 fixture stores a tone as its own byte (ệ = ê + 0xF2), as Windows does."""
    body = (FEEDS / "cp1258.xml").read_bytes()
    assert b'encoding="windows-1258"' in body
    assert b"\xea\xf2" in body  # "ệ" as ê + combining dot below
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")


def test_rss_ttl_and_feed_fields_are_read() -> None:
    """<ttl> becomes a timedelta in minutes, and the channel title and link are kept."""
    feed = parse((FEEDS / "vnexpress.xml").read_bytes())
    assert feed.ttl == timedelta(minutes=10)
    assert feed.title == "Thời sự - VnExpress RSS"
    assert feed.link == "https://vnexpress.net/rss/thoi-su.rss"
    assert feed.problem is None


def test_empty_channel_is_an_error_of_its_own() -> None:
    """A well-formed channel without items is NotAFeed with reason empty, not a feed of nothing."""
    with pytest.raises(NotAFeed) as caught:
        parse((FEEDS / "empty-channel.xml").read_bytes())
    assert caught.value.reason == "empty"
    assert caught.value.message == "the feed is valid but holds no items"


def test_text_xml_without_charset_is_not_a_problem() -> None:
    """text/xml with no charset makes feedparser bozo, but sound data reports no problem."""
    feed = parse((FEEDS / "nukeviet.xml").read_bytes(), content_type="text/xml")
    assert feed.problem is None
    assert len(feed.items) == 3


def test_missing_content_type_still_reads_utf8() -> None:
    """Without a Content-Type, an undeclared UTF-8 body is read as UTF-8, not ISO-8859-1."""
    body = (
        "<rss version='2.0'><channel><title>Sở Tư pháp</title>"
        "<item><title>Thông báo</title></item></channel></rss>"
    ).encode()
    feed = parse(body, content_type=None)
    assert feed.title == "Sở Tư pháp"
    assert feed.items[0].title == "Thông báo"


def test_nukeviet_content_html_is_sanitized_and_absolute() -> None:
    """content:encoded keeps figure and paragraphs, drops head/meta, keeps absolute images."""
    items = parse((FEEDS / "nukeviet.xml").read_bytes()).items
    item = items[2]
    assert '<img src="https://skhcn.example.gov.vn/assets/news/2026_09/de-dieu.jpg">' in (
        item.content_html
    )
    assert "<figcaption>Trạm quan trắc mực nước</figcaption>" in item.content_html
    assert "<meta" not in item.content_html
    assert "<link" not in item.content_html
    assert items[0].author == "Phòng Quản lý khoa học"


def test_relative_content_links_resolve_and_scripts_go() -> None:
    """Relative href/src resolve against the item link; javascript:, handlers, scripts vanish."""
    item = parse((FEEDS / "relative-links.xml").read_bytes()).items[1]
    html = item.content_html
    assert 'src="https://portal.example.gov.vn/vi/news/images/hop-bao.jpg"' in html
    assert 'href="https://portal.example.gov.vn/vi/news/ket-qua.html"' in html
    for gone in ("javascript:", "onclick", "<script"):
        assert gone not in html


@pytest.mark.parametrize("fixture", ["billion-laughs.xml", "attribute-defaults.xml"])
def test_entity_bombs_are_refused_fast_and_small(fixture: str) -> None:
    """A billion-laughs document, or a 10 KB one whose attribute default (`<!ATTLIST p lang
    CDATA "&a;&a;…">`) would be copied into 2,000 elements (300 MB), is refused in well under a
    second without big allocations."""
    body = (FEEDS / fixture).read_bytes()
    tracemalloc.start()
    started = time.perf_counter()
    with pytest.raises(HostileFeed) as caught:
        parse(body)
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert caught.value.reason == "hostile_xml"
    assert elapsed < 1.0
    assert peak < 5_000_000


def test_unclosed_tags_in_a_description_cost_milliseconds() -> None:
    """A 60 KB description of "<img" then "<a " repeated, beside content:encoded, parses in a
    small fraction of a second of CPU (the HTML parser used to take 20 s on it)."""
    hostile = "<img" + "<a " * 20_000
    body = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Tin</title>'
        "<item><title>Thông báo tuyển dụng viên chức năm 2026</title>"
        "<link>https://portal.example.gov.vn/vi/news/tuyen-dung-2026.html</link>"
        f"<description><![CDATA[{hostile}]]></description>"
        "<content:encoded><![CDATA[<p>Ủy ban nhân dân tỉnh thông báo tuyển dụng.</p>]]>"
        "</content:encoded></item></channel></rss>"
    ).encode()
    started = time.process_time()
    (item,) = parse(body).items
    assert time.process_time() - started < 1.0
    assert item.title == "Thông báo tuyển dụng viên chức năm 2026"


def test_one_line_billion_laughs_is_refused() -> None:
    """Declarations on one line (which feedparser's own filter misses) are refused too."""
    body = (
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">'
        + b"".join(
            b'<!ENTITY a%d "%s">' % (i + 1, (b"&a%d;" % i if i else b"&a;") * 10) for i in range(9)
        )
        + b']><rss version="2.0"><channel><title>&a9;</title></channel></rss>'
    )
    with pytest.raises(HostileFeed):
        parse(body)


def test_quadratic_blowup_is_refused() -> None:
    """One big entity referenced many times (quadratic blowup) is refused before expansion."""
    big = b"x" * 50_000
    body = (
        b'<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY big "' + big + b'">]>\n'
        b'<rss version="2.0"><channel><title>' + b"&big;" * 5_000 + b"</title></channel></rss>"
    )
    started = time.perf_counter()
    with pytest.raises(HostileFeed):
        parse(body)
    assert time.perf_counter() - started < 1.0


@pytest.mark.parametrize(
    "declaration",
    [
        b'<!ENTITY x SYSTEM "file:///etc/passwd">',
        b'<!ENTITY x PUBLIC "-//X//EN" "http://127.0.0.1:9/x.dtd">',
        b"<!ENTITY % p \"<!ENTITY x 'y'>\"> %p;",
        b"%undeclared;",
    ],
)
def test_external_and_parameter_tricks_are_refused(declaration: bytes) -> None:
    """External general entities and inline parameter entities are refused, never expanded."""
    body = (
        b'<?xml version="1.0"?>\n<!DOCTYPE rss [' + declaration + b"]>\n"
        b'<rss version="2.0"><channel><title>&x;</title></channel></rss>'
    )
    with pytest.raises(HostileFeed) as caught:
        parse(body)
    assert caught.value.reason == "hostile_xml"


def test_small_internal_entities_still_work() -> None:
    """A harmless internal entity (as in feedparser's own tests) is expanded as usual."""
    body = (
        b'<!DOCTYPE rss [\n  <!ENTITY id "tag:example.com,">\n]>\n'
        b"<rss version=\"2.0\"><channel><item><guid isPermaLink='false'>&id;2006-05-04:/blog/"
        b"</guid></item></channel></rss>"
    )
    feed = parse(body)
    assert feed.items[0].guid == "tag:example.com,2006-05-04:/blog/"
    assert feed.problem is None


@pytest.mark.corpus
@pytest.mark.skipif(not CORPUS.exists(), reason="../shared/corpus is absent")
def test_corpus_doctypes_with_entities_are_accepted() -> None:
    """feedparser's own 'not bozo' doctype cases pass the entity guard with no problem (the
    second is read whole, and then found to hold no items)."""
    body = (CORPUS / "wellformed/rss/entity_in_doctype.xml").read_bytes()
    assert parse(body, content_type="application/xml").problem is None
    body = (CORPUS / "wellformed/rdf/doctype_contains_entity_decl.xml").read_bytes()
    with pytest.raises(NotAFeed) as caught:
        parse(body, content_type="application/xml")
    assert caught.value.reason == "empty"


def test_external_entity_is_never_read(tmp_path: Path) -> None:
    """A SYSTEM entity pointing at a local file is refused and its content never appears."""
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE", encoding="utf-8")
    body = (
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY s SYSTEM "{secret.as_uri()}">]>'
        '<rss version="2.0"><channel><title>&s;</title></channel></rss>'
    ).encode()
    with pytest.raises(HostileFeed) as caught:
        parse(body)
    assert "TOP-SECRET-VALUE" not in str(caught.value)


def test_invalid_utf8_is_read_with_what_survives() -> None:
    """A stray invalid byte in a UTF-8 feed does not stop it being read, nor mangle the rest."""
    title = "Sở Nội vụ".encode() + b" \xff " + "thông báo".encode()
    body = (
        b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Tin'
        b"</title><item><title>" + title + b"</title></item></channel></rss>"
    )
    feed = parse(body)
    assert len(feed.items) == 1
    assert feed.items[0].title.startswith("Sở Nội vụ")
    assert feed.items[0].title.endswith("thông báo")


def test_wrong_charset_declaration_is_overridden() -> None:
    """A feed declared ISO-8859-1 in HTTP but really UTF-8 comes out right, not mangled."""
    body = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title>'
        "<item><title>Báo tiếng Việt</title></item></channel></rss>"
    ).encode()
    feed = parse(body, content_type="application/rss+xml; charset=iso-8859-1")
    assert feed.items[0].title == "Báo tiếng Việt"


def test_truncated_xml_is_salvaged_with_a_problem() -> None:
    """A feed cut off mid-item keeps the complete items and says what went wrong."""
    body = (FEEDS / "vnexpress.xml").read_bytes()
    cut = body[: body.index("<title>Mưa lớn".encode()) + 20]
    feed = parse(cut)
    assert feed.items[0].title == "Hà Nội thí điểm cấp phiếu lý lịch tư pháp trên VNeID"
    assert feed.problem
    assert "\n" not in feed.problem


@pytest.mark.parametrize("body", [b"", b"   \r\n\t ", b"\xef\xbb\xbf"])
def test_empty_body_is_not_a_feed(body: bytes) -> None:
    """An empty or blank body raises NotAFeed with reason empty_body."""
    with pytest.raises(NotAFeed) as caught:
        parse(body)
    assert caught.value.reason == "empty_body"


def test_html_page_is_not_a_feed_even_if_served_as_xml() -> None:
    """An HTML page is recognised by its content, whatever the Content-Type says."""
    body = (FEEDS / "html-page.xml").read_bytes()
    with pytest.raises(NotAFeed) as caught:
        parse(body, content_type="application/rss+xml")
    assert caught.value.reason == "html_page"
    assert "links a feed" in caught.value.message


def test_feed_served_as_text_html_is_still_a_feed() -> None:
    """Portals that serve RSS as text/html are parsed normally."""
    feed = parse((FEEDS / "vnexpress.xml").read_bytes(), content_type="text/html")
    assert len(feed.items) == 2


def test_xml_without_channel_is_not_a_feed() -> None:
    """A well-formed XML document that is not RSS/Atom raises reason not_a_feed."""
    body = b'<?xml version="1.0"?><urlset><url><loc>https://a.vn/</loc></url></urlset>'
    with pytest.raises(NotAFeed) as caught:
        parse(body)
    assert caught.value.reason == "not_a_feed"


def test_random_bytes_only_ever_raise_feed_errors() -> None:
    """Whatever the bytes, parse_feed returns or raises a FeedError, never anything else."""
    rng = random.Random(1258)
    seeds = [p.read_bytes() for p in FIXTURES]
    for _ in range(300):
        body = bytearray(rng.choice(seeds))
        for _ in range(rng.randint(1, 40)):
            body[rng.randrange(len(body))] = rng.randrange(256)
        if rng.random() < 0.3:
            body = bytearray(rng.randbytes(rng.randint(0, 2000)))
        with contextlib.suppress(FeedError):
            parse(bytes(body), content_type=rng.choice([None, "text/xml", "text/html"]))


@pytest.mark.corpus
@pytest.mark.skipif(not CORPUS.exists(), reason="../shared/corpus is absent")
def test_feedparser_corpus_never_crashes() -> None:
    """Every file of feedparser's own test corpus parses or raises a FeedError (no tracebacks)."""
    outcomes: dict[str, int] = {}
    for path in sorted(CORPUS.rglob("*.xml")):
        try:
            parse(
                path.read_bytes(), content_type="application/xml", url="http://example.com/feed.xml"
            )
            outcome = "ok"
        except FeedError as error:
            outcome = error.reason
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    assert outcomes["ok"] + outcomes["empty"] > 2000  # most test only channel-level elements
    assert "parse_failed" not in outcomes
    assert "hostile_xml" not in outcomes
