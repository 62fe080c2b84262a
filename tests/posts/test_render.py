"""render: posts from the shipped and the operator's templates, in a sandbox with limits."""

from __future__ import annotations

import json
import os
import shutil
import tracemalloc
import unicodedata
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connectors.facebook.kind import TEXT_MAX as FACEBOOK_MAX
from connectors.zalo.limits import LIMITS as ZALO_LIMITS
from connectors.zalo.render import body_blocks
from syndicator.posts.hashtags import build_hashtags, hashtag
from syndicator.posts.render import (
    CHANNEL_TYPES,
    SHIPPED_TEMPLATES,
    TEXT_TOOLS,
    Rendered,
    Renderer,
    RenderInput,
    RenderSettings,
)
from tests.helpers.paths import FIXTURES

FIXTURES = FIXTURES / "render"
SHIPPED = SHIPPED_TEMPLATES
CASES = sorted(FIXTURES.glob("*.json"))

ITEM = RenderInput(
    title="Sở Y tế Quảng Ngãi triển khai tiêm chủng mở rộng",
    summary="Sở Y tế tỉnh triển khai đợt tiêm chủng mở rộng cho trẻ em dưới 5 tuổi.",
    content_html="<p>Đợt tiêm chủng diễn ra tại 173 trạm y tế.</p>",
    url="https://syt.quangngai.gov.vn/tin-tuc/tiem-chung.html",
    image="https://syt.quangngai.gov.vn/anh/tiem-chung.jpg",
    published=datetime(2026, 11, 10, 2, 25, tzinfo=UTC),
    categories=("Tin tức", "Y tế"),
    author=None,
    feed_id="syt",
    feed_name="Sở Y tế Quảng Ngãi",
    agency="Sở Y tế Quảng Ngãi",
)


@pytest.fixture
def template_dir(tmp_path: Path) -> Path:
    """The shipped templates plus the test templates, in a folder named like the real one."""
    folder = tmp_path / "templates"
    shutil.copytree(SHIPPED, folder)
    for path in (FIXTURES / "templates").iterdir():
        shutil.copy(path, folder / path.name)
    return folder


@pytest.fixture
def renderer(template_dir: Path) -> Renderer:
    return Renderer(template_dir, RenderSettings(hashtags=("#QuangNgai",)))


def load_case(path: Path) -> tuple[RenderSettings, RenderInput, dict[str, Any]]:
    case = json.loads(path.read_text(encoding="utf-8"))
    raw, conf = case["input"], case["settings"]
    published = datetime.fromisoformat(raw["published"]) if raw["published"] else None
    item = RenderInput(**raw | {"categories": tuple(raw["categories"]), "published": published})
    options = RenderSettings(
        hashtags=tuple(conf["hashtags"]),
        agency_hashtag=conf["agency_hashtag"],
        default_image=conf["default_image"],
    )
    return options, item, case["expected"]


# ---- the shipped templates against recorded expectations ----


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
@pytest.mark.parametrize("channel", CHANNEL_TYPES)
def test_shipped_templates_match_recorded_posts(path: Path, channel: str) -> None:
    """Each fixture item renders, on each channel, exactly to the post recorded beside it."""
    options, item, expected = load_case(path)
    rendered = Renderer(SHIPPED, options).render(channel, item)
    assert rendered.to_json() == expected[channel]


def test_facebook_default_is_title_summary_hashtags_without_link() -> None:
    """The default Facebook message is title, blank line, summary, blank line, hashtags; no link."""
    rendered = Renderer(SHIPPED, RenderSettings(hashtags=("QuangNgai",))).render("facebook", ITEM)
    assert rendered.text == f"{ITEM.title}\n\n{ITEM.summary}\n\n#QuangNgai #SoYTeQuangNgai"
    assert rendered.link == ITEM.url
    assert "https://" not in rendered.text
    assert rendered.cover == ITEM.image


def test_sandbox_default_adds_the_link_on_its_own_line() -> None:
    """The sandbox preview is the Facebook message with the article's link as its last line."""
    rendered = Renderer(SHIPPED, RenderSettings()).render("sandbox", ITEM)
    assert rendered.text.splitlines()[-1] == ITEM.url
    assert rendered.text.startswith(ITEM.title + "\n\n")


def test_long_title_is_cut_for_zalo_at_a_word_boundary() -> None:
    """A 400-character title becomes a Zalo title of at most 150 characters ending in a whole word and "…"."""
    _, item, _ = load_case(FIXTURES / "long_title.json")
    assert len(item.title) == 400
    rendered = Renderer(SHIPPED, RenderSettings()).render("zalo", item)
    assert len(rendered.title) <= ZALO_LIMITS["title"] and rendered.title.endswith("…")
    assert item.title.startswith(rendered.title[:-1] + " ")
    assert "truncated" in rendered.flags


def test_ampersand_stays_plain_in_text_and_is_escaped_only_in_zalo_html() -> None:
    """ "Q&A" is "Q&A" in the Facebook message and Zalo title, "Q&amp;A" inside Zalo body HTML."""
    item = replace(ITEM, title="Hỏi đáp Q&A", summary="Q&A <mới>", content_html="", feed_name="Q&A")
    renderer = Renderer(SHIPPED, RenderSettings())
    facebook, zalo = renderer.render("facebook", item), renderer.render("zalo", item)
    assert facebook.text.startswith("Hỏi đáp Q&A\n") and "&amp;" not in facebook.text
    assert zalo.title == "Hỏi đáp Q&A" and zalo.description == "Q&A <mới>"
    assert zalo.body[-2]["content"] == "<p>Q&amp;A &lt;mới&gt;</p>"
    assert ">Q&amp;A</a>" in zalo.body[-1]["content"]


def test_feed_values_are_never_evaluated_as_template_code() -> None:
    """A title holding "{{ 7*7 }}" and "<script>" comes out literally on every channel."""
    title = "<script>alert(1)</script> {{ 7*7 }} {% for x in range(3) %}x{% endfor %}"
    renderer = Renderer(SHIPPED, RenderSettings())
    for channel in CHANNEL_TYPES:
        rendered = renderer.render(channel, replace(ITEM, title=title, summary=title))
        assert rendered.error is None
        shown = rendered.title if channel == "zalo" else rendered.text
        assert shown.startswith(title) and "49" not in shown and "xxx" not in shown


def test_zalo_body_escapes_summary_and_resanitizes_content() -> None:
    """Feed text put into Zalo HTML is escaped, and content HTML loses scripts even if unsanitized."""
    renderer = Renderer(SHIPPED, RenderSettings())
    hostile = '<p onclick="x()">Nội dung</p><script>alert(1)</script><a href="javascript:x()">l</a>'
    body = renderer.render("zalo", replace(ITEM, content_html=hostile)).body
    html = "".join(block.get("content", "") for block in body)
    assert "<script" not in html and "onclick" not in html and "javascript:" not in html
    summary = replace(ITEM, content_html="", summary='"><script>alert(2)</script>')
    body = renderer.render("zalo", summary).body
    assert body[1]["content"] == "<p>&#34;&gt;&lt;script&gt;alert(2)&lt;/script&gt;</p>"


def test_zalo_source_link_is_escaped_and_only_for_web_addresses() -> None:
    """The closing "Nguồn:" block links an http(s) URL with quotes escaped, and never a javascript: URL."""
    renderer = Renderer(SHIPPED, RenderSettings())
    quoted = renderer.render("zalo", replace(ITEM, url='https://a.gov.vn/x?a=1&b="2"')).body[-1]
    assert quoted["content"] == (
        '<p>Nguồn: <a href="https://a.gov.vn/x?a=1&amp;b=&#34;2&#34;">Sở Y tế Quảng Ngãi</a></p>'
    )
    script = renderer.render("zalo", replace(ITEM, url="javascript:alert(1)"))
    assert script.body[-1]["content"] == "<p>Nguồn: Sở Y tế Quảng Ngãi</p>"
    assert script.link is None


def test_zalo_adds_the_picture_only_when_the_html_lacks_it() -> None:
    """The item's picture opens the Zalo body unless the content HTML already shows it."""
    renderer = Renderer(SHIPPED, RenderSettings())
    body = renderer.render("zalo", ITEM).body
    assert body[0] == {"type": "image", "url": ITEM.image, "caption": ""}
    shown = replace(ITEM, content_html=f'<p>Ảnh</p><p><img src="{ITEM.image}"></p>')
    assert [block["type"] for block in renderer.render("zalo", shown).body] == ["text", "text"]


def test_zalo_cover_falls_back_to_default_image_then_flags_no_image() -> None:
    """Without a picture the Zalo cover is default_image; without either it is None and flagged no_image."""
    item = replace(ITEM, image=None)
    fallback = Renderer(SHIPPED, RenderSettings(default_image="https://tinh.gov.vn/logo.png"))
    assert fallback.render("zalo", item).cover == "https://tinh.gov.vn/logo.png"
    assert "no_image" not in fallback.render("zalo", item).flags
    bare = Renderer(SHIPPED, RenderSettings()).render("zalo", item)
    assert bare.cover is None and "no_image" in bare.flags
    assert Renderer(SHIPPED, RenderSettings()).render("facebook", item).flags == ()


def test_zalo_author_defaults_to_agency_then_feed_name() -> None:
    """The Zalo author is the item's author, else the agency, else the feed name, cut to 50."""
    renderer = Renderer(SHIPPED, RenderSettings())
    assert renderer.render("zalo", replace(ITEM, author="Nguyễn Văn A")).author == "Nguyễn Văn A"
    assert renderer.render("zalo", ITEM).author == ITEM.agency
    assert renderer.render("zalo", replace(ITEM, agency="")).author == ITEM.feed_name
    long_author = renderer.render("zalo", replace(ITEM, author="Phòng " * 20)).author
    assert len(long_author) <= ZALO_LIMITS["author"] and long_author.endswith("…")


def test_facebook_message_over_the_cap_is_cut_and_flagged() -> None:
    """A message over 63,206 characters is cut at a word boundary with "…" and flagged truncated."""
    item = replace(ITEM, summary="chuyển đổi số " * 6000)
    rendered = Renderer(SHIPPED, RenderSettings()).render("facebook", item)
    assert len(rendered.text) <= FACEBOOK_MAX and rendered.text.endswith("số…")
    assert rendered.flags == ("truncated",)


# ---- template variables, filters and per-feed overrides ----


def test_templates_get_every_documented_variable(renderer: Renderer) -> None:
    """Every documented variable is defined, with dates in Vietnam time, day first."""
    text = renderer.render("facebook", ITEM, "variables.j2").text
    assert text.splitlines() == [
        f"title={ITEM.title}",
        "summary=Sở Y tế tỉnh triển…",
        f"url={ITEM.url}",
        f"image={ITEM.image}",
        "published=2026-11-10T09:25:00+07:00",
        "published_text=10/11/2026 09:25",
        "categories=Tin tức, Y tế",
        "author=Sở Y tế Quảng Ngãi",
        "feed=syt/Sở Y tế Quảng Ngãi",
        "hashtags=2: #QuangNgai #SoYTeQuangNgai",
        "channel=facebook",
        "item=syt",
    ]


def test_a_naive_or_missing_date_still_renders(renderer: Renderer) -> None:
    """A naive date is read as UTC; a missing one gives published None and an empty published_text."""
    naive = renderer.variables("facebook", replace(ITEM, published=datetime(2026, 1, 1, 20, 0)))
    assert naive["published_text"] == "02/01/2026 03:00"
    missing = renderer.variables("facebook", replace(ITEM, published=None))
    assert missing["published"] is None and missing["published_text"] == ""


def test_per_feed_override_replaces_the_default(renderer: Renderer) -> None:
    """A per-feed template named in render() is used instead of <channel>.j2."""
    rendered = renderer.render("facebook", ITEM, "so-yte.facebook.j2")
    assert rendered.text == f"[Sở Y tế] {ITEM.title.upper()}\n10/11/2026 09:25"
    assert rendered.link == ITEM.url


def test_per_feed_override_can_extend_the_default(renderer: Renderer) -> None:
    """An override that extends facebook.j2 or zalo.j2 changes only the block it redefines."""
    facebook = renderer.render("facebook", ITEM, "so-gd.facebook.j2")
    assert facebook.text == (
        f"{ITEM.title}\n\n{ITEM.summary}\n\n#QuangNgai #SoYTeQuangNgai #GiaoDuc"
    )
    zalo = renderer.render("zalo", ITEM, "so-gd.zalo.j2")
    assert zalo.description == "Sở Y tế Quảng Ngãi: Sở Y tế tỉnh triển khai đợt tiêm chủng…"


def test_edited_template_is_used_without_restart(renderer: Renderer, template_dir: Path) -> None:
    """When the operator changes a template file, the next render uses the new text."""
    assert renderer.render("facebook", ITEM).text.startswith(ITEM.title)
    path = template_dir / "facebook.j2"
    path.write_text("Tin mới: {{ title }}", encoding="utf-8")
    stat = path.stat()
    os.utime(path, (stat.st_atime, stat.st_mtime + 10))  # a later mtime, without sleeping
    assert renderer.render("facebook", ITEM).text == f"Tin mới: {ITEM.title}"


def test_missing_default_comes_from_the_shipped_templates(tmp_path: Path) -> None:
    """An operator folder without facebook.j2 (or not there at all) falls back to the shipped one."""
    rendered = Renderer(tmp_path / "nothing-here", RenderSettings()).render("facebook", ITEM)
    assert rendered.error is None and rendered.text.startswith(ITEM.title)


# ---- template errors: named with file and line, returned as values ----


@pytest.mark.parametrize(
    ("template", "error"),
    [
        ("syntax_error.j2", "templates/syntax_error.j2 line 4: Unexpected end of template."),
        ("undefined.j2", "templates/undefined.j2 line 4: 'titel' is undefined"),
        ("include_error.j2", "templates/undefined.j2 line 4: 'titel' is undefined"),
        ("output_cap.j2", "templates/output_cap.j2: output over 200000 characters"),
        ("missing.facebook.j2", "templates/missing.facebook.j2: template not found"),
        ("../facebook.j2", "templates/../facebook.j2: template not found"),
    ],
)
def test_template_error_names_file_and_line(renderer: Renderer, template: str, error: str) -> None:
    """A broken template gives Rendered(error=...) naming the file and line, never an exception;
    its text is empty, and the link and cover are kept for a text an editor writes by hand."""
    rendered = renderer.render("facebook", ITEM, template)
    assert rendered.error is not None and rendered.error.startswith(error)
    assert rendered.flags == ("template_error",)
    assert (rendered.text, rendered.link, rendered.cover) == ("", ITEM.url, ITEM.image)


@pytest.mark.parametrize(
    ("template", "error"),
    [
        ("huge_range.j2", "line 1: range() of 100000 items, over the 1000 limit"),
        ("silent_loop.j2", "line 2: more than 100000 loop steps and calls"),
        ("big_repeat.j2", "line 1: a repeat to over 200000 characters"),
        ("doubling.j2", "line 2: ~ would make more than 200000 characters"),
        (
            "sandbox_escape.j2",
            "line 2: access to attribute '__class__' of 'RenderInput' object is unsafe",
        ),
    ],
)
def test_runaway_or_unsafe_template_is_stopped(
    renderer: Renderer, template: str, error: str
) -> None:
    """Huge ranges, silent endless loops, huge values and sandbox escapes end in a named error."""
    rendered = renderer.render("zalo", ITEM, template)
    assert rendered.error is not None and error in rendered.error
    assert rendered.error.startswith(f"templates/{template} ")
    assert rendered.flags == ("template_error",) and rendered.description == ""
    assert rendered.title == ITEM.title and rendered.body == body_blocks(
        ITEM, TEXT_TOOLS
    )  # built in code


# A real-length summary (about 100 spaces, 80 letters "a"): what the size-making filters work on.
LONG_SUMMARY = (
    "Sáng ngày 10/11, Sở Y tế tỉnh Quảng Ngãi tổ chức hội nghị triển khai kế hoạch tiêm chủng mở "
    "rộng năm 2027 cho trẻ em dưới 5 tuổi và phụ nữ có thai tại 173 trạm y tế xã, phường, thị trấn "
    "trên địa bàn tỉnh. Theo kế hoạch, đợt tiêm chủng diễn ra từ ngày 15/11 đến hết ngày 30/11, "
    "với các loại vắc xin phòng bệnh sởi, rubella, bạch hầu, ho gà, uốn ván và bại liệt. Giám đốc "
    "Sở Y tế đề nghị các địa phương rà soát danh sách đối tượng, bảo đảm an toàn tiêm chủng, bố trí "
    "đủ nhân lực tại các điểm tiêm và thông báo rộng rãi để người dân đưa trẻ đi tiêm đúng lịch. "
    "Các trường hợp phản ứng sau tiêm được theo dõi và xử trí kịp thời theo hướng dẫn của Bộ Y tế."
)
FULL = "{% set s = 'x' * 200000 %}"  # a string of exactly the size cap: allowed
ROUND_UP = FULL + "{% set l = [] %}{% for i in range(500) %}{{ l.append(s) or '' }}{% endfor %}"
BLOWUPS = {  # each built 40 MB to 800 MB before the size check fired, before the fix
    "repeat": ("{{ 'x' * 10**8 }}", "a repeat to over 200000"),
    "replace filter": ("{{ summary|replace(' ', 'x' * 200000) }}", "replace() would make more"),
    "replace method": ("{{ summary.replace('a', 'x' * 200000) }}", "replace() would make more"),
    "empty old": ("{{ summary|replace('', 'x' * 100000) }}", "replace() would make more"),
    "format filter": ("{{ '%100000000s'|format(title) }}", "format() would make more"),
    "format star": ("{{ '%*s'|format(10**8, title) }}", "format() would make more"),
    "percent": ("{{ '%.100000000f' % 1.5 }}", "% would make more"),
    "percent key": (FULL + "{{ '%(a)s%(a)s' % {'a': s} }}", "% would make more"),
    "center method": ("{{ ''.center(10**8) }}", "center() would make more"),
    "ljust": ("{{ title.ljust(10**8) }}", "ljust() would make more"),
    "rjust": ("{{ title.rjust(10**8, '*') }}", "rjust() would make more"),
    "zfill": ("{{ '7'.zfill(10**8) }}", "zfill() would make more"),
    "expandtabs": ("{{ '\\t\\t'.expandtabs(tabsize=10**8) }}", "expandtabs() would make more"),
    "translate": (FULL + "{{ summary.translate({32: s}) }}", "translate() would make more"),
    "format method": ("{{ '{:>100000000}'.format(title) }}", "format() would make more"),
    "format nested": ("{{ '{:{}}'.format(title, 10**8) }}", "format() would make more"),
    "format_map": ("{{ '{t:.100000000f}'.format_map({'t': 1.5}) }}", "format() would make more"),
    "center filter": ("{{ title|center(10**8) }}", "center() would make more"),
    "indent": ("{{ summary|indent(10**7) }}", "indent() would make more"),
    "wordwrap": ("{{ summary|wordwrap(1, wrapstring='x' * 200000) }}", "wordwrap() would make"),
    "join filter": (ROUND_UP + "{{ l|join }}", "join() would make more"),
    "join method": (ROUND_UP + "{{ ''.join(l) }}", "join() would make more"),
    "join lazy": (ROUND_UP + "{{ l|map('upper')|join(',') }}", "join() would make more"),
    "print list": (ROUND_UP + "{{ l }}", "a value of more than 200000"),
    "concat": (FULL + "{{ s ~ s ~ s ~ s ~ s ~ s ~ s ~ s ~ s ~ s }}", "~ would make more"),
    "plus": (FULL + "{{ s + s }}", "+ would make more"),
    "list repeat": (FULL + "{{ [s] * 500 }}", "a repeat to over 200000"),
    "batch": ("{{ [1]|batch(10**7, 'x')|list }}", "batch() would make more"),
    "slice": ("{{ [1]|slice(10**6)|list }}", "slice() would make more"),
    "macro": (
        FULL
        + "{% macro m() %}{% for i in range(1000) %}{{ s }}{% endfor %}{% endmacro %}{{ m() }}",
        "more than 1000000 characters printed",
    ),
    "set block": (
        FULL + "{% set b %}{% for i in range(1000) %}{{ s }}{% endfor %}{% endset %}{{ b|length }}",
        "more than 1000000 characters printed",
    ),
}


@pytest.mark.parametrize(("source", "error"), BLOWUPS.values(), ids=BLOWUPS.keys())
def test_size_limits_refuse_before_building(
    renderer: Renderer, template_dir: Path, source: str, error: str
) -> None:
    """A value over the size cap is refused from its arguments, before it is built: the render
    fails with a named template error and never holds more than a few megabytes."""
    (template_dir / "blowup.j2").write_text(source, encoding="utf-8")
    item = replace(ITEM, summary=LONG_SUMMARY)
    tracemalloc.start()
    try:
        rendered = renderer.render("facebook", item, "blowup.j2")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert rendered.error is not None and error in rendered.error
    assert rendered.error.startswith("templates/blowup.j2 line 1: ")
    assert peak < 4_000_000


@pytest.mark.parametrize(
    "source",
    [
        "{{ summary|replace('a', 'ă') }}",
        "{{ title|center(120) }}|{{ '%-20s|%5.1f' % (feed_id, 2.5) }}",
        "{{ '{:>30} {}'.format(title, published_text) }}",
        "{{ categories|join(', ') }} {{ hashtags|map('upper')|join(' ') }}",
        "{{ summary|wordwrap(60) }}\n{{ summary|indent(2) }}",
        "{% set s = 'x' * 200000 %}{{ s|length }} {{ [s]|join|length }} {{ ('%s' % s)|length }}",
        "{% macro m(t) %}{{ t }}{% endmacro %}{{ m(summary) }} {{ m(title)|upper }}",
    ],
)
def test_ordinary_use_of_size_making_operations_still_renders(
    renderer: Renderer, template_dir: Path, source: str
) -> None:
    """The checks refuse only what would pass the cap: everyday uses (and exactly the cap) render."""
    (template_dir / "fine.j2").write_text(source, encoding="utf-8")
    rendered = renderer.render("facebook", replace(ITEM, summary=LONG_SUMMARY), "fine.j2")
    assert rendered.error is None and rendered.text


def test_unknown_channel_type_is_a_caller_error(renderer: Renderer) -> None:
    """An unknown channel type is a programming error and raises ValueError."""
    with pytest.raises(ValueError, match="telegram"):
        renderer.render("telegram", ITEM)


# ---- checking an editor's text ----


def test_check_text_reports_overlong_facebook_text_in_vietnamese(renderer: Renderer) -> None:
    """Edited Facebook text over the cap gets a Vietnamese message with both numbers."""
    assert renderer.check_text("facebook", "a" * 70000) == (
        "Nội dung dài 70000 ký tự, vượt giới hạn 63206 ký tự của Facebook"
    )
    assert renderer.check_text("facebook", "Tin ngắn") is None
    assert renderer.check_text("sandbox", "  \n ") == "Nội dung trống"


def test_check_text_knows_zalo_fields_and_counts_nfc(renderer: Renderer) -> None:
    """Zalo title, author and description have their limits; decomposed Vietnamese counts as NFC."""
    nfd = unicodedata.normalize("NFD", "Đắk Lắk " * 18)  # 144 NFC characters, more in NFD
    assert len(nfd) > ZALO_LIMITS["title"]
    assert renderer.check_text("zalo", nfd, "title") is None
    assert renderer.check_text("zalo", "x" * 301, "description") == (
        "Mô tả dài 301 ký tự, vượt giới hạn 300 ký tự của Zalo"
    )
    assert renderer.check_text("zalo", "x" * 51, "author") is not None
    assert renderer.check_text("zalo", "x" * 100_000) is None
    with pytest.raises(ValueError, match="title"):
        renderer.check_text("facebook", "x", "title")


# ---- hashtags ----


@pytest.mark.parametrize(
    ("name", "tag"),
    [
        ("Đắk Lắk", "#DakLak"),
        ("Sở KH&CN", "#SoKHCN"),
        ("Sở KH&CN Đắk Lắk", "#SoKHCNDakLak"),
        ("Thừa Thiên Huế", "#ThuaThienHue"),
        ("#QuangNgai", "#QuangNgai"),
        ("quảng ngãi", "#QuangNgai"),
        (unicodedata.normalize("NFD", "Đồng Tháp"), "#DongThap"),
        ("UBND xã Ba Tơ", "#UBNDXaBaTo"),
        ("", None),
        ("#", None),
        ("!!! 🎉", None),
        ("2026", None),
    ],
)
def test_hashtag_folds_vietnamese_to_camel_case(name: str, tag: str | None) -> None:
    """Names become CamelCase ASCII tags (đ→d, marks dropped); empty or digit-only tags are None."""
    assert hashtag(name) == tag


def test_hashtags_are_deduplicated_ignoring_case() -> None:
    """Tags that differ only in case or marks appear once, first spelling kept, in order."""
    names = ["QuangNgai", "#quangngai", "Quảng Ngãi", "", "Sở KH&CN", "#SoKHCN"]
    assert build_hashtags(names) == ("#QuangNgai", "#SoKHCN")


def test_agency_hashtag_can_be_turned_off() -> None:
    """With agency_hashtag off only the settings tags are used."""
    options = RenderSettings(hashtags=("QuangNgai",), agency_hashtag=False)
    assert Renderer(SHIPPED, options).variables("facebook", ITEM)["hashtags"] == ["#QuangNgai"]


# ---- properties ----

long_text = st.builds(lambda part, times: part * times, st.text(max_size=40), st.integers(0, 2000))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=long_text, summary=long_text, author=st.none() | long_text, agency=st.text())
def test_limits_hold_for_any_unicode(
    title: str, summary: str, author: str | None, agency: str
) -> None:
    """For any Unicode input the Facebook message and the Zalo title, author and description fit their limits."""
    item = replace(ITEM, title=title, summary=summary, author=author, agency=agency)
    renderer = Renderer(SHIPPED, RenderSettings(hashtags=("#QuangNgai",)))
    facebook, zalo = renderer.render("facebook", item), renderer.render("zalo", item)
    assert facebook.error is None and zalo.error is None
    assert len(facebook.text) <= FACEBOOK_MAX
    assert len(zalo.title) <= ZALO_LIMITS["title"]
    assert len(zalo.author) <= ZALO_LIMITS["author"]
    assert len(zalo.description) <= ZALO_LIMITS["description"]


block = st.dictionaries(st.text(max_size=8), st.text(max_size=20), max_size=3)
rendered_values = st.builds(
    Rendered,
    channel_type=st.sampled_from(CHANNEL_TYPES),
    text=st.text(),
    link=st.none() | st.text(),
    title=st.text(),
    author=st.text(),
    description=st.text(),
    cover=st.none() | st.text(),
    body=st.lists(block, max_size=3).map(tuple),
    error=st.none() | st.text(),
    flags=st.lists(st.sampled_from(["template_error", "truncated", "no_image"])).map(tuple),
)


@given(rendered_values)
def test_rendered_survives_a_json_round_trip(rendered: Rendered) -> None:
    """Rendered.from_json(json of r.to_json()) == r for any value."""
    stored = json.loads(json.dumps(rendered.to_json()))
    assert Rendered.from_json(stored) == rendered


def test_from_json_tolerates_missing_and_unknown_keys() -> None:
    """An older or newer stored rendering still loads: missing keys take defaults, unknown ones are ignored."""
    loaded = Rendered.from_json({"channel_type": "facebook", "text": "x", "later": 1})
    assert loaded == Rendered("facebook", "x", None)
